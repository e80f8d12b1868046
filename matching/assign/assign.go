// Package assign places candidates on the posts of structures: an exact
// min-cost flow (Optimal) and the nearest-pair-first baseline (Greedy).
//
// It works on indexes and integer costs only: candidates are 0..n-1,
// structures are the indexes of Problem.Posts, and the bipartite graph of
// acceptable pairs comes sorted with its costs (package matching builds it
// from great-circle distances in metres). Nothing here knows about points,
// départements or ids, so the solvers are tested on their own.
package assign

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/maillage/maillage/matching/internal/stop"
)

// Edges is the sparse bipartite graph of acceptable pairs, sorted by
// (Cost, candidate, structure): Greedy walks it in that order and Optimal
// reads each structure's pairs in increasing cost.
type Edges struct {
	// Cost of each pair, in whole units (matching: metres).
	Cost []uint32
	// Pair of each edge: Pair(candidate, structure).
	Pair []uint64
}

// Pair packs a candidate and a structure into one edge key whose order is
// (candidate, structure).
func Pair(cand, structure int32) uint64 { return uint64(cand)<<32 | uint64(uint32(structure)) }

// Ends unpacks a Pair.
func Ends(p uint64) (cand, structure int32) { return int32(p >> 32), int32(uint32(p)) }

// Len returns the number of edges.
func (e Edges) Len() int { return len(e.Cost) }

// Problem is an assignment instance.
type Problem struct {
	// Candidates is the number of candidates; each takes at most one post.
	Candidates int
	// Posts is the number of posts of each structure, at least 1.
	Posts []int
	// Priority of each structure, at least 1 (nil: all equal). Optimal
	// fills the posts of higher priority first among the assignments
	// filling the most posts. matching passes weights in hundredths.
	Priority []int64
	// Group of each structure, an index in GroupCap (nil: no caps).
	Group []int32
	// GroupCap bounds the posts filled in each group, -1 for no bound.
	GroupCap []int
	// Layout optionally gives the memory rank of each candidate, a
	// permutation of 0..Candidates-1: candidates sharing structures placed
	// near each other (matching orders them along a Z-order curve) make
	// Optimal's arc scans cache-friendly. It never changes the result.
	Layout []int32
	// Edges are the acceptable pairs with their costs.
	Edges Edges
}

// Options tunes the solvers.
type Options struct {
	// Workers is the number of goroutines of Optimal (default 2); the
	// result does not depend on it.
	Workers int
	// Method is the algorithm of Optimal: MethodAuto (the default),
	// MethodPaths or MethodScaling. The optimum's totals do not depend on
	// it; among equal optima the assignment may.
	Method string
	// Progress, when not nil, is called with the number of posts decided
	// so far out of the total. Calls are serialized and done never
	// decreases, but they may come from worker goroutines.
	Progress func(done, total int)
}

// Solution is the structure of each candidate, -1 when unmatched.
type Solution struct {
	Match []int32
}

// Methods of Optimal (Options.Method).
const (
	// MethodAuto uses cost scaling where it applies (equal priorities, no
	// binding group cap) and posts are at least nine tenths of the
	// candidates, and successive shortest paths otherwise.
	MethodAuto = ""
	// MethodPaths is successive shortest paths (flow.go).
	MethodPaths = "paths"
	// MethodScaling is cost scaling where it applies (scaling.go), else
	// successive shortest paths.
	MethodScaling = "scaling"
)

// DefaultWorkers is the number of goroutines when Options.Workers is 0.
const DefaultWorkers = 2

// ErrInput is wrapped by every validation error of the solvers.
var ErrInput = errors.New("invalid assignment problem")

// SpreadError is returned by Optimal when priorities spread over too large
// a range for exact int64 costs in one connected component (only possible
// with many priority levels over a large component). It wraps ErrInput.
type SpreadError struct {
	Structure              int   // first structure of the component
	MinPriority            int64 // priorities of the component
	MaxPriority            int64
	Structures, Candidates int // size of the component
}

func (e *SpreadError) Error() string {
	return fmt.Sprintf("%v: structure %d: priorities from %d to %d over %d structures and %d candidates are too spread for exact integer costs",
		ErrInput, e.Structure, e.MinPriority, e.MaxPriority, e.Structures, e.Candidates)
}

func (e *SpreadError) Unwrap() error { return ErrInput }

// instance is a validated Problem with its degrees.
type instance struct {
	nc        int
	posts     []int32
	weightQ   []int64
	sDept     []int32
	deptCap   []int
	rank      []int32
	cost      []uint32
	pair      []uint64
	structDeg []int32 // edges per structure
	candDeg   []int32 // edges per candidate
	workers   int
	progress  func(done, total int)
}

