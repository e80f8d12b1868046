package pairing

import (
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/siteindex"
)

// bruteSuggest ranks every item by (distance, index) and keeps the first k
// accepted ones.
func bruteSuggest(n, k int, dist func(i int) float64, ok func(i int, d float64) bool, id func(i int) string) []Suggestion {
	idx := make([]int, n)
	ds := make([]float64, n)
	for i := range idx {
		idx[i], ds[i] = i, dist(i)
	}
	sort.SliceStable(idx, func(a, b int) bool { return ds[idx[a]] < ds[idx[b]] })
	out := []Suggestion{}
	for _, i := range idx {
		if d := ds[i]; ok(i, d) && len(out) < k {
			out = append(out, Suggestion{ID: id(i), DistanceM: d})
		}
	}
	return out
}

func TestSuggest(t *testing.T) {
	cands, structs := Synthetic(SyntheticSpec{Seed: 5, Candidates: 6000, Structures: 700, MaxPosts: 3, Clustered: 0.6})
	r := rand.New(rand.NewPCG(5, 5))
	for i := range cands {
		cands[i].MaxKm = [...]float64{0, 5, 10, 50}[r.IntN(4)]
	}
	taken := map[string]bool{}
	for _, c := range cands {
		if r.IntN(3) > 0 {
			taken[c.ID] = true
		}
	}
	open := map[string]int{}
	for _, s := range structs {
		open[s.ID] = r.IntN(s.Posts + 1)
	}
	isTaken := func(id string) bool { return taken[id] }
	openPosts := func(id string) int { return open[id] }
	cp := make([]orb.Point, len(cands))
	for i, c := range cands {
		cp[i] = c.Point
	}
	sp := make([]orb.Point, len(structs))
	for i, s := range structs {
		sp[i] = s.Point
	}
	candIx, structIx := siteindex.New(cp), siteindex.New(sp)

	nonEmpty := 0
	for trial := range 300 {
		k := []int{1, 3, 10, 40}[trial%4]
		s := structs[r.IntN(len(structs))]
		want := bruteSuggest(len(cands), k,
			func(i int) float64 { return geo.DistanceM(cands[i].Point, s.Point) },
			func(i int, d float64) bool { return d <= CandidateMaxM(&cands[i]) && !taken[cands[i].ID] },
			func(i int) string { return cands[i].ID })
		for _, ix := range []*siteindex.Index{candIx, nil} {
			if got := SuggestCandidates(s, cands, ix, isTaken, k); !reflect.DeepEqual(got, want) {
				t.Fatalf("SuggestCandidates(%s, k=%d, index %v) = %v, want %v", s.ID, k, ix != nil, got, want)
			}
		}
		c := cands[r.IntN(len(cands))]
		want2 := bruteSuggest(len(structs), k,
			func(i int) float64 { return geo.DistanceM(c.Point, structs[i].Point) },
			func(i int, d float64) bool { return d <= CandidateMaxM(&c) && open[structs[i].ID] > 0 },
			func(i int) string { return structs[i].ID })
		for _, ix := range []*siteindex.Index{structIx, nil} {
			if got := SuggestStructures(c, structs, ix, openPosts, k); !reflect.DeepEqual(got, want2) {
				t.Fatalf("SuggestStructures(%s, k=%d, index %v) = %v, want %v", c.ID, k, ix != nil, got, want2)
			}
		}
		if len(want) > 0 && len(want2) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < 100 {
		t.Fatalf("only %d trials had suggestions on both sides: the test is too weak", nonEmpty)
	}
}

func TestSuggestEdgeCases(t *testing.T) {
	c := Candidate{ID: "c", Point: orb.Point{2, 48}, MaxKm: 10}
	s := Structure{ID: "s", Point: orb.Point{2, 48.05}, Posts: 1}
	ix := siteindex.New([]orb.Point{s.Point})
	cix := siteindex.New([]orb.Point{c.Point})
	d := geo.DistanceM(c.Point, s.Point)
	tests := []struct {
		name string
		got  []Suggestion
		want []Suggestion
	}{
		{"structures nil funcs", SuggestStructures(c, []Structure{s}, ix, nil, 5), []Suggestion{{"s", d}}},
		{"structures k=0", SuggestStructures(c, []Structure{s}, ix, nil, 0), []Suggestion{}},
		{"structures none open", SuggestStructures(c, []Structure{s}, ix, func(string) int { return 0 }, 5), []Suggestion{}},
		{"structures out of reach", SuggestStructures(Candidate{ID: "c", Point: c.Point, MaxKm: 5}, []Structure{s}, ix, nil, 5), []Suggestion{}},
		{"structures empty", SuggestStructures(c, nil, nil, nil, 5), []Suggestion{}},
		{"candidates nil funcs", SuggestCandidates(s, []Candidate{c}, cix, nil, 5), []Suggestion{{"c", d}}},
		{"candidates taken", SuggestCandidates(s, []Candidate{c}, cix, func(string) bool { return true }, 5), []Suggestion{}},
		{"candidates beyond their max_km", SuggestCandidates(s, []Candidate{{ID: "c", Point: c.Point, MaxKm: 5}}, cix, nil, 5), []Suggestion{}},
		{"candidates default max_km", SuggestCandidates(s, []Candidate{{ID: "c", Point: c.Point}}, cix, nil, 5), []Suggestion{{"c", d}}},
	}
	for _, tc := range tests {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}
