package mclp

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSolveHandmade(t *testing.T) {
	for _, tc := range []struct {
		name      string
		weights   []float64
		sets      Sets
		k         int
		picks     []int
		value     float64
		exhausted bool
	}{
		{"no candidates", []float64{1, 2}, nil, 3, []int{}, 0, true},
		{"k zero", []float64{1}, Sets{{0}}, 0, []int{}, 0, false},
		{"largest first", []float64{1, 2, 3, 4}, Sets{{0, 1}, {2, 3}, {1, 2}}, 1, []int{1}, 7, false},
		// Candidate 2 alone is the best, then 0 adds more than 1 does once
		// 2 is taken.
		{"marginal gains", []float64{5, 5, 1, 6, 6}, Sets{{0, 1}, {3, 2}, {1, 3, 4}}, 2, []int{2, 0}, 22, false},
		{"ties to the lowest", []float64{1, 1, 1}, Sets{{1}, {0}, {2}}, 2, []int{0, 1}, 2, false},
		// Nothing left to add after two picks.
		{"exhausted", []float64{1, 1}, Sets{{0}, {0, 1}, {}, {1}}, 3, []int{1}, 2, true},
		{"zero weights", []float64{0, 0}, Sets{{0}, {1}}, 1, []int{}, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &Problem{Weights: tc.weights, Candidates: len(tc.sets), Coverage: tc.sets}
			res, err := Solve(context.Background(), p, tc.k)
			if err != nil {
				t.Fatal(err)
			}
			got := []int{}
			for _, pk := range res.Picks {
				got = append(got, pk.Candidate)
			}
			if !slices.Equal(got, tc.picks) || res.Value != tc.value || res.Exhausted != tc.exhausted {
				t.Fatalf("picks %v value %v exhausted %v; want %v, %v, %v", got, res.Value, res.Exhausted, tc.picks, tc.value, tc.exhausted)
			}
			if c := res.Curve(); len(c) != len(got)+1 || c[len(c)-1] != tc.value {
				t.Fatalf("curve %v", c)
			}
		})
	}
}

func TestSolveValidation(t *testing.T) {
	sets := Sets{{0}, {1, 2}}
	for _, tc := range []struct {
		name string
		p    Problem
		k    int
	}{
		{"negative k", Problem{Weights: []float64{1, 1, 1}, Candidates: 2, Coverage: sets}, -1},
		{"negative weight", Problem{Weights: []float64{1, -1, 1}, Candidates: 2, Coverage: sets}, 1},
		{"NaN weight", Problem{Weights: []float64{1, math.NaN(), 1}, Candidates: 2, Coverage: sets}, 1},
		{"infinite weight", Problem{Weights: []float64{1, math.Inf(1), 1}, Candidates: 2, Coverage: sets}, 1},
		{"no coverage", Problem{Weights: []float64{1, 1, 1}, Candidates: 2}, 1},
		{"negative candidates", Problem{Candidates: -1}, 1},
		{"negative workers", Problem{Weights: []float64{1, 1, 1}, Candidates: 2, Coverage: sets, Workers: -1}, 1},
		{"element out of range", Problem{Weights: []float64{1, 1}, Candidates: 2, Coverage: sets}, 1},
		{"negative element", Problem{Weights: []float64{1, 1, 1}, Candidates: 1, Coverage: Sets{{-1}}}, 1},
	} {
		if _, err := Solve(context.Background(), &tc.p, tc.k); !errors.Is(err, ErrInput) {
			t.Errorf("%s: error %v, want ErrInput", tc.name, err)
		}
	}
}

// plainGreedy is the reference: every candidate evaluated at every step.
func plainGreedy(p *Problem, sets Sets, k int) []Pick {
	covered := make([]bool, len(p.Weights))
	var picks []Pick
	for len(picks) < k {
		best, bestGain := -1, 0.0
		for c, set := range sets {
			var g float64
			for _, e := range set {
				if !covered[e] {
					g += p.Weights[e]
				}
			}
			if g > bestGain {
				best, bestGain = c, g
			}
		}
		if best < 0 {
			break
		}
		pk := Pick{Candidate: best, Gain: bestGain}
		for _, e := range sets[best] {
			if !covered[e] {
				covered[e] = true
				pk.Elements = append(pk.Elements, e)
			}
		}
		picks = append(picks, pk)
	}
	return picks
}

