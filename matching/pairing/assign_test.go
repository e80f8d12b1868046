package pairing

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
)

// objective is the lexicographic objective of the optimal assignment: most
// posts, then most weight (hundredths), then least total rounded distance.
type objective struct {
	posts   int
	weightQ int64
	costM   int64
}

func (a objective) better(b objective) bool {
	if a.posts != b.posts {
		return a.posts > b.posts
	}
	if a.weightQ != b.weightQ {
		return a.weightQ > b.weightQ
	}
	return a.costM < b.costM
}

// bruteForce returns the best objective over every assignment, by
// exhaustive search: each candidate takes nothing or one post in reach.
func bruteForce(cands []Candidate, structs []Structure, caps map[string]int) objective {
	weightQ := func(s Structure) int64 {
		if s.Weight == 0 {
			return 100
		}
		return int64(math.Round(s.Weight * 100))
	}
	type option struct {
		s    int
		cost int64
	}
	opts := make([][]option, len(cands))
	for i, c := range cands {
		km := c.MaxKm
		if km == 0 {
			km = DefaultCandidateMaxKm
		}
		for j, s := range structs {
			if d := geo.DistanceM(c.Point, s.Point); d <= km*1000 {
				opts[i] = append(opts[i], option{j, int64(math.Round(d))})
			}
		}
	}
	open := make([]int, len(structs))
	for j, s := range structs {
		open[j] = s.Posts
	}
	deptLeft := map[string]int{}
	for d, c := range caps {
		deptLeft[d] = c
	}
	best := objective{}
	var rec func(i int, cur objective)
	rec = func(i int, cur objective) {
		if i == len(cands) {
			if cur.better(best) {
				best = cur
			}
			return
		}
		rec(i+1, cur)
		for _, o := range opts[i] {
			s := structs[o.s]
			left, capped := deptLeft[s.Departement]
			if open[o.s] == 0 || capped && left == 0 {
				continue
			}
			open[o.s]--
			if capped {
				deptLeft[s.Departement]--
			}
			rec(i+1, objective{cur.posts + 1, cur.weightQ + weightQ(s), cur.costM + o.cost})
			open[o.s]++
			if capped {
				deptLeft[s.Departement]++
			}
		}
	}
	rec(0, objective{})
	return best
}

// objectiveOf measures a result the way bruteForce does.
func objectiveOf(t *testing.T, res AssignResult, structs []Structure) objective {
	t.Helper()
	byID := map[string]Structure{}
	for _, s := range structs {
		byID[s.ID] = s
	}
	var o objective
	for _, a := range res.Assignments {
		s := byID[a.Structure]
		w := s.Weight
		if w == 0 {
			w = 1
		}
		o.posts++
		o.weightQ += int64(math.Round(w * 100))
		o.costM += int64(math.Round(a.DistanceM))
	}
	if o.posts != res.PostsFilled {
		t.Fatalf("posts_filled %d, %d assignments", res.PostsFilled, o.posts)
	}
	return o
}

func TestAssignOptimalMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 7))
	n := 2000
	if testing.Short() {
		n = 300
	}
	for k := range n {
		cands, structs, caps := genSmall(r)
		want := bruteForce(cands, structs, caps)
		res, err := Assign(context.Background(), cands, structs, AssignOptions{DepartementCaps: caps, Workers: 1 + k%3})
		if err != nil {
			t.Fatalf("instance %d: %v", k, err)
		}
		if got := objectiveOf(t, res, structs); got != want {
			t.Fatalf("instance %d: optimal %+v, brute force %+v\ncands %+v\nstructs %+v\ncaps %v", k, got, want, cands, structs, caps)
		}
		checkFeasible(t, cands, structs, caps, res)
	}
}

