// Package alloc distributes new capacity (advisor posts) among candidate
// host points so as to raise need-weighted two-step floating catchment
// (2SFCA, package fca) accessibility.
//
// With binary weights, adding x posts at a point p of catchment demand C_p
// (the demand within reach of p) changes only p's ratio: every demand point
// i within reach of p gains x / C_p, the others nothing. Accessibility after
// an allocation x is therefore
//
//	A_i(x) = A_i⁰ + Σ_p [i within reach of p] x_p / C_p
//
// linear in x, and the need-weighted objective
//
//	f(x) = Σ_i D_i min(A_i(x), ref) / ref
//
// (people in difficulty served at the reference ratio, counting a point
// below it in proportion) is a concave nondecreasing function of a
// nonnegative linear map of x: monotone and DR-submodular on the integer
// lattice (a unit's gain never grows as x grows). f is the concave envelope
// of the count of people reaching the reference, which is a step function
// of x and not submodular.
//
// The solver works in two steps, groups (départements) then points:
//
//   - Objective Equity minimises the largest shortfall of a group below the
//     reference, with a group's accessibility modelled as a_d + x_d / D_d
//     (its posts serve its own demand). Giving each post to the group of
//     lowest modelled accessibility, starting from the floors and skipping
//     capped groups, maximises the minimum of increasing separable
//     functions under a total and bounds, and is exactly optimal (the
//     greedy of Ibaraki & Katoh, Resource Allocation Problems, 1988, ch. 4);
//     the largest shortfall max(0, ref − min a) is then minimal too. Each
//     group's posts then go to its points by the greedy below.
//   - Objective Coverage maximises f over all points at once, groups bounded
//     by their floors (placed first) and caps: the group split follows the
//     points chosen.
//
// The point step is the greedy on unit increments with lazy evaluation
// (CELF): a gain computed earlier bounds the current one (DR-submodularity),
// so only the top of the queue is re-evaluated. For a monotone DR-submodular
// f under a total, the greedy reaches at least (1 − 1/e) of the optimum
// (Soma & Yoshida, 2018). The solver also proves a bound on the instance
// itself: for any feasible y, f(y) ≤ f(x ∨ y) ≤ f(x) + Σ_p y_p g_p(x), g_p
// the gain of one more unit at p; maximising the right side over the
// feasible y (the best gain of each group times its room, best groups
// first) gives Result.UpperBound ≥ the optimum.
package alloc

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Objective names what an allocation maximises.
type Objective string

// Objectives.
const (
	// Coverage maximises the people in difficulty served at the reference
	// ratio (f above).
	Coverage Objective = "coverage"
	// Equity minimises the largest shortfall of a group below the
	// reference, then places each group's posts by Coverage's f.
	Equity Objective = "equity"
)

// NoCap is the Cap of a group without a cap.
const NoCap = -1

// ErrInput is wrapped by the errors of an instance that is malformed.
var ErrInput = errors.New("bad allocation input")

// ErrInfeasible is wrapped by the errors of floors, caps and a total that
// no allocation satisfies.
var ErrInfeasible = errors.New("infeasible allocation")

// Group is a set of points sharing a floor and a cap (a département).
type Group struct {
	Name   string  // for errors
	Demand float64 // D_d, its demand
	// Access is a_d, its demand-weighted accessibility before (capacity per
	// unit of demand).
	Access float64
	Floor  int // posts it receives at least
	Cap    int // posts it receives at most, NoCap for none
}

// Problem is one allocation. Points' catchments are listed as columns:
// point p reaches the demand points CatchCells[CatchStart[p]:CatchStart[p+1]].
type Problem struct {
	Posts     int // N, the posts to place, ≥ 0
	Objective Objective
	// Reference is ref, the target accessibility (capacity per unit of
	// demand), > 0.
	Reference  float64
	Groups     []Group
	CellDemand []float64 // D_i per demand point
	CellAccess []float64 // A_i⁰ per demand point
	PointGroup []int32   // group of each point
	CatchStart []int32
	CatchCells []int32
}

// Result is an allocation.
type Result struct {
	GroupPosts []int     // posts given to each group; they sum to Posts
	PointPosts []int     // posts given to each point
	CellAccess []float64 // A_i after
	// ValueBefore and Value are f before and after (people served at the
	// reference); UpperBound bounds f of any feasible allocation (for
	// Equity: of any with the same group split).
	ValueBefore, Value, UpperBound float64
	// MinAccessBefore and MinAccess are the lowest modelled group
	// accessibility (a_d + x_d / D_d over groups with demand) before and
	// after: the Equity step maximises the latter.
	MinAccessBefore, MinAccess float64
	Evaluations                int // gain evaluations of the point step
}

