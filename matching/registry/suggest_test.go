package registry

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/synth"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/internal/mtest"
)

// bruteCandidates ranks the free candidates having s within reach.
func bruteCandidates(s people.Structure, cands []people.Candidate, taken map[string]bool, k int) []string {
	type hit struct {
		i int
		d float64
	}
	var hits []hit
	for i, c := range cands {
		if d := geo.DistanceM(c.Point, s.Point); d <= c.MaxKm*1000 && !taken[c.ID] {
			hits = append(hits, hit{i, d})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return cmp.Compare(a.d, b.d) })
	var out []string
	for _, h := range hits[:min(k, len(hits))] {
		out = append(out, cands[h.i].ID)
	}
	return out
}

// bruteStructures ranks the structures with open posts within c's reach.
func bruteStructures(c people.Candidate, structs []people.Structure, filled map[string]int, k int) []string {
	type hit struct {
		i int
		d float64
	}
	var hits []hit
	for i, s := range structs {
		if d := geo.DistanceM(c.Point, s.Point); d <= c.MaxKm*1000 && s.Posts-filled[s.ID] > 0 {
			hits = append(hits, hit{i, d})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return cmp.Compare(a.d, b.d) })
	var out []string
	for _, h := range hits[:min(k, len(hits))] {
		out = append(out, structs[h.i].ID)
	}
	return out
}

