package pairing

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/siteindex"
)

func TestRadixSortEdges(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, maxCost := range []uint32{0, 1, 200, 30000, 1 << 22, 20_100_000} {
		for _, workers := range []int{1, 3} {
			var segCost [][]uint32
			var segPair [][]uint64
			var all []struct {
				c uint32
				p uint64
			}
			for range 1 + r.IntN(9) {
				n := r.IntN(2000)
				cs, ps := make([]uint32, n), make([]uint64, n)
				for i := range cs {
					cs[i] = uint32(r.Uint64N(uint64(maxCost) + 1))
					ps[i] = r.Uint64()
					all = append(all, struct {
						c uint32
						p uint64
					}{cs[i], ps[i]})
				}
				segCost, segPair = append(segCost, cs), append(segPair, ps)
			}
			cost, pair, err := radixSortEdges(context.Background(), segCost, segPair, workers)
			if err != nil {
				t.Fatal(err)
			}
			sort.SliceStable(all, func(i, j int) bool { return all[i].c < all[j].c })
			if len(cost) != len(all) || len(pair) != len(all) {
				t.Fatalf("max %d: %d edges, want %d", maxCost, len(cost), len(all))
			}
			for i := range all {
				if cost[i] != all[i].c || pair[i] != all[i].p {
					t.Fatalf("max %d workers %d: edge %d = (%d, %x), want (%d, %x)", maxCost, workers, i, cost[i], pair[i], all[i].c, all[i].p)
				}
			}
		}
	}
}

func TestAssignEmpty(t *testing.T) {
	s := []Structure{{ID: "s", Point: orb.Point{2, 48}, Posts: 2, Departement: "75"}}
	c := []Candidate{{ID: "c", Point: orb.Point{2, 48}, Departement: "75"}}
	for _, alg := range []string{AlgorithmOptimal, AlgorithmGreedy} {
		res, err := Assign(context.Background(), nil, s, AssignOptions{Algorithm: alg})
		if err != nil || res.PostsFilled != 0 || len(res.Unfilled) != 1 || res.Unfilled[0].Reason != ReasonNoCandidateInReach {
			t.Fatalf("%s without candidates: %+v, %v", alg, res, err)
		}
		res, err = Assign(context.Background(), c, nil, AssignOptions{Algorithm: alg})
		if err != nil || res.PostsFilled != 0 || len(res.Unmatched) != 1 || res.Unmatched[0].Reason != ReasonNoStructureInReach {
			t.Fatalf("%s without structures: %+v, %v", alg, res, err)
		}
		res, err = Assign(context.Background(), c, s, AssignOptions{Algorithm: alg, DepartementCaps: map[string]int{"75": 0}})
		if err != nil || res.PostsFilled != 0 || len(res.Unfilled) != 1 || res.Unfilled[0].Reason != ReasonDepartementCap || res.Unmatched[0].Reason != ReasonOutcompeted {
			t.Fatalf("%s with cap 0: %+v, %v", alg, res, err)
		}
	}
}

func TestAssignProgress(t *testing.T) {
	cands, structs := Synthetic(SyntheticSpec{Seed: 8, Candidates: 3000, Structures: 600, MaxPosts: 3, Clustered: 0.5})
	total := 0
	for _, s := range structs {
		total += s.Posts
	}
	for _, alg := range []string{AlgorithmOptimal, AlgorithmGreedy} {
		var calls, last int
		progress := func(done, tot int) {
			if tot != total || done < last || done > tot {
				t.Fatalf("%s: progress(%d, %d) after %d, total %d", alg, done, tot, last, total)
			}
			calls++
			last = done
		}
		if _, err := Assign(context.Background(), cands, structs, AssignOptions{Algorithm: alg, Progress: progress}); err != nil {
			t.Fatal(err)
		}
		if last != total || calls == 0 {
			t.Fatalf("%s: %d calls, last done %d of %d", alg, calls, last, total)
		}
	}
}