// newInstance validates p (the edge pass stops when ctx is done) and
// applies the defaults.
func newInstance(ctx context.Context, p *Problem, opt Options, what string) (*instance, error) {
	ns := len(p.Posts)
	in := &instance{nc: p.Candidates, workers: opt.Workers, progress: opt.Progress,
		cost: p.Edges.Cost, pair: p.Edges.Pair, deptCap: p.GroupCap}
	switch {
	case p.Candidates < 0 || p.Candidates >= math.MaxInt32 || ns >= math.MaxInt32:
		return nil, fmt.Errorf("%w: %d candidates, %d structures", ErrInput, p.Candidates, ns)
	case opt.Workers < 0:
		return nil, fmt.Errorf("%w: workers %d", ErrInput, opt.Workers)
	case opt.Method != MethodAuto && opt.Method != MethodPaths && opt.Method != MethodScaling:
		return nil, fmt.Errorf("%w: method %q", ErrInput, opt.Method)
	case p.Priority != nil && len(p.Priority) != ns, p.Group != nil && len(p.Group) != ns:
		return nil, fmt.Errorf("%w: %d posts, %d priorities, %d groups (want one per structure)", ErrInput, ns, len(p.Priority), len(p.Group))
	case p.Layout != nil && len(p.Layout) != p.Candidates:
		return nil, fmt.Errorf("%w: %d layout ranks for %d candidates", ErrInput, len(p.Layout), p.Candidates)
	case len(p.Edges.Cost) != len(p.Edges.Pair):
		return nil, fmt.Errorf("%w: %d edge costs for %d pairs", ErrInput, len(p.Edges.Cost), len(p.Edges.Pair))
	}
	if in.workers == 0 {
		in.workers = DefaultWorkers
	}
	in.posts = make([]int32, ns)
	in.weightQ = make([]int64, ns)
	in.sDept = make([]int32, ns)
	for s, n := range p.Posts {
		if n < 1 || n > math.MaxInt32/2 {
			return nil, fmt.Errorf("%w: structure %d: %d posts (want >= 1)", ErrInput, s, n)
		}
		in.posts[s], in.weightQ[s] = int32(n), 1
		if p.Priority != nil {
			if in.weightQ[s] = p.Priority[s]; in.weightQ[s] < 1 {
				return nil, fmt.Errorf("%w: structure %d: priority %d (want >= 1)", ErrInput, s, p.Priority[s])
			}
		}
		if p.Group != nil {
			if g := p.Group[s]; g < 0 || int(g) >= len(p.GroupCap) {
				return nil, fmt.Errorf("%w: structure %d: group %d of %d", ErrInput, s, g, len(p.GroupCap))
			}
			in.sDept[s] = p.Group[s]
		}
	}
	if p.Group == nil {
		in.deptCap = []int{-1} // one group, not capped
	}
	for g, c := range p.GroupCap {
		if c < -1 {
			return nil, fmt.Errorf("%w: group %d: cap %d (want >= 0, or -1 for none)", ErrInput, g, c)
		}
	}
	if err := in.layout(p.Layout); err != nil {
		return nil, err
	}
	return in, in.degrees(ctx, what)
}

// layout checks that ranks is a permutation (nil is the identity, which
// only Optimal lays out).
func (in *instance) layout(ranks []int32) error {
	if ranks == nil {
		return nil
	}
	seen := make([]bool, in.nc)
	for i, r := range ranks {
		if r < 0 || int(r) >= in.nc || seen[r] {
			return fmt.Errorf("%w: layout rank %d of candidate %d is out of range or repeated", ErrInput, r, i)
		}
		seen[r] = true
	}
	in.rank = ranks
	return nil
}

// degrees counts the edges of every node and checks their ends and order.
func (in *instance) degrees(ctx context.Context, what string) error {
	ns := len(in.posts)
	in.structDeg, in.candDeg = make([]int32, ns), make([]int32, in.nc)
	for i, p := range in.pair {
		if err := stop.At(ctx, i, what); err != nil {
			return err
		}
		c, s := Ends(p)
		if c < 0 || int(c) >= in.nc || s < 0 || int(s) >= ns {
			return fmt.Errorf("%w: edge %d joins candidate %d and structure %d (want below %d and %d)", ErrInput, i, c, s, in.nc, ns)
		}
		if i > 0 && (in.cost[i] < in.cost[i-1] || in.cost[i] == in.cost[i-1] && p <= in.pair[i-1]) {
			return fmt.Errorf("%w: edge %d (cost %d) out of (cost, candidate, structure) order or repeated", ErrInput, i, in.cost[i])
		}
		in.structDeg[s]++
		in.candDeg[c]++
	}
	return stop.Err(ctx, what)
}