func TestSuggestOnDatasets(t *testing.T) {
	e := mtest.Real(t)
	r := New(nil, e)
	cands, _ := synth.Synthesize(e.Territory(), 6000, 0, 11)
	info, err := r.Datasets().Add(&data.Dataset{Meta: data.DatasetMeta{Kind: data.KindCandidates, Name: "synth"}, Candidates: cands})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Datasets().Delete(info.ID)
	res, err := r.Matches().Match(context.Background(), MatchRequest{CandidatesDataset: info.ID, StructuresDataset: matching.BuiltinStructuresDataset})
	if err != nil {
		t.Fatal(err)
	}
	taken, filled := map[string]bool{}, map[string]int{}
	for _, a := range res.Assignments {
		taken[a.Candidate] = true
		filled[a.Structure]++
	}
	structs := mustStructures(t, e)
	ids := func(n int, id func(int) string) []string {
		var out []string
		for i := range n {
			out = append(out, id(i))
		}
		return out
	}
	nonEmpty := 0
	for i := 0; i < len(structs); i += 37 {
		for _, k := range []int{1, 5, 100} {
			got, err := r.Matches().SuggestForStructure(structs[i].ID, SuggestQuery{Candidates: info.ID, K: k})
			if err != nil {
				t.Fatal(err)
			}
			if want := bruteCandidates(structs[i], cands, nil, k); !slices.Equal(ids(len(got), func(j int) string { return got[j].ID }), want) {
				t.Fatalf("structure %s k %d: got %v, want %v", structs[i].ID, k, got, want)
			}
			// With the match: its datasets are the defaults, its candidates taken.
			got, err = r.Matches().SuggestForStructure(structs[i].ID, SuggestQuery{Match: res.ID, K: k})
			if err != nil {
				t.Fatal(err)
			}
			if want := bruteCandidates(structs[i], cands, taken, k); !slices.Equal(ids(len(got), func(j int) string { return got[j].ID }), want) {
				t.Fatalf("structure %s k %d with match: got %v, want %v", structs[i].ID, k, got, want)
			}
			nonEmpty += min(len(got), 1)
		}
	}
	for i := 0; i < len(cands); i += 97 {
		got, err := r.Matches().SuggestForCandidate(cands[i].ID, SuggestQuery{Candidates: info.ID, Match: res.ID, K: 5})
		if err != nil {
			t.Fatal(err)
		}
		if want := bruteStructures(cands[i], structs, filled, 5); !slices.Equal(ids(len(got), func(j int) string { return got[j].ID }), want) {
			t.Fatalf("candidate %s: got %v, want %v", cands[i].ID, got, want)
		}
		for _, s := range got {
			if s.OpenPosts != s.Posts-filled[s.ID] || s.OpenPosts <= 0 {
				t.Fatalf("candidate %s: %+v open posts, %d filled", cands[i].ID, s, filled[s.ID])
			}
		}
	}
	if nonEmpty == 0 {
		t.Fatal("every suggestion list was empty")
	}

	// A scope limited to one département sees only its rows.
	dep := structs[0].Departement
	visible := func(d string) bool { return d == dep }
	var inDep []people.Candidate
	for _, c := range cands {
		if c.Departement == dep {
			inDep = append(inDep, c)
		}
	}
	got, err := r.Matches().SuggestForStructure(structs[0].ID, SuggestQuery{Candidates: info.ID, K: 100, Visible: visible})
	if err != nil {
		t.Fatal(err)
	}
	if want := bruteCandidates(structs[0], inDep, nil, 100); !slices.Equal(ids(len(got), func(j int) string { return got[j].ID }), want) {
		t.Fatalf("scoped: got %v, want %v", got, want)
	}
	for _, c := range cands {
		if c.Departement == dep {
			continue
		}
		if _, err := r.Matches().SuggestForCandidate(c.ID, SuggestQuery{Candidates: info.ID, K: 3, Visible: visible}); !errors.Is(err, ErrUnknownRow) {
			t.Fatalf("candidate outside the scope: %v", err)
		}
		break
	}
	if len(inDep) > 0 {
		sg, err := r.Matches().SuggestForCandidate(inDep[0].ID, SuggestQuery{Candidates: info.ID, K: 100, Visible: visible})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sg {
			if s.Departement != dep {
				t.Fatalf("scoped candidate suggestion outside %s: %+v", dep, s)
			}
		}
	}
	scoped, err := r.Matches().Run(context.Background(), MatchRequest{CandidatesDataset: info.ID, StructuresDataset: matching.BuiltinStructuresDataset, Visible: visible})
	if err != nil {
		t.Fatal(err)
	}
	if scoped.Summary.Candidates != len(inDep) || !slices.Equal(scoped.Departements(), []string{dep}) {
		t.Fatalf("scoped match: %d candidates (want %d), départements %v", scoped.Summary.Candidates, len(inDep), scoped.Departements())
	}

	errCases := []struct {
		name string
		run  func() error
		want error
	}{
		{"k 0", func() error {
			_, err := r.Matches().SuggestForStructure(structs[0].ID, SuggestQuery{Candidates: info.ID})
			return err
		}, ErrBadSuggestQuery},
		{"k 101", func() error {
			_, err := r.Matches().SuggestForCandidate(cands[0].ID, SuggestQuery{Candidates: info.ID, K: 101})
			return err
		}, ErrBadSuggestQuery},
		{"no candidates", func() error { _, err := r.Matches().SuggestForStructure(structs[0].ID, SuggestQuery{K: 3}); return err }, ErrBadSuggestQuery},
		{"unknown structure", func() error {
			_, err := r.Matches().SuggestForStructure("nope", SuggestQuery{Candidates: info.ID, K: 3})
			return err
		}, ErrUnknownRow},
		{"unknown candidate", func() error {
			_, err := r.Matches().SuggestForCandidate("nope", SuggestQuery{Candidates: info.ID, K: 3})
			return err
		}, ErrUnknownRow},
		{"unknown dataset", func() error {
			_, err := r.Matches().SuggestForCandidate(cands[0].ID, SuggestQuery{Candidates: "cand-000000000000", K: 3})
			return err
		}, data.ErrDatasetNotFound},
		{"unknown match", func() error {
			_, err := r.Matches().SuggestForCandidate(cands[0].ID, SuggestQuery{Candidates: info.ID, Match: "match-0", K: 3})
			return err
		}, data.ErrDatasetNotFound},
		{"candidates as structures", func() error {
			_, err := r.Matches().SuggestForCandidate(cands[0].ID, SuggestQuery{Candidates: info.ID, Structures: info.ID, K: 3})
			return err
		}, ErrDatasetKind},
	}
	for _, tc := range errCases {
		if err := tc.run(); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func BenchmarkSuggestOnDatasets(b *testing.B) {
	e := mtest.Real(b)
	r := New(nil, e)
	cands, _ := synth.Synthesize(e.Territory(), 50000, 0, 1)
	info, err := r.Datasets().Add(&data.Dataset{Meta: data.DatasetMeta{Kind: data.KindCandidates}, Candidates: cands})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Datasets().Delete(info.ID)
	structs := mustStructures(b, e)
	q := SuggestQuery{Candidates: info.ID, K: 10}
	if _, err := r.Matches().SuggestForStructure(structs[0].ID, q); err != nil { // builds the indexes
		b.Fatal(err)
	}
	b.Run("structure", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := r.Matches().SuggestForStructure(structs[i%len(structs)].ID, q); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("candidate", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := r.Matches().SuggestForCandidate(cands[i%len(cands)].ID, q); err != nil {
				b.Fatal(err)
			}
			i += 7
		}
	})
}