// what names the work in the errors of a done context.
const what = "allocation"

// Solve allocates p.Posts. It fails with ErrInput on a malformed problem,
// with ErrInfeasible when floors, caps and points cannot hold the total,
// and with the context's error when ctx is done.
func Solve(ctx context.Context, p *Problem) (*Result, error) {
	catch, err := p.check()
	if err != nil {
		return nil, err
	}
	room, err := p.rooms(catch)
	if err != nil {
		return nil, err
	}
	s := &solver{p: p, catch: catch, access: slices.Clone(p.CellAccess),
		points: make([]int, len(p.PointGroup)), groups: make([]int, len(p.Groups))}
	r := &Result{ValueBefore: s.value(), MinAccessBefore: p.minAccess(make([]int, len(p.Groups)))}
	floors := make([]int, len(p.Groups))
	for g, gr := range p.Groups {
		floors[g] = gr.Floor
	}
	switch p.Objective {
	case Equity:
		split := p.equitySplit(room)
		if err := s.place(ctx, slices.Clone(split), p.Posts); err != nil {
			return nil, err
		}
		r.UpperBound = s.bound(split, p.Posts)
	case Coverage:
		sumFloors := 0
		for _, f := range floors {
			sumFloors += f
		}
		if err := s.place(ctx, slices.Clone(floors), sumFloors); err != nil {
			return nil, err
		}
		more := make([]int, len(p.Groups))
		for g := range more {
			more[g] = room[g] - floors[g]
		}
		if err := s.place(ctx, more, p.Posts-sumFloors); err != nil {
			return nil, err
		}
		r.UpperBound = s.bound(room, p.Posts)
	}
	r.GroupPosts, r.PointPosts, r.CellAccess = s.groups, s.points, s.access
	r.Value, r.MinAccess, r.Evaluations = s.value(), p.minAccess(s.groups), s.evals
	r.UpperBound = max(r.UpperBound, r.Value)
	return r, nil
}

// check validates the problem and returns each point's catchment demand.
func (p *Problem) check() ([]float64, error) {
	switch {
	case p.Objective != Coverage && p.Objective != Equity:
		return nil, fmt.Errorf("%w: objective %q (want %s or %s)", ErrInput, p.Objective, Coverage, Equity)
	case p.Posts < 0:
		return nil, fmt.Errorf("%w: %d posts (want ≥ 0)", ErrInput, p.Posts)
	case !(p.Reference > 0) || math.IsInf(p.Reference, 0):
		return nil, fmt.Errorf("%w: reference %v (want > 0)", ErrInput, p.Reference)
	case len(p.CellDemand) != len(p.CellAccess):
		return nil, fmt.Errorf("%w: %d demands for %d accessibilities", ErrInput, len(p.CellDemand), len(p.CellAccess))
	case len(p.CatchStart) != len(p.PointGroup)+1 || p.CatchStart[0] != 0 || int(p.CatchStart[len(p.PointGroup)]) != len(p.CatchCells):
		return nil, fmt.Errorf("%w: catchment columns do not fit %d points", ErrInput, len(p.PointGroup))
	}
	for i, d := range p.CellDemand {
		if !(d >= 0) || math.IsInf(d, 0) || !(p.CellAccess[i] >= 0) || math.IsInf(p.CellAccess[i], 0) {
			return nil, fmt.Errorf("%w: demand point %d has demand %v, accessibility %v", ErrInput, i, d, p.CellAccess[i])
		}
	}
	for g, gr := range p.Groups {
		if !(gr.Demand >= 0) || !(gr.Access >= 0) || math.IsInf(gr.Demand+gr.Access, 0) {
			return nil, fmt.Errorf("%w: group %s has demand %v, accessibility %v", ErrInput, p.groupName(g), gr.Demand, gr.Access)
		}
		if gr.Floor < 0 || gr.Cap < NoCap || (gr.Cap != NoCap && gr.Floor > gr.Cap) {
			return nil, fmt.Errorf("%w: group %s has floor %d and cap %d (want 0 ≤ floor ≤ cap)", ErrInfeasible, p.groupName(g), gr.Floor, gr.Cap)
		}
	}
	catch := make([]float64, len(p.PointGroup))
	for pt, g := range p.PointGroup {
		if g < 0 || int(g) >= len(p.Groups) {
			return nil, fmt.Errorf("%w: point %d in group %d of %d", ErrInput, pt, g, len(p.Groups))
		}
		lo, hi := p.CatchStart[pt], p.CatchStart[pt+1]
		if lo > hi {
			return nil, fmt.Errorf("%w: catchment starts decrease at point %d", ErrInput, pt)
		}
		for _, c := range p.CatchCells[lo:hi] {
			if c < 0 || int(c) >= len(p.CellDemand) {
				return nil, fmt.Errorf("%w: point %d reaches demand point %d of %d", ErrInput, pt, c, len(p.CellDemand))
			}
			catch[pt] += p.CellDemand[c]
		}
	}
	return catch, nil
}