// checkFeasible verifies capacities, reach, caps, and the reasons and
// balance of res against the inputs.
func checkFeasible(t *testing.T, cands []Candidate, structs []Structure, caps map[string]int, res AssignResult) {
	t.Helper()
	ci := map[string]int{}
	for i, c := range cands {
		ci[c.ID] = i
	}
	si := map[string]int{}
	for i, s := range structs {
		si[s.ID] = i
	}
	inReachC := make([]bool, len(cands))
	inReachS := make([]bool, len(structs))
	for i, c := range cands {
		km := c.MaxKm
		if km == 0 {
			km = DefaultCandidateMaxKm
		}
		for j, s := range structs {
			if geo.DistanceM(c.Point, s.Point) <= km*1000 {
				inReachC[i], inReachS[j] = true, true
			}
		}
	}
	filled := make([]int, len(structs))
	deptFilled := map[string]int{}
	seen := map[string]bool{}
	total := 0.0
	for _, a := range res.Assignments {
		c, s := cands[ci[a.Candidate]], structs[si[a.Structure]]
		if seen[a.Candidate] {
			t.Fatalf("candidate %s assigned twice", a.Candidate)
		}
		seen[a.Candidate] = true
		km := c.MaxKm
		if km == 0 {
			km = DefaultCandidateMaxKm
		}
		d := geo.DistanceM(c.Point, s.Point)
		if d > km*1000 || d != a.DistanceM {
			t.Fatalf("%s → %s: %v m (reported %v), max %v km", c.ID, s.ID, d, a.DistanceM, km)
		}
		filled[si[a.Structure]]++
		deptFilled[s.Departement]++
		total += d
	}
	if math.Abs(total-res.TotalDistanceM) > 1e-6*math.Max(1, total) {
		t.Fatalf("total distance %v, sum %v", res.TotalDistanceM, total)
	}
	for j, s := range structs {
		if filled[j] > s.Posts {
			t.Fatalf("structure %s: %d assigned, %d posts", s.ID, filled[j], s.Posts)
		}
	}
	for d, c := range caps {
		if deptFilled[d] > c {
			t.Fatalf("département %s: %d filled, cap %d", d, deptFilled[d], c)
		}
	}
	if len(res.Assignments)+len(res.Unmatched) != len(cands) {
		t.Fatalf("%d assignments + %d unmatched != %d candidates", len(res.Assignments), len(res.Unmatched), len(cands))
	}
	for _, u := range res.Unmatched {
		i := ci[u.Candidate]
		if seen[u.Candidate] {
			t.Fatalf("candidate %s both assigned and unmatched", u.Candidate)
		}
		want := ReasonOutcompeted
		if !inReachC[i] {
			want = ReasonNoStructureInReach
		}
		if u.Reason != want {
			t.Fatalf("unmatched %s: reason %s, want %s", u.Candidate, u.Reason, want)
		}
	}
	unfilled := 0
	for _, u := range res.Unfilled {
		j := si[u.Structure]
		s := structs[j]
		if u.Posts != s.Posts-filled[j] || u.Posts <= 0 {
			t.Fatalf("unfilled %s: %d posts, want %d", u.Structure, u.Posts, s.Posts-filled[j])
		}
		want := ReasonOutcompeted
		if c, ok := caps[s.Departement]; !inReachS[j] {
			want = ReasonNoCandidateInReach
		} else if ok && deptFilled[s.Departement] >= c {
			want = ReasonDepartementCap
		}
		if u.Reason != want {
			t.Fatalf("unfilled %s: reason %s, want %s", u.Structure, u.Reason, want)
		}
		unfilled += u.Posts
	}
	posts := 0
	for _, s := range structs {
		posts += s.Posts
	}
	if unfilled+res.PostsFilled != posts {
		t.Fatalf("%d unfilled + %d filled != %d posts", unfilled, res.PostsFilled, posts)
	}
	var sum DepartementBalance
	for _, b := range res.Balance {
		sum.PostsRequested += b.PostsRequested
		sum.PostsFilled += b.PostsFilled
		sum.CandidatesLeft += b.CandidatesLeft
		if b.PostsFilled != deptFilled[b.Departement] {
			t.Fatalf("balance %s: posts_filled %d, want %d", b.Departement, b.PostsFilled, deptFilled[b.Departement])
		}
	}
	if sum.PostsRequested != posts || sum.PostsFilled != res.PostsFilled || sum.CandidatesLeft != len(res.Unmatched) {
		t.Fatalf("balance sums %+v, want posts %d filled %d left %d", sum, posts, res.PostsFilled, len(res.Unmatched))
	}
}

