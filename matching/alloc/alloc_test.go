package alloc

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// line is a hand-made instance: 6 cells on a line, 3 points in 2 groups.
// Point 0 (group 0) reaches cells 0–2, point 1 (group 0) cells 2–3, point
// 2 (group 1) cells 4–5.
func line() *Problem {
	return &Problem{
		Reference:  0.1,
		Groups:     []Group{{Name: "A", Demand: 40, Access: 0.05, Cap: NoCap}, {Name: "B", Demand: 20, Access: 0, Cap: NoCap}},
		CellDemand: []float64{10, 10, 10, 10, 10, 10},
		CellAccess: []float64{0.1, 0.05, 0.05, 0, 0, 0},
		PointGroup: []int32{0, 0, 1},
		CatchStart: []int32{0, 3, 5, 7},
		CatchCells: []int32{0, 1, 2, 2, 3, 4, 5},
	}
}

// TestHand checks a greedy worked by hand. f before = (10 + 5 + 5)/… in
// people: cells at 0.1, 0.05, 0.05 serve 10 + 5 + 5 = 20. One post at
// point 2 (catchment 20) lifts cells 4–5 by 0.05: +10 people; at point 1
// (catchment 20) lifts cells 2–3 by 0.05: cell 2 to 0.1 (+5), cell 3 to
// 0.05 (+5): +10; at point 0 (catchment 30) by 1/30: +10/3 · 2 ≈ 6.67.
// Ties go to the larger catchment, then the lower point: point 1 first,
// then point 2 (+10), then point 2 again (+10), then point 1 (cell 3 to
// 0.1: +5; cell 2 capped) against point 0 (cell 1 by 1/30: +3.33).
func TestHand(t *testing.T) {
	p := line()
	p.Posts, p.Objective = 4, Coverage
	r, err := Solve(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{0, 2, 2}; !equalInts(r.PointPosts, want) {
		t.Errorf("points %v, want %v", r.PointPosts, want)
	}
	if math.Abs(r.ValueBefore-20) > 1e-9 || math.Abs(r.Value-55) > 1e-9 {
		t.Errorf("value %v → %v, want 20 → 55", r.ValueBefore, r.Value)
	}
	if !equalInts(r.GroupPosts, []int{2, 2}) {
		t.Errorf("groups %v", r.GroupPosts)
	}

	// Equity: group B (level 0) takes posts until it passes A's 0.05 (one
	// post: 0 + 1/20 = 0.05 ties, to the lower group A), then alternately.
	p.Objective = Equity
	r, err = Solve(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	// Levels: A 0.05 + x/40, B x/20. 4 posts: B, then tie A (0.05) vs B
	// (0.05) to A, then B (0.05 vs A 0.075), then B 0.1 vs A 0.075 → A.
	if !equalInts(r.GroupPosts, []int{2, 2}) || math.Abs(r.MinAccess-0.1) > 1e-12 {
		t.Errorf("equity groups %v, min level %v, want [2 2] and 0.1", r.GroupPosts, r.MinAccess)
	}
}

// TestTotalsFloorsCaps checks on random instances that the posts add up to
// the total, per group and per point, and respect every floor and cap.
func TestTotalsFloorsCaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for k := range 200 {
		p := random(rng, 4, 7, 12)
		p.Posts = rng.IntN(30)
		setBounds(rng, p)
		for _, obj := range []Objective{Coverage, Equity} {
			p.Objective = obj
			r, err := Solve(context.Background(), p)
			if errors.Is(err, ErrInfeasible) {
				continue
			}
			if err != nil {
				t.Fatalf("instance %d %s: %v", k, obj, err)
			}
			sum, byGroup := 0, make([]int, len(p.Groups))
			for pt, n := range r.PointPosts {
				sum += n
				byGroup[p.PointGroup[pt]] += n
			}
			if sum != p.Posts || !equalInts(byGroup, r.GroupPosts) {
				t.Fatalf("instance %d %s: %d posts placed (groups %v, from points %v), want %d", k, obj, sum, r.GroupPosts, byGroup, p.Posts)
			}
			for g, gr := range p.Groups {
				if byGroup[g] < gr.Floor || (gr.Cap != NoCap && byGroup[g] > gr.Cap) {
					t.Fatalf("instance %d %s: group %d has %d posts, floor %d cap %d", k, obj, g, byGroup[g], gr.Floor, gr.Cap)
				}
			}
			if r.Value < r.ValueBefore-1e-9 || r.UpperBound < r.Value {
				t.Fatalf("instance %d %s: value %v → %v, bound %v", k, obj, r.ValueBefore, r.Value, r.UpperBound)
			}
		}
	}
}

// TestBruteForce enumerates every allocation of small instances. Equity's
// group split reaches the best lowest level exactly; Coverage's value lies
// within its proven bound of the optimum (UpperBound ≥ optimum), and at
// least (1 − 1/e) of it without caps.
func TestBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	optimal, n := 0, 0
	for k := range 150 {
		p := random(rng, 3, 5, 8)
		p.Posts = 1 + rng.IntN(6)
		capped := k%2 == 1
		if capped {
			setBounds(rng, p)
		}
		best, bestMin := math.Inf(-1), math.Inf(-1)
		x := make([]int, len(p.PointGroup))
		var walk func(pt, left int)
		walk = func(pt, left int) {
			if pt == len(x)-1 {
				x[pt] = left
				groups := make([]int, len(p.Groups))
				for q, v := range x {
					groups[p.PointGroup[q]] += v
				}
				for g, gr := range p.Groups {
					if groups[g] < gr.Floor || (gr.Cap != NoCap && groups[g] > gr.Cap) {
						return
					}
				}
				best = math.Max(best, valueOf(p, x))
				if m := p.minAccess(groups); usefulGroups(p, groups) {
					bestMin = math.Max(bestMin, m)
				}
				return
			}
			for v := 0; v <= left; v++ {
				x[pt] = v
				walk(pt+1, left-v)
			}
		}
		walk(0, p.Posts)

		p.Objective = Coverage
		r, err := Solve(context.Background(), p)
		if errors.Is(err, ErrInfeasible) {
			continue
		}
		if err != nil {
			t.Fatalf("instance %d: %v", k, err)
		}
		n++
		if got := valueOf(p, r.PointPosts); math.Abs(got-r.Value) > 1e-9 {
			t.Fatalf("instance %d: reported value %v, recomputed %v", k, r.Value, got)
		}
		if r.UpperBound < best-1e-9 || r.Value > best+1e-9 {
			t.Fatalf("instance %d: greedy %v, optimum %v, bound %v", k, r.Value, best, r.UpperBound)
		}
		if !capped && r.Value-r.ValueBefore < (1-1/math.E)*(best-r.ValueBefore)-1e-9 {
			t.Fatalf("instance %d: greedy gain %v below (1 − 1/e) of the optimum gain %v", k, r.Value-r.ValueBefore, best-r.ValueBefore)
		}
		if r.Value >= best-1e-9 {
			optimal++
		}

		p.Objective = Equity
		r, err = Solve(context.Background(), p)
		if err != nil {
			t.Fatalf("instance %d equity: %v", k, err)
		}
		if !math.IsInf(bestMin, -1) && math.Abs(r.MinAccess-bestMin) > 1e-12 {
			t.Fatalf("instance %d: equity lowest level %v, optimum %v (split %v)", k, r.MinAccess, bestMin, r.GroupPosts)
		}
	}
	if n < 50 {
		t.Fatalf("only %d feasible instances", n)
	}
	t.Logf("coverage greedy optimal on %d of %d instances, within its bound on all", optimal, n)
}