// randomSets returns n coverage sets over m elements, sizes up to size,
// each element at most once per set.
func randomSets(r *rand.Rand, n, m, size int) Sets {
	sets := make(Sets, n)
	for c := range sets {
		for range r.IntN(size + 1) {
			if e := int32(r.IntN(m)); !slices.Contains(sets[c], e) {
				sets[c] = append(sets[c], e)
			}
		}
	}
	return sets
}

// TestSolveEqualsPlainAndBounds checks on random instances that the lazy
// greedy picks what the plain greedy picks with fewer evaluations, and
// that every bound is at least the optimum found by exhaustive search.
func TestSolveEqualsPlainAndBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for n := range 300 {
		m := 1 + r.IntN(30)
		sets := randomSets(r, 1+r.IntN(12), m, 6)
		weights := make([]float64, m)
		for e := range weights {
			weights[e] = float64(r.IntN(5)) // integers: sums in any order agree, ties abound
		}
		k := 1 + r.IntN(4)
		p := &Problem{Weights: weights, Candidates: len(sets), Coverage: sets, Workers: 1 + n%3}
		res, err := Solve(context.Background(), p, k)
		if err != nil {
			t.Fatal(err)
		}
		plain := plainGreedy(p, sets, k)
		if len(res.Picks) != len(plain) {
			t.Fatalf("instance %d: %d picks, plain %d", n, len(res.Picks), len(plain))
		}
		for i, pk := range plain {
			got := res.Picks[i]
			if got.Candidate != pk.Candidate || got.Gain != pk.Gain || !slices.Equal(got.Elements, pk.Elements) {
				t.Fatalf("instance %d pick %d: %+v, plain %+v", n, i, got, pk)
			}
		}
		opt := 0.0
		var walk func(from int, chosen []int)
		walk = func(from int, chosen []int) {
			seen := map[int32]bool{}
			v := 0.0
			for _, c := range chosen {
				for _, e := range sets[c] {
					if !seen[e] {
						seen[e] = true
						v += weights[e]
					}
				}
			}
			opt = max(opt, v)
			if len(chosen) == k {
				return
			}
			for c := from; c < len(sets); c++ {
				walk(c+1, append(chosen, c))
			}
		}
		walk(0, nil)
		bd := res.Bound()
		switch {
		case bd.Achieved > opt || bd.Achieved < (1-1/math.E)*opt:
			t.Fatalf("instance %d: achieved %v, optimum %v", n, bd.Achieved, opt)
		case bd.UpperBound < opt || bd.Online < opt || bd.GreedyFactor < opt || bd.Coverable < opt:
			t.Fatalf("instance %d: a bound is below the optimum %v: %+v", n, opt, bd)
		case res.Exhausted && bd.UpperBound != bd.Achieved:
			t.Fatalf("instance %d: exhausted with bound %+v", n, bd)
		}
	}
}

func TestBound(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    Result
		want Bound
	}{
		{"online tightest", Result{Value: 60, Online: 70, OnlineStep: 2, Coverable: 100},
			Bound{Achieved: 60, UpperBound: 70, AchievedShare: 60.0 / 70, Gap: 10, Online: 70, OnlineStep: 2, GreedyFactor: 60 / (1 - 1/math.E), Coverable: 100}},
		{"coverable tightest", Result{Value: 60, Online: 90, Coverable: 65},
			Bound{Achieved: 60, UpperBound: 65, AchievedShare: 60.0 / 65, Gap: 5, Online: 90, GreedyFactor: 60 / (1 - 1/math.E), Coverable: 65}},
		{"exhausted", Result{Value: 40, Online: 40, Coverable: 40, Exhausted: true},
			Bound{Achieved: 40, UpperBound: 40, AchievedShare: 1, Online: 40, GreedyFactor: 40, Coverable: 40}},
		{"rounding below achieved", Result{Value: 40, Online: 40 - 1e-12, Coverable: 50},
			Bound{Achieved: 40, UpperBound: 40, AchievedShare: 1, Online: 40 - 1e-12, GreedyFactor: 40 / (1 - 1/math.E), Coverable: 50}},
		{"nothing", Result{Online: math.Inf(1), Exhausted: true}, Bound{AchievedShare: 1, Online: math.Inf(1)}},
	} {
		if got := tc.r.Bound(); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestSolveCancelled(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	sets := randomSets(r, 5000, 20000, 50)
	p := &Problem{Weights: make([]float64, 20000), Candidates: len(sets), Coverage: sets, Workers: 2}
	for e := range p.Weights {
		p.Weights[e] = 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Solve(ctx, p, 100); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}