func TestAssignProperties(t *testing.T) {
	for _, spec := range []SyntheticSpec{
		{Seed: 1, Candidates: 3000, Structures: 400, MaxPosts: 3, Clustered: 0.5},
		{Seed: 2, Candidates: 800, Structures: 600, MaxPosts: 3, Clustered: 0.7, MaxKm: 20}, // candidates scarce
		{Seed: 3, Candidates: 2000, Structures: 300, MaxPosts: 2, Clustered: 0.3, MaxKm: 50, Weights: true},
	} {
		cands, structs := Synthetic(spec)
		// Cap every other département at a third of its posts.
		caps := map[string]int{}
		for i, s := range structs {
			if i%2 == 0 {
				caps[s.Departement] += s.Posts
			}
		}
		for d := range caps {
			caps[d] /= 3
		}
		for _, c := range []map[string]int{nil, caps} {
			opt, err := Assign(context.Background(), cands, structs, AssignOptions{DepartementCaps: c})
			if err != nil {
				t.Fatal(err)
			}
			gr, err := Assign(context.Background(), cands, structs, AssignOptions{Algorithm: AlgorithmGreedy, DepartementCaps: c})
			if err != nil {
				t.Fatal(err)
			}
			checkFeasible(t, cands, structs, c, opt)
			checkFeasible(t, cands, structs, c, gr)
			if opt.Edges != gr.Edges || opt.Algorithm != AlgorithmOptimal || gr.Algorithm != AlgorithmGreedy {
				t.Fatalf("edges %d/%d, algorithms %s/%s", opt.Edges, gr.Edges, opt.Algorithm, gr.Algorithm)
			}
			o, g := objectiveOf(t, opt, structs), objectiveOf(t, gr, structs)
			if o.posts < g.posts || !spec.Weights && o.posts == g.posts && o.costM > g.costM {
				t.Fatalf("seed %d caps %v: optimal %+v worse than greedy %+v", spec.Seed, c != nil, o, g)
			}
			t.Logf("seed %d caps %v: optimal %+v, greedy %+v", spec.Seed, c != nil, o, g)
		}
	}
}