// TestInfeasible checks the errors of bounds no allocation meets.
func TestInfeasible(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Problem)
	}{
		{"floors over total", func(p *Problem) { p.Groups[0].Floor, p.Groups[1].Floor = 3, 3 }},
		{"caps under total", func(p *Problem) { p.Groups[0].Cap, p.Groups[1].Cap = 1, 2 }},
		{"floor over cap", func(p *Problem) { p.Groups[0].Floor, p.Groups[0].Cap = 2, 1 }},
		{"floor without point", func(p *Problem) { p.Groups = append(p.Groups, Group{Name: "C", Floor: 1, Cap: NoCap}) }},
	} {
		p := line()
		p.Posts, p.Objective = 4, Equity
		tc.edit(p)
		if _, err := Solve(context.Background(), p); !errors.Is(err, ErrInfeasible) {
			t.Errorf("%s: %v, want ErrInfeasible", tc.name, err)
		}
	}
	p := line()
	p.Posts, p.Objective = 4, "fair"
	if _, err := Solve(context.Background(), p); !errors.Is(err, ErrInput) {
		t.Errorf("objective fair: %v", err)
	}
	p.Objective, p.CatchCells[3] = Coverage, 9
	if _, err := Solve(context.Background(), p); !errors.Is(err, ErrInput) {
		t.Errorf("cell out of range: %v", err)
	}
}

