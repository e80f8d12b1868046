package registry

import (
	"context"
	"maps"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/matching/pairing"
)

// explainFixture is a registry with candidates around structure S (at 0 km
// on the equator) and structures around candidate cX (at -100 km), each
// row standing for one reason a suggestion leaves a pair out.
func explainFixture(t *testing.T) (r *Registry, cands, structs string) {
	t.Helper()
	c := func(id string, x float64, dep, from string, wished ...string) people.Candidate {
		return people.Candidate{ID: id, Point: onEquator(x), MaxKm: 30, Departement: dep, AvailableFrom: from, Departements: wished}
	}
	s := func(id string, x float64, dep, start string, phase int) people.Structure {
		return people.Structure{ID: id, Name: id, Type: "commune", Point: onEquator(x), Posts: 2, Departement: dep, MissionStart: start, Phase: phase}
	}
	cs := []people.Candidate{
		c("cA", 5, "01", ""),
		c("cB", 6, "01", "2027-06-01"), // after S's mission start
		c("cC", 7, "01", "", "02"),     // wishes another département
		c("cD", 8, "01", ""),
		c("cE", 9, "87", ""),  // hidden by the scope of the cases that have one
		c("cF", 50, "01", ""), // out of reach
		c("cX", -100, "01", "2027-02-01", "01", "87"),
	}
	ss := []people.Structure{
		s("S", 0, "01", "2027-03-01", 1),
		s("T1", -95, "01", "2027-03-01", 1),
		s("T2", -94, "01", "2027-01-15", 1), // starts before cX is available
		s("T3", -93, "02", "2027-03-01", 1), // not wished by cX
		s("T4", -92, "01", "2027-03-01", 1), // excluded by the process
		s("T5", -91, "01", "2027-03-01", 2), // private: phase 2
		s("T6", -90, "01", "2027-03-01", 1), // full
		s("T7", -89, "87", "2027-03-01", 1), // hidden by the scope
		s("T8", -40, "01", "2027-03-01", 1), // out of reach
	}
	r = New(nil, nil)
	ci, err := r.Datasets().Add(&data.Dataset{Meta: data.DatasetMeta{Kind: data.KindCandidates}, Candidates: cs})
	if err != nil {
		t.Fatal(err)
	}
	si, err := r.Datasets().Add(&data.Dataset{Meta: data.DatasetMeta{Kind: data.KindStructures}, Structures: ss})
	if err != nil {
		t.Fatal(err)
	}
	return r, ci.ID, si.ID
}