func TestAssignDeterministic(t *testing.T) {
	cands, structs := Synthetic(SyntheticSpec{Seed: 9, Candidates: 4000, Structures: 500, MaxPosts: 3, Clustered: 0.6})
	caps := map[string]int{structs[0].Departement: 3, structs[1].Departement: 1}
	for _, alg := range []string{AlgorithmOptimal, AlgorithmGreedy} {
		a, err := Assign(context.Background(), cands, structs, AssignOptions{Algorithm: alg, DepartementCaps: caps, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		b, err := Assign(context.Background(), cands, structs, AssignOptions{Algorithm: alg, DepartementCaps: caps, Workers: 4})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%s: two runs differ", alg)
		}
	}
}

func TestAssignValidation(t *testing.T) {
	okC := []Candidate{{ID: "a", Point: orb.Point{2, 48}}, {ID: "b", Point: orb.Point{2.1, 48}}}
	okS := []Structure{{ID: "x", Point: orb.Point{2, 48.1}, Posts: 1}}
	tests := []struct {
		name    string
		cands   []Candidate
		structs []Structure
		opt     AssignOptions
		want    string // substring of the error, "" for none
	}{
		{"ok", okC, okS, AssignOptions{}, ""},
		{"duplicate candidate", []Candidate{okC[0], okC[1], okC[0]}, okS, AssignOptions{}, `candidate 2 (id "a"): duplicate id (first at candidate 0)`},
		{"empty candidate id", []Candidate{{Point: orb.Point{2, 48}}}, okS, AssignOptions{}, "candidate 0: empty id"},
		{"negative max_km", []Candidate{okC[0], {ID: "n", Point: orb.Point{2, 48}, MaxKm: -1}}, okS, AssignOptions{}, `candidate 1 (id "n"): max_km -1`},
		{"nan max_km", []Candidate{{ID: "n", Point: orb.Point{2, 48}, MaxKm: math.NaN()}}, okS, AssignOptions{}, `candidate 0 (id "n"): max_km NaN`},
		{"bad lat", []Candidate{{ID: "p", Point: orb.Point{2, 91}}}, okS, AssignOptions{}, `candidate 0 (id "p"): bad coordinates`},
		{"nan lon", okC, []Structure{{ID: "q", Point: orb.Point{math.NaN(), 48}, Posts: 1}}, AssignOptions{}, `structure 0 (id "q"): bad coordinates`},
		{"duplicate structure", okC, []Structure{okS[0], okS[0]}, AssignOptions{}, `structure 1 (id "x"): duplicate id`},
		{"zero posts", okC, []Structure{okS[0], {ID: "z", Point: orb.Point{2, 48}}}, AssignOptions{}, `structure 1 (id "z"): posts 0`},
		{"low weight", okC, []Structure{{ID: "w", Point: orb.Point{2, 48}, Posts: 1, Weight: 0.5}}, AssignOptions{}, `structure 0 (id "w"): weight 0.5`},
		{"high weight", okC, []Structure{okS[0], {ID: "h", Point: orb.Point{2, 48}, Posts: 1, Weight: 101}}, AssignOptions{}, `structure 1 (id "h"): weight 101 (want 1 to 100)`},
		{"negative cap", okC, okS, AssignOptions{DepartementCaps: map[string]int{"75": -2}}, `departement_caps["75"] = -2`},
		{"algorithm", okC, okS, AssignOptions{Algorithm: "magic"}, `algorithm "magic"`},
		{"workers", okC, okS, AssignOptions{Workers: -1}, "workers -1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Assign(context.Background(), tc.cands, tc.structs, tc.opt)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrBadAssignInput)):
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestAssignHandmade checks a case solved by hand. Along a meridian 0.01°
// of latitude is 1,112 m; every candidate accepts 10 km (0.09°).
//
//	only-a 0.00   a 0.06   near-both 0.10   b 0.15
//
// Greedy pairs near-both with a (0.04°, the nearest pair) and fills one
// post; the optimum sends near-both to b and only-a to a.
func TestAssignHandmade(t *testing.T) {
	at := func(lat float64) orb.Point { return orb.Point{2, 48 + lat} }
	cands := []Candidate{
		{ID: "near-both", Point: at(0.10), MaxKm: 10, Departement: "01"},
		{ID: "only-a", Point: at(0.00), MaxKm: 10, Departement: "01"},
		{ID: "far", Point: at(1.00), MaxKm: 10, Departement: "02"},
	}
	structs := []Structure{
		{ID: "a", Point: at(0.06), Posts: 1, Departement: "01"},
		{ID: "b", Point: at(0.15), Posts: 1, Departement: "01"},
		{ID: "lonely", Point: at(-1), Posts: 2, Departement: "03"},
	}
	opt, err := Assign(context.Background(), cands, structs, AssignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	gr, err := Assign(context.Background(), cands, structs, AssignOptions{Algorithm: AlgorithmGreedy})
	if err != nil {
		t.Fatal(err)
	}
	wantGreedy := []Assignment{{Candidate: "near-both", Structure: "a", DistanceM: geo.DistanceM(at(0.10), at(0.06))}}
	if !reflect.DeepEqual(gr.Assignments, wantGreedy) || gr.Edges != 3 {
		t.Fatalf("greedy %+v (%d edges), want %+v", gr.Assignments, gr.Edges, wantGreedy)
	}
	want := []Assignment{
		{Candidate: "near-both", Structure: "b", DistanceM: geo.DistanceM(at(0.10), at(0.15))},
		{Candidate: "only-a", Structure: "a", DistanceM: geo.DistanceM(at(0), at(0.06))},
	}
	if !reflect.DeepEqual(opt.Assignments, want) || opt.PostsFilled != 2 {
		t.Fatalf("optimal %+v, want %+v", opt.Assignments, want)
	}
	wantUnmatched := []Unmatched{{Candidate: "far", Reason: ReasonNoStructureInReach}}
	wantUnfilled := []UnfilledPosts{{Structure: "lonely", Posts: 2, Reason: ReasonNoCandidateInReach}}
	if !reflect.DeepEqual(opt.Unmatched, wantUnmatched) || !reflect.DeepEqual(opt.Unfilled, wantUnfilled) {
		t.Fatalf("unmatched %+v, unfilled %+v", opt.Unmatched, opt.Unfilled)
	}
	wantBal := []DepartementBalance{
		{Departement: "01", PostsRequested: 2, CandidatesInReach: 2, PostsFilled: 2, CandidatesLeft: 0},
		{Departement: "02", PostsRequested: 0, CandidatesInReach: 0, PostsFilled: 0, CandidatesLeft: 1},
		{Departement: "03", PostsRequested: 2, CandidatesInReach: 0, PostsFilled: 0, CandidatesLeft: 0},
	}
	if !reflect.DeepEqual(opt.Balance, wantBal) {
		t.Fatalf("balance %+v, want %+v", opt.Balance, wantBal)
	}
	// A cap of 1 on département 01 keeps the nearest pair and leaves b to
	// the cap; only-a is then outcompeted.
	capped, err := Assign(context.Background(), cands, structs, AssignOptions{DepartementCaps: map[string]int{"01": 1}})
	if err != nil {
		t.Fatal(err)
	}
	wantUnfilled = []UnfilledPosts{
		{Structure: "b", Posts: 1, Reason: ReasonDepartementCap},
		{Structure: "lonely", Posts: 2, Reason: ReasonNoCandidateInReach},
	}
	wantUnmatched = []Unmatched{{Candidate: "only-a", Reason: ReasonOutcompeted}, {Candidate: "far", Reason: ReasonNoStructureInReach}}
	if !reflect.DeepEqual(capped.Assignments, wantGreedy) || !reflect.DeepEqual(capped.Unfilled, wantUnfilled) || !reflect.DeepEqual(capped.Unmatched, wantUnmatched) {
		t.Fatalf("capped %+v", capped)
	}
}

// TestAssignWeights checks that a higher weight wins a post even against a
// much shorter distance, and that equal weights fall back to distance.
func TestAssignWeights(t *testing.T) {
	at := func(lat float64) orb.Point { return orb.Point{2, 48 + lat} }
	cands := []Candidate{{ID: "c", Point: at(0), MaxKm: 50}}
	structs := []Structure{
		{ID: "near", Point: at(0.01), Posts: 1},
		{ID: "far", Point: at(0.3), Posts: 1},
	}
	for _, tc := range []struct {
		wNear, wFar float64
		want        string
	}{{1, 1, "near"}, {0, 1.01, "far"}, {2, 1.5, "near"}, {1, 3, "far"}} {
		structs[0].Weight, structs[1].Weight = tc.wNear, tc.wFar
		res, err := Assign(context.Background(), cands, structs, AssignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Assignments) != 1 || res.Assignments[0].Structure != tc.want {
			t.Fatalf("weights %v/%v: %+v, want %s", tc.wNear, tc.wFar, res.Assignments, tc.want)
		}
	}
}
