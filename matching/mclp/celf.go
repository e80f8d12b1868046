package mclp

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/maillage/maillage/matching/internal/par"
	"github.com/maillage/maillage/matching/internal/stop"
)

// Solve picks up to k candidates by lazy greedy (CELF): candidates wait in
// a max-heap keyed by a gain computed at some earlier step; the top is
// recomputed, and taken when its gain is current. Submodularity makes an
// old gain an upper bound of the current one, so the picks are the plain
// greedy's (largest marginal gain first, ties to the lowest candidate),
// after far fewer evaluations.
//
// Along the way it keeps the online bound on the optimum of k candidates:
// at any step i, OPT ≤ value(S_i) + the sum of the k largest marginal
// gains at S_i, each bounded by its heap key; at the last step the top k
// are made current to tighten it.
//
// Solve stops when ctx is done (it looks between the first evaluations and
// every stop.Every steps after) and returns its error wrapped.
func Solve(ctx context.Context, p *Problem, k int) (Result, error) {
	if err := p.check(k); err != nil {
		return Result{}, err
	}
	s := &solver{p: p, covered: make([]bool, len(p.Weights))}
	gains, err := s.first(ctx)
	if err != nil {
		return Result{}, err
	}
	h := make(celfHeap, 0, p.Candidates)
	for i, g := range gains {
		if g > 0 {
			h = append(h, celfEntry{bound: g, cand: int32(i)})
		}
	}
	s.run.WithGain = len(h)
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}

	run := &s.run
	run.Online = math.Inf(1)
	var scratch []int32
	var sum float64
	for iter := 1; len(run.Picks) < k && len(h) > 0; iter++ {
		if err := stop.At(ctx, iter, what); err != nil {
			return Result{}, err
		}
		step := int32(len(run.Picks))
		if h[0].stamp != step {
			s.refreshTop(&h, step)
			continue
		}
		// The top is current: every key bounds a current gain.
		if sum, scratch = h.topKSum(k, scratch); run.Value+sum < run.Online {
			run.Online, run.OnlineStep = run.Value+sum, int(step)
		}
		top := h[0]
		h.pop()
		s.buf = p.Coverage.Cover(int(top.cand), s.buf)
		pk := Pick{Candidate: int(top.cand), Gain: top.bound}
		for _, i := range s.buf {
			if !s.covered[i] {
				s.covered[i] = true
				pk.Elements = append(pk.Elements, i)
			}
		}
		run.Value += pk.Gain
		run.Picks = append(run.Picks, pk)
	}
	run.Exhausted = len(run.Picks) < k
	// Final step: make the k largest gains current.
	step := int32(len(run.Picks))
	sum, taken := 0.0, 0
	for iter := 1; taken < k && len(h) > 0; iter++ {
		if err := stop.At(ctx, iter, what); err != nil {
			return Result{}, err
		}
		if h[0].stamp == step {
			sum += h[0].bound
			taken++
			h.pop()
			continue
		}
		s.refreshTop(&h, step)
	}
	if run.Value+sum < run.Online {
		run.Online, run.OnlineStep = run.Value+sum, int(step)
	}
	return *run, nil
}

// what names the work in the errors of a done context.
const what = "maximal covering"

// solver is the state of one Solve.
type solver struct {
	p       *Problem
	covered []bool // elements covered by the picks
	buf     []int32
	run     Result
}

// first evaluates every candidate alone, in parallel, and sums the
// coverable demand. It checks the elements the coverage gives.
func (s *solver) first(ctx context.Context) ([]float64, error) {
	p := s.p
	n := p.Candidates
	gains := make([]float64, n)
	reach := make([]int32, len(p.Weights)) // 1 when some candidate covers the element
	const perChunk = 64
	chunks := (n + perChunk - 1) / perChunk
	bad := make([]error, chunks)
	par.Chunks(max(p.Workers, 1), chunks, func(c int) {
		if ctx.Err() != nil {
			return
		}
		var buf []int32
		for i := c * perChunk; i < min(n, (c+1)*perChunk); i++ {
			buf = p.Coverage.Cover(i, buf)
			for _, e := range buf {
				if e < 0 || int(e) >= len(p.Weights) {
					bad[c] = fmt.Errorf("%w: candidate %d covers element %d of %d", ErrInput, i, e, len(p.Weights))
					return
				}
				if atomic.LoadInt32(&reach[e]) == 0 {
					atomic.StoreInt32(&reach[e], 1)
				}
			}
			gains[i] = s.sumOpen(buf)
		}
	})
	if err := stop.Err(ctx, what); err != nil {
		return nil, err
	}
	for _, err := range bad {
		if err != nil {
			return nil, err
		}
	}
	s.run.Evaluations = n
	for e, r := range reach {
		if r != 0 {
			s.run.Coverable += p.Weights[e]
		}
	}
	return gains, nil
}

// sumOpen returns the demand of the elements of set not yet covered.
func (s *solver) sumOpen(set []int32) float64 {
	var g float64
	for _, e := range set {
		if !s.covered[e] {
			g += s.p.Weights[e]
		}
	}
	return g
}

// refreshTop makes the gain of the top of h current at step: the candidate
// goes back in the heap with it, or leaves when it adds nothing.
func (s *solver) refreshTop(h *celfHeap, step int32) {
	top := &(*h)[0]
	s.buf = s.p.Coverage.Cover(int(top.cand), s.buf)
	g := s.sumOpen(s.buf)
	s.run.Evaluations++
	if g <= 0 {
		h.pop()
		return
	}
	top.bound, top.stamp = g, step
	h.down(0)
}
