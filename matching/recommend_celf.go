package matching

import (
	"context"
	"math"
	"sync/atomic"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
)

// coverProblem is a maximal covering instance: open demand cells and
// candidate points; a candidate covers the demand cells within reach. The
// value of a set of candidates is the demand of the union of their cells: a
// monotone submodular function, which greedy maximises within 1 − 1/e.
type coverProblem struct {
	g       *geo.Grid
	d       *demandSet
	pts     []orb.Point
	workers int
}

// gain returns the demand of the cells within reach of candidate c that are
// not yet covered, and those cells' demand indexes (all of them, covered or
// not) in buf.
func (p *coverProblem) gain(c int, covered []bool, buf []int32) (float64, []int32) {
	buf = p.d.within(p.g, p.pts[c], buf)
	var s float64
	for _, i := range buf {
		if !covered[i] {
			s += p.d.weight[i]
		}
	}
	return s, buf
}

// greedyPick is one chosen candidate with what it newly covers.
type greedyPick struct {
	cand  int
	gain  float64 // demand newly covered
	pop   int     // inhabitants newly covered
	cells []int32 // demand indexes newly covered
}

// greedyRun is the outcome of the lazy greedy.
type greedyRun struct {
	picks       []greedyPick
	value       float64 // demand covered by the picks
	online      float64 // min over steps i of value(S_i) + sum of the k largest gain bounds at S_i
	onlineStep  int     // the step i reaching it
	coverable   float64 // demand within reach of at least one candidate
	withGain    int     // candidates with a positive gain alone
	evaluations int     // gain evaluations, the initial ones included
	exhausted   bool    // stopped before k picks: no candidate adds anything
}

// celfEntry is a candidate in the lazy greedy's queue: bound is its gain
// when computed at step stamp, an upper bound of its gain at any later step
// (submodularity).
type celfEntry struct {
	bound float64
	cand  int32
	stamp int32
}

// celfHeap is a binary max-heap of entries by bound, ties to the lowest
// candidate (so that lazy and plain greedy pick the same candidates).
type celfHeap []celfEntry

func (h celfHeap) before(i, j int) bool {
	if h[i].bound != h[j].bound {
		return h[i].bound > h[j].bound
	}
	return h[i].cand < h[j].cand
}

func (h celfHeap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h.before(r, l) {
			m = r
		}
		if !h.before(m, i) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

func (h *celfHeap) pop() {
	n := len(*h) - 1
	(*h)[0] = (*h)[n]
	*h = (*h)[:n]
	h.down(0)
}

// topKSum returns the sum of the k largest bounds of the heap, walking it
// from the root with a small heap of frontier positions (scratch).
func (h celfHeap) topKSum(k int, scratch []int32) (float64, []int32) {
	front := append(scratch[:0], 0)
	var sum float64
	for taken := 0; taken < k && len(front) > 0; taken++ {
		// front is small (≤ k + 1): a linear scan for its maximum is enough
		// and keeps this allocation-free.
		best := 0
		for j := 1; j < len(front); j++ {
			if h[front[j]].bound > h[front[best]].bound {
				best = j
			}
		}
		i := int(front[best])
		front[best] = front[len(front)-1]
		front = front[:len(front)-1]
		sum += h[i].bound
		for _, c := range [2]int{2*i + 1, 2*i + 2} {
			if c < len(h) {
				front = append(front, int32(c))
			}
		}
	}
	return sum, front
}

// lazyGreedy picks up to k candidates by lazy greedy (CELF): candidates
// wait in a max-heap keyed by a gain computed at some earlier step; the top
// is recomputed, and taken when its gain is current. Submodularity makes an
// old gain an upper bound of the current one, so the pick is the plain
// greedy's, ties to the lowest candidate.
//
// Along the way it keeps the online bound on the optimum of k sites: at any
// step i, OPT ≤ value(S_i) + the sum of the k largest marginal gains at
// S_i, each bounded by its heap key; at the last step the top k are made
// current to tighten it. It stops when ctx is done.
func (p *coverProblem) lazyGreedy(ctx context.Context, k int) (greedyRun, error) {
	n := len(p.pts)
	var run greedyRun
	gains := make([]float64, n)
	reach := make([]int32, p.d.len()) // 1 when some candidate reaches the cell
	none := make([]bool, p.d.len())
	const perChunk = 64
	err := parallelChunksCtx(ctx, "recommendation", p.workers, (n+perChunk-1)/perChunk, func(c int) {
		var buf []int32
		for i := c * perChunk; i < min(n, (c+1)*perChunk); i++ {
			gains[i], buf = p.gain(i, none, buf)
			for _, k := range buf {
				if atomic.LoadInt32(&reach[k]) == 0 {
					atomic.StoreInt32(&reach[k], 1)
				}
			}
		}
	})
	if err != nil {
		return run, err
	}
	run.evaluations = n
	for k, r := range reach {
		if r != 0 {
			run.coverable += p.d.weight[k]
		}
	}
	h := make(celfHeap, 0, n)
	for i, g := range gains {
		if g > 0 {
			h = append(h, celfEntry{bound: g, cand: int32(i)})
		}
	}
	run.withGain = len(h)
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}

	covered := none // no longer read by the workers
	run.online = math.Inf(1)
	var buf, scratch []int32
	var sum float64
	for iter := 1; len(run.picks) < k && len(h) > 0; iter++ {
		if err := stopped(ctx, iter, "recommendation"); err != nil {
			return run, err
		}
		step := int32(len(run.picks))
		if h[0].stamp != step {
			g, b := p.gain(int(h[0].cand), covered, buf)
			buf = b
			run.evaluations++
			if g <= 0 {
				h.pop()
			} else {
				h[0].bound, h[0].stamp = g, step
				h.down(0)
			}
			continue
		}
		// The top is current: every key bounds a current gain.
		if sum, scratch = h.topKSum(k, scratch); run.value+sum < run.online {
			run.online, run.onlineStep = run.value+sum, int(step)
		}
		top := h[0]
		h.pop()
		buf = p.d.within(p.g, p.pts[top.cand], buf)
		pk := greedyPick{cand: int(top.cand), gain: top.bound}
		for _, i := range buf {
			if !covered[i] {
				covered[i] = true
				pk.cells = append(pk.cells, i)
				pk.pop += int(p.d.pop[i])
			}
		}
		run.value += pk.gain
		run.picks = append(run.picks, pk)
	}
	run.exhausted = len(run.picks) < k
	// Final step: make the k largest gains current.
	step := int32(len(run.picks))
	sum, taken := 0.0, 0
	for iter := 1; taken < k && len(h) > 0; iter++ {
		if err := stopped(ctx, iter, "recommendation"); err != nil {
			return run, err
		}
		if h[0].stamp == step {
			sum += h[0].bound
			taken++
			h.pop()
			continue
		}
		g, b := p.gain(int(h[0].cand), covered, buf)
		buf = b
		run.evaluations++
		if g <= 0 {
			h.pop()
		} else {
			h[0].bound, h[0].stamp = g, step
			h.down(0)
		}
	}
	if run.value+sum < run.online {
		run.online, run.onlineStep = run.value+sum, int(step)
	}
	return run, nil
}
