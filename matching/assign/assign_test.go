package assign

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

// edges builds sorted Edges from (candidate, structure, cost) triples.
func edges(triples ...[3]int) Edges {
	slices.SortFunc(triples, func(a, b [3]int) int {
		if a[2] != b[2] {
			return a[2] - b[2]
		}
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	var e Edges
	for _, t := range triples {
		e.Cost = append(e.Cost, uint32(t[2]))
		e.Pair = append(e.Pair, Pair(int32(t[0]), int32(t[1])))
	}
	return e
}

func TestSolversHandmade(t *testing.T) {
	for _, tc := range []struct {
		name            string
		p               Problem
		optimal, greedy []int32
	}{
		{"empty", Problem{}, []int32{}, []int32{}},
		{"no edges", Problem{Candidates: 2, Posts: []int{1}}, []int32{-1, -1}, []int32{-1, -1}},
		{"nearest", Problem{Candidates: 1, Posts: []int{1, 1}, Edges: edges([3]int{0, 0, 900}, [3]int{0, 1, 400})},
			[]int32{1}, []int32{1}},
		// c0 is nearest to s0, but only s0 is within reach of c1: the
		// optimum fills both posts, the greedy one.
		{"most posts first", Problem{Candidates: 2, Posts: []int{1, 1},
			Edges: edges([3]int{0, 0, 100}, [3]int{0, 1, 5000}, [3]int{1, 0, 300})},
			[]int32{1, 0}, []int32{0, -1}},
		{"two posts", Problem{Candidates: 3, Posts: []int{2, 1},
			Edges: edges([3]int{0, 0, 10}, [3]int{1, 0, 20}, [3]int{2, 0, 30}, [3]int{2, 1, 40})},
			[]int32{0, 0, 1}, []int32{0, 0, 1}},
		// A higher priority wins over a shorter distance; the greedy
		// ignores priorities.
		{"priority", Problem{Candidates: 1, Posts: []int{1, 1}, Priority: []int64{100, 200},
			Edges: edges([3]int{0, 0, 10}, [3]int{0, 1, 20000})},
			[]int32{1}, []int32{0}},
		// Group 0 takes one post of its two structures, at the cheaper
		// global cost; group 1 is not capped.
		{"group cap", Problem{Candidates: 3, Posts: []int{1, 1, 1}, Group: []int32{0, 0, 1}, GroupCap: []int{1, -1},
			Edges: edges([3]int{0, 0, 50}, [3]int{1, 1, 10}, [3]int{2, 2, 70}, [3]int{0, 2, 100})},
			[]int32{-1, 1, 2}, []int32{-1, 1, 2}},
		{"cap zero", Problem{Candidates: 1, Posts: []int{3}, Group: []int32{0}, GroupCap: []int{0},
			Edges: edges([3]int{0, 0, 1})},
			[]int32{-1}, []int32{-1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, run := range []struct {
				name  string
				solve func(context.Context, *Problem, Options) (Solution, error)
				want  []int32
			}{{"optimal", Optimal, tc.optimal}, {"greedy", Greedy, tc.greedy}} {
				sol, err := run.solve(context.Background(), &tc.p, Options{})
				if err != nil || !slices.Equal(sol.Match, run.want) {
					t.Errorf("%s: %v, %v; want %v", run.name, sol.Match, err, run.want)
				}
			}
		})
	}
}

func TestSolversValidation(t *testing.T) {
	ok := Problem{Candidates: 2, Posts: []int{1, 2}, Edges: edges([3]int{0, 0, 1}, [3]int{1, 1, 2})}
	for _, tc := range []struct {
		name string
		edit func(p *Problem, o *Options)
	}{
		{"negative candidates", func(p *Problem, _ *Options) { p.Candidates = -1 }},
		{"zero posts", func(p *Problem, _ *Options) { p.Posts[1] = 0 }},
		{"priority length", func(p *Problem, _ *Options) { p.Priority = []int64{100} }},
		{"priority zero", func(p *Problem, _ *Options) { p.Priority = []int64{100, 0} }},
		{"group out of range", func(p *Problem, _ *Options) { p.Group, p.GroupCap = []int32{0, 1}, []int{-1} }},
		{"cap below -1", func(p *Problem, _ *Options) { p.Group, p.GroupCap = []int32{0, 0}, []int{-2} }},
		{"layout not a permutation", func(p *Problem, _ *Options) { p.Layout = []int32{1, 1} }},
		{"layout length", func(p *Problem, _ *Options) { p.Layout = []int32{0} }},
		{"cost and pair lengths", func(p *Problem, _ *Options) { p.Edges.Cost = p.Edges.Cost[:1] }},
		{"candidate out of range", func(p *Problem, _ *Options) { p.Edges.Pair[1] = Pair(2, 1) }},
		{"structure out of range", func(p *Problem, _ *Options) { p.Edges.Pair[1] = Pair(1, 2) }},
		{"unsorted", func(p *Problem, _ *Options) { p.Edges.Cost[0] = 3 }},
		{"repeated edge", func(p *Problem, _ *Options) { p.Edges.Pair[1], p.Edges.Cost[1] = p.Edges.Pair[0], p.Edges.Cost[0] }},
		{"negative workers", func(_ *Problem, o *Options) { o.Workers = -1 }},
		{"unknown method", func(_ *Problem, o *Options) { o.Method = "simplex" }},
	} {
		for _, solve := range []func(context.Context, *Problem, Options) (Solution, error){Optimal, Greedy} {
			p := ok
			p.Posts = slices.Clone(ok.Posts)
			p.Edges = Edges{Cost: slices.Clone(ok.Edges.Cost), Pair: slices.Clone(ok.Edges.Pair)}
			var o Options
			tc.edit(&p, &o)
			if _, err := solve(context.Background(), &p, o); !errors.Is(err, ErrInput) {
				t.Errorf("%s: error %v, want ErrInput", tc.name, err)
			}
		}
	}
	if _, err := Optimal(context.Background(), &ok, Options{}); err != nil {
		t.Fatalf("valid problem: %v", err)
	}
}

// objective is what Optimal optimises, in order: most posts, most
// priority, least cost.
type objective struct{ posts, priority, cost int64 }

func (a objective) better(b objective) bool {
	if a.posts != b.posts {
		return a.posts > b.posts
	}
	if a.priority != b.priority {
		return a.priority > b.priority
	}
	return a.cost < b.cost
}

// evaluate returns the objective of match, or false when it breaks a
// constraint (an edge missing, posts or a group cap exceeded).
func evaluate(p *Problem, match []int32) (objective, bool) {
	cost := map[uint64]int64{}
	for i, pr := range p.Edges.Pair {
		cost[pr] = int64(p.Edges.Cost[i])
	}
	used := make([]int, len(p.Posts))
	group := map[int32]int{}
	var o objective
	for c, s := range match {
		if s < 0 {
			continue
		}
		k, ok := cost[Pair(int32(c), s)]
		if !ok {
			return o, false
		}
		used[s]++
		o.posts++
		o.cost += k
		o.priority += 1
		if p.Priority != nil {
			o.priority += p.Priority[s] - 1
		}
		if p.Group != nil {
			group[p.Group[s]]++
			if g := p.Group[s]; used[s] > p.Posts[s] || p.GroupCap[g] >= 0 && group[g] > p.GroupCap[g] {
				return o, false
			}
		} else if used[s] > p.Posts[s] {
			return o, false
		}
	}
	return o, true
}

// TestOptimalExhaustive compares Optimal with every assignment of 2,000
// tiny random problems, and checks that its layout and worker count never
// change the result.
func TestOptimalExhaustive(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 7))
	for n := range 2000 {
		p := &Problem{Candidates: 1 + r.IntN(6), Posts: make([]int, 1+r.IntN(4)), Group: nil}
		var triples [][3]int
		for s := range p.Posts {
			p.Posts[s] = 1 + r.IntN(2)
		}
		for c := range p.Candidates {
			for s := range p.Posts {
				if r.IntN(2) == 0 {
					triples = append(triples, [3]int{c, s, r.IntN(20)}) // many cost ties
				}
			}
		}
		p.Edges = edges(triples...)
		if n%2 == 0 {
			p.Priority = make([]int64, len(p.Posts))
			for s := range p.Priority {
				p.Priority[s] = 1 + int64(r.IntN(3))
			}
		}
		if n%3 == 0 {
			p.Group, p.GroupCap = make([]int32, len(p.Posts)), []int{r.IntN(3), -1}
			for s := range p.Group {
				p.Group[s] = int32(r.IntN(2))
			}
		}
		best, found := objective{cost: 1 << 62}, false
		match := make([]int32, p.Candidates)
		var walk func(c int)
		walk = func(c int) {
			if c == p.Candidates {
				if o, ok := evaluate(p, match); ok && (!found || o.better(best)) {
					best, found = o, true
				}
				return
			}
			for s := int32(-1); int(s) < len(p.Posts); s++ {
				match[c] = s
				walk(c + 1)
			}
		}
		walk(0)
		sol, err := Optimal(context.Background(), p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := evaluate(p, sol.Match); !ok || got != best {
			t.Fatalf("problem %d %+v: optimal %v gives %+v (feasible %v), exhaustive %+v", n, p, sol.Match, got, ok, best)
		}
		p.Layout = make([]int32, p.Candidates)
		for i, v := range r.Perm(p.Candidates) {
			p.Layout[i] = int32(v)
		}
		again, err := Optimal(context.Background(), p, Options{Workers: 1 + n%3})
		if err != nil || !slices.Equal(again.Match, sol.Match) {
			t.Fatalf("problem %d: layout %v and %d workers give %v, %v; want %v", n, p.Layout, 1+n%3, again.Match, err, sol.Match)
		}
		if g, err := Greedy(context.Background(), p, Options{}); err != nil {
			t.Fatal(err)
		} else if o, ok := evaluate(p, g.Match); !ok || o.posts > best.posts {
			t.Fatalf("problem %d: greedy %v infeasible or beats the optimum", n, g.Match)
		}
	}
}

func TestSolversCancelled(t *testing.T) {
	p := genProblem(genSpec{Seed: 3, Candidates: 3000, Structures: 500, MaxPosts: 2, Clustered: 0.5}, -1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, solve := range map[string]func(context.Context, *Problem, Options) (Solution, error){"optimal": Optimal, "greedy": Greedy} {
		if _, err := solve(ctx, p, Options{}); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: error %v, want context.Canceled", name, err)
		}
	}
}

func TestSolversProgress(t *testing.T) {
	p := genProblem(genSpec{Seed: 8, Candidates: 3000, Structures: 600, MaxPosts: 3, Clustered: 0.5}, 2)
	total := 0
	for _, n := range p.Posts {
		total += n
	}
	for name, solve := range map[string]func(context.Context, *Problem, Options) (Solution, error){"optimal": Optimal, "greedy": Greedy} {
		var calls, last int
		progress := func(done, tot int) {
			if tot != total || done < last || done > tot {
				t.Fatalf("%s: progress(%d, %d) after %d, total %d", name, done, tot, last, total)
			}
			calls++
			last = done
		}
		if _, err := solve(context.Background(), p, Options{Progress: progress}); err != nil {
			t.Fatal(err)
		}
		if last != total || calls == 0 {
			t.Fatalf("%s: %d calls, last done %d of %d", name, calls, last, total)
		}
	}
}
