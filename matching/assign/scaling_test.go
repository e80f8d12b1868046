package assign

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
)

// solveTotals solves p by method and returns its objective.
func solveTotals(t testing.TB, p *Problem, method string) objective {
	t.Helper()
	sol, err := Optimal(context.Background(), p, Options{Method: method})
	if err != nil {
		t.Fatal(err)
	}
	o, ok := evaluate(p, sol.Match)
	if !ok {
		t.Fatalf("method %q: infeasible assignment", method)
	}
	return o
}

// TestScalingMatchesPaths compares the totals (posts filled and total
// cost, exactly) of cost scaling and shortest paths on thousands of small
// random instances with many cost ties, and on generated instances of the
// plane from sparse to balanced.
func TestScalingMatchesPaths(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 3))
	for n := range 4000 {
		p := &Problem{Candidates: 1 + r.IntN(30), Posts: make([]int, 1+r.IntN(12))}
		for s := range p.Posts {
			p.Posts[s] = 1 + r.IntN(4)
		}
		density, maxCost := 1+r.IntN(6), 1+r.IntN(1+n%1000)
		var triples [][3]int
		for c := range p.Candidates {
			for s := range p.Posts {
				if r.IntN(8) < density {
					triples = append(triples, [3]int{c, s, r.IntN(maxCost)})
				}
			}
		}
		p.Edges = edges(triples...)
		if got, want := solveTotals(t, p, MethodScaling), solveTotals(t, p, MethodPaths); got != want {
			t.Fatalf("instance %d %+v: scaling %+v, paths %+v", n, p, got, want)
		}
	}
	specs := []genSpec{
		{Seed: 31, Candidates: 3000, Structures: 400, MaxPosts: 3, Clustered: 0.5},
		{Seed: 32, Candidates: 3000, Structures: 300, MaxPosts: 19, Clustered: 0.5},
		{Seed: 33, Candidates: 2000, Structures: 400, MaxPosts: 19, Clustered: 0.8, MaxM: 60e3},
		{Seed: 34, Candidates: 5000, Structures: 500, MaxPosts: 19, Clustered: 0.3, MaxM: 15e3},
	}
	for _, spec := range specs {
		p := genProblem(spec, -1)
		if got, want := solveTotals(t, p, MethodScaling), solveTotals(t, p, MethodPaths); got != want {
			t.Fatalf("%+v: scaling %+v, paths %+v", spec, got, want)
		}
	}
}

// TestScalingMatchesPathsBalanced compares both methods on the balanced
// instance of BenchmarkOptimalBalanced (50,000 candidates, 49,774 posts).
func TestScalingMatchesPathsBalanced(t *testing.T) {
	if testing.Short() {
		t.Skip("50k instance")
	}
	for _, spec := range []genSpec{balancedSpec, benchSpec} {
		p := genProblem(spec, -1)
		if got, want := solveTotals(t, p, MethodScaling), solveTotals(t, p, MethodPaths); got != want {
			t.Fatalf("%+v: scaling %+v, paths %+v", spec, got, want)
		}
	}
}

// doneAfter is a context whose Err turns to context.Canceled after n calls.
type doneAfter struct {
	context.Context
	n int
}

func (c *doneAfter) Err() error {
	if c.n--; c.n < 0 {
		return context.Canceled
	}
	return nil
}

// TestScalingCancelled stops cost scaling in the middle of its bids.
func TestScalingCancelled(t *testing.T) {
	p := genProblem(genSpec{Seed: 32, Candidates: 3000, Structures: 300, MaxPosts: 19, Clustered: 0.5}, -1)
	in, err := newInstance(context.Background(), p, Options{}, "test")
	if err != nil {
		t.Fatal(err)
	}
	ctx := &doneAfter{Context: context.Background(), n: 2}
	if _, ok, err := optimalScaling(ctx, in); ok || !errors.Is(err, context.Canceled) {
		t.Fatalf("ok %v, error %v; want context.Canceled", ok, err)
	}
	if ctx.n >= 0 {
		t.Fatalf("cancelled before the bids: %d looks left", ctx.n)
	}
}

// TestScalingChoice checks when MethodAuto takes cost scaling: equal
// priorities, no binding cap, posts at least nine tenths of the candidates.
func TestScalingChoice(t *testing.T) {
	three := edges([3]int{0, 0, 5}, [3]int{1, 0, 6}, [3]int{2, 1, 7}, [3]int{3, 1, 8}, [3]int{4, 2, 9})
	for _, tc := range []struct {
		name    string
		p       Problem
		applies bool
		pays    bool
	}{
		{"balanced", Problem{Candidates: 5, Posts: []int{2, 2, 1}, Edges: three}, true, true},
		{"posts scarce", Problem{Candidates: 5, Posts: []int{1, 1, 1}, Edges: three}, true, false},
		{"priorities", Problem{Candidates: 5, Posts: []int{2, 2, 1}, Priority: []int64{100, 200, 100}, Edges: three}, false, true},
		{"binding cap", Problem{Candidates: 5, Posts: []int{2, 2, 1}, Group: []int32{0, 0, 1}, GroupCap: []int{3, -1}, Edges: three}, false, true},
		{"loose cap", Problem{Candidates: 5, Posts: []int{2, 2, 1}, Group: []int32{0, 0, 1}, GroupCap: []int{4, -1}, Edges: three}, true, true},
	} {
		in, err := newInstance(context.Background(), &tc.p, Options{}, "test")
		if err != nil {
			t.Fatal(err)
		}
		if a, p := scalingApplies(in), scalingPays(in); a != tc.applies || p != tc.pays {
			t.Errorf("%s: applies %v, pays %v; want %v, %v", tc.name, a, p, tc.applies, tc.pays)
		}
	}
}