// TestSuggestExclusions checks the reasons of the pairs within reach that
// the suggestions leave out, for a structure and for a candidate: each
// rule of the process and of the query, scoped rows neither counted nor
// listed, the pairs nearest first and bounded by k, and every pair within
// reach either suggested or excluded.
func TestSuggestExclusions(t *testing.T) {
	r, cands, structs := explainFixture(t)
	res, err := r.Matches().Match(context.Background(), MatchRequest{CandidatesDataset: cands, StructuresDataset: structs})
	if err != nil {
		t.Fatal(err)
	}
	placed := []string{}
	for _, a := range res.Assignments {
		if a.Structure == "S" {
			placed = append(placed, a.Candidate)
		}
	}
	if !reflect.DeepEqual(placed, []string{"cA", "cD"}) {
		t.Fatalf("the match places %v at S, want cA and cD", placed)
	}
	scoped := func(dep string) bool { return dep != "87" }
	is := func(id string) func(string) bool { return func(x string) bool { return x == id } }
	for _, tc := range []struct {
		name string
		of   string // "S": ExplainStructure, else ExplainCandidate
		q    SuggestQuery
		want []ExcludedPair // nearest first; distances in km
		// total, when above len(want): pairs counted, not listed
		total int
		// inReach are the visible pairs within reach: suggested or excluded
		inReach []string
	}{
		{name: "structure: dates and wishes", of: "S", q: SuggestQuery{K: 10},
			want:    []ExcludedPair{{"cB", 6, pairing.ReasonAvailableAfterStart}, {"cC", 7, pairing.ReasonDepartementNotWished}},
			inReach: []string{"cA", "cB", "cC", "cD", "cE"}},
		{name: "structure: scoped, a candidate recruited", of: "S", q: SuggestQuery{K: 10, Visible: scoped, Recruited: is("cD")},
			want:    []ExcludedPair{{"cB", 6, pairing.ReasonAvailableAfterStart}, {"cC", 7, pairing.ReasonDepartementNotWished}, {"cD", 8, ReasonCandidateRecruited}},
			inReach: []string{"cA", "cB", "cC", "cD"}},
		{name: "structure: unfavourable opinion", of: "S",
			q: SuggestQuery{K: 10, Visible: scoped, Excluded: func(s string) string {
				if s == "S" {
					return "avis_defavorable"
				}
				return ""
			}},
			want: []ExcludedPair{{"cA", 5, "avis_defavorable"}, {"cB", 6, "avis_defavorable"}, {"cC", 7, "avis_defavorable"},
				{"cD", 8, "avis_defavorable"}},
			inReach: []string{"cA", "cB", "cC", "cD"}},
		{name: "structure: outside the phase", of: "S", q: SuggestQuery{K: 10, Phase: 2},
			want: []ExcludedPair{{"cA", 5, pairing.ReasonPhaseExcluded}, {"cB", 6, pairing.ReasonPhaseExcluded}, {"cC", 7, pairing.ReasonPhaseExcluded},
				{"cD", 8, pairing.ReasonPhaseExcluded}, {"cE", 9, pairing.ReasonPhaseExcluded}},
			inReach: []string{"cA", "cB", "cC", "cD", "cE"}},
		{name: "structure: posts all filled", of: "S", q: SuggestQuery{K: 10, Filled: func(string) int { return 2 }},
			want: []ExcludedPair{{"cA", 5, pairing.ReasonStructuresFull}, {"cB", 6, pairing.ReasonStructuresFull}, {"cC", 7, pairing.ReasonStructuresFull},
				{"cD", 8, pairing.ReasonStructuresFull}, {"cE", 9, pairing.ReasonStructuresFull}},
			inReach: []string{"cA", "cB", "cC", "cD", "cE"}},
		{name: "structure: candidates placed by the match", of: "S", q: SuggestQuery{K: 10, Match: res.ID},
			want: []ExcludedPair{{"cA", 5, ReasonCandidatePlaced}, {"cB", 6, pairing.ReasonAvailableAfterStart}, {"cC", 7, pairing.ReasonDepartementNotWished},
				{"cD", 8, ReasonCandidatePlaced}},
			inReach: []string{"cA", "cB", "cC", "cD", "cE"}},
		{name: "structure: k bounds the pairs listed", of: "S", q: SuggestQuery{K: 2, Match: res.ID},
			want: []ExcludedPair{{"cA", 5, ReasonCandidatePlaced}, {"cB", 6, pairing.ReasonAvailableAfterStart}}, total: 4},
		{name: "candidate: dates and wishes", of: "cX", q: SuggestQuery{K: 10},
			want:    []ExcludedPair{{"T2", 6, pairing.ReasonAvailableAfterStart}, {"T3", 7, pairing.ReasonDepartementNotWished}},
			inReach: []string{"T1", "T2", "T3", "T4", "T5", "T6", "T7"}},
		{name: "candidate: scoped, with the process", of: "cX",
			q: SuggestQuery{K: 10, Visible: scoped, Phase: 1, Filled: func(s string) int {
				if s == "T6" {
					return 2
				}
				return 0
			}, Excluded: func(s string) string {
				if s == "T4" {
					return "avis_defavorable"
				}
				return ""
			}},
			want: []ExcludedPair{{"T2", 6, pairing.ReasonAvailableAfterStart}, {"T3", 7, pairing.ReasonDepartementNotWished}, {"T4", 8, "avis_defavorable"},
				{"T5", 9, pairing.ReasonPhaseExcluded}, {"T6", 10, pairing.ReasonStructuresFull}},
			inReach: []string{"T1", "T2", "T3", "T4", "T5", "T6"}},
		{name: "candidate: recruited", of: "cX", q: SuggestQuery{K: 10, Visible: scoped, Recruited: is("cX")},
			want: []ExcludedPair{{"T1", 5, ReasonCandidateRecruited}, {"T2", 6, ReasonCandidateRecruited}, {"T3", 7, ReasonCandidateRecruited},
				{"T4", 8, ReasonCandidateRecruited}, {"T5", 9, ReasonCandidateRecruited}, {"T6", 10, ReasonCandidateRecruited}},
			inReach: []string{"T1", "T2", "T3", "T4", "T5", "T6"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.Candidates, q.Structures = cands, structs
			var got *SuggestExclusions
			var suggested []string
			if tc.of == "S" {
				got, err = r.Matches().ExplainStructure(tc.of, q)
				items, err2 := r.Matches().SuggestForStructure(tc.of, q)
				for _, it := range items {
					suggested = append(suggested, it.ID)
				}
				err = cmpErr(err, err2)
			} else {
				got, err = r.Matches().ExplainCandidate(tc.of, q)
				items, err2 := r.Matches().SuggestForCandidate(tc.of, q)
				for _, it := range items {
					suggested = append(suggested, it.ID)
				}
				err = cmpErr(err, err2)
			}
			if err != nil {
				t.Fatal(err)
			}
			wantBy := map[string]int{}
			for _, p := range tc.want {
				wantBy[p.Reason]++
			}
			total := max(tc.total, len(tc.want))
			if tc.total > 0 {
				wantBy = nil // counted over pairs not listed: checked by total
			}
			if got.Total != total || wantBy != nil && !maps.Equal(got.ByReason, wantBy) {
				t.Errorf("total %d by reason %v, want %d %v", got.Total, got.ByReason, total, wantBy)
			}
			if len(got.Pairs) != len(tc.want) {
				t.Fatalf("pairs %+v, want %+v", got.Pairs, tc.want)
			}
			for i, p := range got.Pairs {
				w := tc.want[i] // along the equator, w.DistanceM km away
				if p.ID != w.ID || p.Reason != w.Reason || math.Abs(p.DistanceM-km(w.DistanceM)) > 0.01 {
					t.Errorf("pair %d = %+v, want %s at %g km for %s", i, p, w.ID, w.DistanceM, w.Reason)
				}
			}
			if tc.inReach != nil {
				all := slices.Clone(suggested)
				for _, p := range got.Pairs {
					all = append(all, p.ID)
				}
				slices.Sort(all)
				if !slices.Equal(all, tc.inReach) {
					t.Errorf("suggested %v and excluded %+v, want each pair within reach in one of them: %v", suggested, got.Pairs, tc.inReach)
				}
			}
		})
	}
}

// cmpErr returns the first of two errors.
func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