func TestAssignTooLarge(t *testing.T) {
	cands, structs := Synthetic(SyntheticSpec{Seed: 4, Candidates: 2000, Structures: 200, MaxPosts: 2, Clustered: 0.5})
	in, err := newAssignInput(context.Background(), cands, structs, AssignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := buildAssignGraph(context.Background(), in)
	if err != nil || g.edges() < 1000 {
		t.Fatalf("%v, %d edges", err, g.edges())
	}
	in.maxEdges = int64(g.edges()) - 1
	if _, err := buildAssignGraph(context.Background(), in); !errors.Is(err, ErrAssignTooLarge) {
		t.Fatalf("limit %d below %d edges: error %v", in.maxEdges, g.edges(), err)
	}
	in.maxEdges = int64(g.edges())
	if _, err := buildAssignGraph(context.Background(), in); err != nil {
		t.Fatalf("limit at %d edges: %v", g.edges(), err)
	}
}

// TestAssignGraphOrder checks that the edges come by (cost, candidate,
// structure) even with many ties: structures stacked on the same points.
func TestAssignGraphOrder(t *testing.T) {
	cands, structs := Synthetic(SyntheticSpec{Seed: 21, Candidates: 3000, Structures: 400, MaxPosts: 2, Clustered: 0.7})
	for i := range structs {
		structs[i].Point = structs[i/8*8].Point // stacks of 8
	}
	in, err := newAssignInput(context.Background(), cands, structs, AssignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := buildAssignGraph(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	ties := 0
	for i := 1; i < g.edges(); i++ {
		if g.cost[i] < g.cost[i-1] || g.cost[i] == g.cost[i-1] && g.pair[i] <= g.pair[i-1] {
			c0, s0 := edgeEnds(g.pair[i-1])
			c1, s1 := edgeEnds(g.pair[i])
			t.Fatalf("edge %d (%d m, %d→%d) after (%d m, %d→%d)", i, g.cost[i], c1, s1, g.cost[i-1], c0, s0)
		}
		if g.cost[i] == g.cost[i-1] && g.pair[i]>>32 == g.pair[i-1]>>32 {
			ties++
		}
	}
	if ties < 1000 {
		t.Fatalf("only %d tied edges: the test is too weak", ties)
	}
	want := 0
	for i := range cands {
		for j := range structs {
			if geo.DistanceM(cands[i].Point, structs[j].Point) <= in.maxM[i] {
				want++
			}
		}
	}
	if g.edges() != want {
		t.Fatalf("%d edges, brute force %d", g.edges(), want)
	}
	for i, p := range g.pair { // chord distances resolved to the haversine's metres
		c, s := edgeEnds(p)
		if d := geo.DistanceM(cands[c].Point, structs[s].Point); g.cost[i] != uint32(math.Round(d)) {
			t.Fatalf("edge %d→%d: cost %d m, geo.DistanceM %v m", c, s, g.cost[i], d)
		}
	}
}

// TestPairCostM: where the chord distance is within the tolerance of the
// radius or of a half metre, the haversine decides.
func TestPairCostM(t *testing.T) {
	const tol = siteindex.ChordToleranceM
	c, s := orb.Point{2.35, 48.86}, orb.Point{2.5, 48.9}
	d := geo.DistanceM(c, s) // 11,836.39 m: rounds down, a half metre above rounds up
	half := math.Floor(d) + 0.5
	for _, tc := range []struct {
		name          string
		chordM, maxM  float64
		wantM         uint32
		wantWithinMax bool
	}{
		{"inside", d, 30000, uint32(math.Round(d)), true},
		{"outside", d, 5000, 0, false},
		{"radius at the distance, chord just beyond", d + tol/2, d, uint32(math.Round(d)), true},
		{"radius just below, chord just inside", d - tol/2, math.Nextafter(d, 0), 0, false},
		{"chord beyond the tolerance", d + 2*tol, d, 0, false},
		{"chord a hair under a half metre", half - tol/2, 30000, uint32(math.Round(d)), true},
		{"chord a hair over a half metre", half + tol/2, 30000, uint32(math.Round(d)), true},
	} {
		m, ok := pairCostM(tc.chordM, tc.maxM, c, s)
		if m != tc.wantM || ok != tc.wantWithinMax {
			t.Errorf("%s: pairCostM(%v, %v) = %d, %v; want %d, %v", tc.name, tc.chordM, tc.maxM, m, ok, tc.wantM, tc.wantWithinMax)
		}
	}
}

// TestAssignGraphSharedPoints: candidates stacked on a few points (as when
// located by their commune), some with another reach, give the same graph
// whether each point and reach is queried once or every candidate is, and
// the same assignment.
func TestAssignGraphSharedPoints(t *testing.T) {
	cands, structs := Synthetic(SyntheticSpec{Seed: 33, Candidates: 4000, Structures: 300, MaxPosts: 3, Clustered: 0.6})
	for i := range cands {
		cands[i].Point = cands[i/10*10].Point // stacks of 10
		if i%7 == 0 {
			cands[i].MaxKm = 12 // same point, another reach: its own query
		}
	}
	build := func(noDedup bool) (*assignGraph, *assignInput) {
		in, err := newAssignInput(context.Background(), cands, structs, AssignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		in.noDedup = noDedup
		g, err := buildAssignGraph(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		return g, in
	}
	want, _ := build(true)
	got, in := build(false)
	if sr, _ := findSharedReach(context.Background(), in, siteindex.New(structPoints(structs))); len(sr.lists) == 0 || len(sr.lists) > len(cands)/5 {
		t.Fatalf("%d shared points for %d candidates in stacks of 10", len(sr.lists), len(cands))
	}
	if !slices.Equal(got.cost, want.cost) || !slices.Equal(got.pair, want.pair) ||
		!slices.Equal(got.candDeg, want.candDeg) || !slices.Equal(got.structDeg, want.structDeg) {
		t.Fatalf("graph with shared queries (%d edges) differs from one query per candidate (%d edges)", got.edges(), want.edges())
	}
	if want.edges() < 10000 {
		t.Fatalf("only %d edges: the instance does not test much", want.edges())
	}
}

// structPoints returns the structures' points.
func structPoints(structs []Structure) []orb.Point {
	pts := make([]orb.Point, len(structs))
	for i, s := range structs {
		pts[i] = s.Point
	}
	return pts
}

// TestAssignGraphExclusions: with the process on (dates and wishes for some
// candidates, mission starts everywhere, excluded structures), every
// candidate's degree and exclusions match a brute-force count, those without
// a date or wish of their own (checked against their structures only) too.
func TestAssignGraphExclusions(t *testing.T) {
	cands, structs := Synthetic(SyntheticSpec{Seed: 41, Candidates: 4000, Structures: 600, MaxPosts: 3, Clustered: 0.8})
	for i := range cands {
		switch i % 5 {
		case 1:
			cands[i].AvailableDay = 20000 + int32(i%40)
		case 2:
			cands[i].Wished = []string{cands[i].Departement}
		}
	}
	for i := range structs {
		structs[i].StartDay = 20000 + int32(i*7%40)
		if i%11 == 0 {
			structs[i].Excluded = "avis défavorable"
		}
	}
	in, err := newAssignInput(context.Background(), cands, structs, AssignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := buildAssignGraph(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	excluded := 0
	for i := range cands {
		var deg int32
		var ex [nExcl]int32
		for j := range structs {
			if geo.DistanceM(cands[i].Point, structs[j].Point) > 1000*DefaultCandidateMaxKm {
				continue
			}
			if k := pairExclusion(&cands[i], &structs[j], 0); k != exclNone {
				ex[k]++
				excluded++
			} else {
				deg++
			}
		}
		if want.candDeg[i] != deg || want.candExcl[i] != ex {
			t.Fatalf("candidate %d: degree %d, exclusions %v; brute force %d, %v", i, want.candDeg[i], want.candExcl[i], deg, ex)
		}
	}
	if want.edges() < 20000 || excluded < 3000 {
		t.Fatalf("%d edges, %d excluded pairs: the instance does not test much", want.edges(), excluded)
	}
}
