package alloc

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/maillage/maillage/matching/internal/stop"
)

// solver is the state of the point step.
type solver struct {
	p      *Problem
	catch  []float64 // C_p, demand within reach of each point
	access []float64 // A_i, current
	points []int     // posts placed at each point
	groups []int     // posts placed in each group
	step   int32     // posts placed so far: the stamp of current gains
	evals  int
}

// gain is f(x + e_pt) − f(x): the people served at the reference that one
// more post at pt adds.
func (s *solver) gain(pt int) float64 {
	p := s.p
	delta, ref := 1/s.catch[pt], p.Reference
	var g float64
	for _, c := range p.CatchCells[p.CatchStart[pt]:p.CatchStart[pt+1]] {
		if a := s.access[c]; a < ref {
			g += p.CellDemand[c] * (math.Min(a+delta, ref) - a)
		}
	}
	s.evals++
	return g / ref
}

// value is f at the current accessibility.
func (s *solver) value() float64 {
	var v float64
	for i, d := range s.p.CellDemand {
		v += d * math.Min(s.access[i], s.p.Reference)
	}
	return v / s.p.Reference
}

// place puts total posts on the points by lazy greedy, at most budget[g]
// in group g (budget is consumed).
func (s *solver) place(ctx context.Context, budget []int, total int) error {
	if total == 0 {
		return nil
	}
	h := make(gainHeap, 0, len(s.catch))
	for pt, g := range s.p.PointGroup {
		if s.catch[pt] > 0 && budget[g] > 0 {
			h = append(h, gainEntry{bound: s.gain(pt), catch: s.catch[pt], point: int32(pt), stamp: s.step})
		}
	}
	h.init()
	for placed, iter := 0, 1; placed < total; iter++ {
		if err := stop.At(ctx, iter, what); err != nil {
			return err
		}
		if len(h) == 0 {
			return fmt.Errorf("%w: no candidate point left for %d posts", ErrInfeasible, total-placed)
		}
		top := &h[0]
		g := s.p.PointGroup[top.point]
		switch {
		case budget[g] == 0:
			h.pop()
		case top.stamp != s.step:
			top.bound, top.stamp = s.gain(int(top.point)), s.step
			h.down(0)
		default:
			pt := top.point
			delta := 1 / s.catch[pt]
			for _, c := range s.p.CatchCells[s.p.CatchStart[pt]:s.p.CatchStart[pt+1]] {
				s.access[c] += delta
			}
			s.points[pt]++
			s.groups[g]++
			budget[g]--
			placed++
			s.step++ // every key is now stale, an upper bound of its gain
		}
	}
	return nil
}

// bound returns an upper bound of f(y) for every allocation y of at most
// total posts with at most limit[g] in group g. By DR-submodularity,
// f(y) ≤ f(x ∨ y) ≤ f(x) + Σ_p h_p(y_p), h_p(k) = f(x + k e_p) − f(x)
// concave in k; the right side, a separable concave function, is maximised
// over the limits (a laminar polymatroid) exactly by taking the largest
// next increments first (Federgruen & Groenevelt, 1986).
func (s *solver) bound(limit []int, total int) float64 {
	room := slices.Clone(limit)
	h := make(gainHeap, 0, len(s.catch))
	for pt, g := range s.p.PointGroup {
		if s.catch[pt] > 0 && room[g] > 0 {
			h = append(h, gainEntry{bound: s.gainAt(pt, 1), catch: s.catch[pt], point: int32(pt), stamp: 1})
		}
	}
	h.init()
	ub := s.value()
	for total > 0 && len(h) > 0 {
		top := &h[0]
		g := s.p.PointGroup[top.point]
		if room[g] == 0 {
			h.pop()
			continue
		}
		ub += top.bound
		room[g]--
		total--
		top.stamp++ // here: the units counted at the point, plus one
		top.bound = s.gainAt(int(top.point), int(top.stamp))
		h.down(0)
	}
	return ub
}

// gainAt is the k-th unit's increment of f at pt from the current
// allocation: f(x + k e_pt) − f(x + (k−1) e_pt).
func (s *solver) gainAt(pt, k int) float64 {
	p := s.p
	delta, ref := 1/s.catch[pt], p.Reference
	lo, hi := float64(k-1)*delta, float64(k)*delta
	var g float64
	for _, c := range p.CatchCells[p.CatchStart[pt]:p.CatchStart[pt+1]] {
		if a := s.access[c] + lo; a < ref {
			g += p.CellDemand[c] * (math.Min(s.access[c]+hi, ref) - a)
		}
	}
	s.evals++
	return g / ref
}

// gainEntry is a point in the lazy greedy's queue: bound is its gain when
// computed at step stamp, an upper bound of its gain at any later step.
type gainEntry struct {
	bound float64
	catch float64 // ties to the point reaching the most demand
	point int32
	stamp int32
}

// gainHeap is a binary max-heap of entries by bound, then catchment
// demand, then lowest point.
type gainHeap []gainEntry

func (h gainHeap) before(i, j int) bool {
	switch {
	case h[i].bound != h[j].bound:
		return h[i].bound > h[j].bound
	case h[i].catch != h[j].catch:
		return h[i].catch > h[j].catch
	}
	return h[i].point < h[j].point
}

func (h gainHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h gainHeap) down(i int) {
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

func (h *gainHeap) pop() {
	n := len(*h) - 1
	(*h)[0] = (*h)[n]
	*h = (*h)[:n]
	h.down(0)
}