// TestCancel checks that a done context stops the point step.
func TestCancel(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	p := random(rng, 3, 5, 8)
	p.Posts, p.Objective = 5000, Coverage
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Solve(ctx, p); !errors.Is(err, context.Canceled) {
		t.Fatalf("%v, want context.Canceled", err)
	}
}

// random builds an instance of nGroups groups, nPoints points and nCells
// cells with random demands, accessibilities and catchments.
func random(rng *rand.Rand, nGroups, nPoints, nCells int) *Problem {
	p := &Problem{Reference: 0.2 + rng.Float64()}
	cellGroup := make([]int, nCells)
	for i := range nCells {
		d := float64(rng.IntN(10))
		p.CellDemand = append(p.CellDemand, d)
		p.CellAccess = append(p.CellAccess, rng.Float64()*p.Reference)
		cellGroup[i] = rng.IntN(nGroups)
	}
	p.Groups = make([]Group, nGroups)
	for i, g := range cellGroup {
		p.Groups[g].Demand += p.CellDemand[i]
		p.Groups[g].Access += p.CellDemand[i] * p.CellAccess[i]
	}
	for g := range p.Groups {
		if p.Groups[g].Demand > 0 {
			p.Groups[g].Access /= p.Groups[g].Demand
		}
		p.Groups[g].Cap = NoCap
	}
	p.CatchStart = []int32{0}
	for range nPoints {
		p.PointGroup = append(p.PointGroup, int32(rng.IntN(nGroups)))
		for c := range nCells {
			if rng.IntN(3) == 0 {
				p.CatchCells = append(p.CatchCells, int32(c))
			}
		}
		p.CatchStart = append(p.CatchStart, int32(len(p.CatchCells)))
	}
	return p
}

// setBounds gives random floors and caps to some groups.
func setBounds(rng *rand.Rand, p *Problem) {
	for g := range p.Groups {
		if rng.IntN(2) == 0 {
			p.Groups[g].Floor = rng.IntN(3)
		}
		if rng.IntN(2) == 0 {
			p.Groups[g].Cap = p.Groups[g].Floor + rng.IntN(4)
		}
	}
}

// valueOf is f at allocation x, from scratch.
func valueOf(p *Problem, x []int) float64 {
	a := append([]float64(nil), p.CellAccess...)
	for pt, n := range x {
		cells := p.CatchCells[p.CatchStart[pt]:p.CatchStart[pt+1]]
		var c float64
		for _, i := range cells {
			c += p.CellDemand[i]
		}
		if c == 0 {
			continue
		}
		for _, i := range cells {
			a[i] += float64(n) / c
		}
	}
	var v float64
	for i, d := range p.CellDemand {
		v += d * math.Min(a[i], p.Reference)
	}
	return v / p.Reference
}

// usefulGroups reports whether groups puts posts only where some point of
// the group reaches demand (the solver's only choices).
func usefulGroups(p *Problem, groups []int) bool {
	usable := make([]bool, len(p.Groups))
	for pt, g := range p.PointGroup {
		for _, c := range p.CatchCells[p.CatchStart[pt]:p.CatchStart[pt+1]] {
			if p.CellDemand[c] > 0 {
				usable[g] = true
			}
		}
	}
	for g, n := range groups {
		if n > 0 && !usable[g] {
			return false
		}
	}
	return true
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