// rooms returns the most posts each group can take: its cap, or the total
// when uncapped, and 0 when none of its points reaches any demand (a post
// there would serve no one). It fails when the floors exceed the total or
// a group's room, or the rooms cannot hold the total.
func (p *Problem) rooms(catch []float64) ([]int, error) {
	usable := make([]bool, len(p.Groups))
	for pt, g := range p.PointGroup {
		if catch[pt] > 0 {
			usable[g] = true
		}
	}
	room := make([]int, len(p.Groups))
	floors, total := 0, 0
	for g, gr := range p.Groups {
		switch {
		case !usable[g]:
		case gr.Cap == NoCap:
			room[g] = p.Posts
		default:
			room[g] = min(gr.Cap, p.Posts)
		}
		if gr.Floor > room[g] {
			if !usable[g] {
				return nil, fmt.Errorf("%w: group %s has a floor of %d posts but no candidate point reaching anyone", ErrInfeasible, p.groupName(g), gr.Floor)
			}
			return nil, fmt.Errorf("%w: group %s has a floor of %d posts, more than the %d to place", ErrInfeasible, p.groupName(g), gr.Floor, p.Posts)
		}
		floors += gr.Floor
		total = min(total+room[g], math.MaxInt/2)
	}
	if floors > p.Posts {
		return nil, fmt.Errorf("%w: the floors add up to %d posts, more than the %d to place", ErrInfeasible, floors, p.Posts)
	}
	if total < p.Posts {
		return nil, fmt.Errorf("%w: the caps of the groups with a candidate point reaching someone add up to %d posts, fewer than the %d to place", ErrInfeasible, total, p.Posts)
	}
	return room, nil
}

// groupName names group g in errors.
func (p *Problem) groupName(g int) string {
	if p.Groups[g].Name != "" {
		return p.Groups[g].Name
	}
	return fmt.Sprint(g)
}

// level is group g's modelled accessibility with x posts: a_d + x / D_d,
// +Inf without demand (such a group only takes posts no other can).
func (p *Problem) level(g, x int) float64 {
	gr := &p.Groups[g]
	if gr.Demand <= 0 {
		return math.Inf(1)
	}
	return gr.Access + float64(x)/gr.Demand
}

// minAccess is the lowest modelled accessibility over groups with demand
// (0 when none has).
func (p *Problem) minAccess(x []int) float64 {
	m := math.Inf(1)
	for g := range p.Groups {
		m = math.Min(m, p.level(g, x[g]))
	}
	if math.IsInf(m, 1) {
		return 0
	}
	return m
}

// equitySplit gives the floors, then each remaining post to the group of
// lowest level with room left (ties to the lowest index), which maximises
// the lowest level (rooms checked: they hold the total).
func (p *Problem) equitySplit(room []int) []int {
	x := make([]int, len(p.Groups))
	left := p.Posts
	h := levelHeap{p: p, x: x}
	for g, gr := range p.Groups {
		x[g] = gr.Floor
		left -= gr.Floor
		if x[g] < room[g] {
			h.g = append(h.g, g)
		}
	}
	h.init()
	for ; left > 0; left-- {
		g := h.g[0]
		x[g]++
		if x[g] == room[g] {
			h.pop()
		} else {
			h.down(0)
		}
	}
	return x
}

// levelHeap is a min-heap of groups by level at x, ties to the lowest
// group.
type levelHeap struct {
	p *Problem
	x []int
	g []int
}

func (h *levelHeap) less(i, j int) bool {
	a, b := h.p.level(h.g[i], h.x[h.g[i]]), h.p.level(h.g[j], h.x[h.g[j]])
	if a != b {
		return a < b
	}
	return h.g[i] < h.g[j]
}

func (h *levelHeap) init() {
	for i := len(h.g)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h *levelHeap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h.g) {
			return
		}
		m := l
		if r := l + 1; r < len(h.g) && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			return
		}
		h.g[i], h.g[m] = h.g[m], h.g[i]
		i = m
	}
}

func (h *levelHeap) pop() {
	n := len(h.g) - 1
	h.g[0] = h.g[n]
	h.g = h.g[:n]
	h.down(0)
}
