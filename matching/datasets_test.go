package matching

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/matching/coverage"

	"github.com/maillage/maillage/data/textio"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/synth"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/matching/pairing"
)

func TestBuiltinStructuresDataset(t *testing.T) {
	e := coverageEngine(t)
	r := NewRegistry(nil, e)
	ss := e.structures[BuiltinStructuresDataset]
	if len(ss) < 1400 || len(e.structureReports[BuiltinStructuresDataset].Rejects)+len(ss) != 1450 {
		t.Fatalf("built-in: %d structures, %d rejects; want ≥ 1400 loaded out of 1450", len(ss), len(e.structureReports[BuiltinStructuresDataset].Rejects))
	}
	list, err := r.Datasets()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 || list[0].ID != BuiltinStructuresDataset || !list[0].Builtin || list[0].Kind != data.KindStructures ||
		list[0].Rows != len(ss) || len(list[0].Departements) < 90 || list[0].Source != data.CNFSStructuresFile {
		t.Fatalf("first dataset %+v, want the built-in structures", list[0])
	}
	d, builtin, err := r.Dataset(BuiltinStructuresDataset)
	if err != nil || !builtin || len(d.Structures) != len(ss) {
		t.Fatalf("Dataset: builtin %v, err %v", builtin, err)
	}
	if err := r.DeleteDataset(BuiltinStructuresDataset); !errors.Is(err, ErrBuiltinDataset) {
		t.Fatalf("delete built-in: %v, want ErrBuiltinDataset", err)
	}
	if slices.ContainsFunc(e.timings, func(tm Timing) bool { return tm.Step == "structures" }) == false {
		t.Errorf("no structures step in %+v", e.timings)
	}
}

func TestUploadDataset(t *testing.T) {
	e := coverageEngine(t)
	r := NewRegistry(nil, e)
	good := "id,lon,lat,commune,max_km\nA,1.8707,46.1712,,20\nB,,,23096,\nC,2.3522,48.8566,,\n"
	d, err := r.ParseDataset(data.KindCandidates, "good.csv", strings.NewReader(good), textio.FormatUnknown, textio.DecodeLimits{})
	if err != nil {
		t.Fatal(err)
	}
	info, err := r.AddDataset(d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(info.ID, "cand-") || len(info.ID) != len("cand-")+12 || info.Rows != 3 ||
		!slices.Equal(info.Departements, []string{"23", "75"}) || info.CreatedAt.IsZero() || info.Builtin {
		t.Fatalf("info %+v", info)
	}
	list, _ := r.Datasets()
	if !slices.ContainsFunc(list, func(i DatasetInfo) bool { return i.ID == info.ID && i.Rows == 3 }) {
		t.Fatalf("%s not listed", info.ID)
	}
	got, builtin, err := r.Dataset(info.ID)
	if err != nil || builtin || len(got.Candidates) != 3 || got.Candidates[1].Commune != "23096" || got.Candidates[0].MaxKm != 20 {
		t.Fatalf("Dataset(%s): %+v, %v", info.ID, got, err)
	}
	// Structures are not candidates.
	if _, err := r.RunMatch(context.Background(), MatchRequest{CandidatesDataset: BuiltinStructuresDataset, StructuresDataset: BuiltinStructuresDataset}); !errors.Is(err, ErrDatasetKind) {
		t.Errorf("structures as candidates: %v", err)
	}
	if err := r.DeleteDataset(info.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Dataset(info.ID); !errors.Is(err, data.ErrDatasetNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if err := r.DeleteDataset(info.ID); !errors.Is(err, data.ErrDatasetNotFound) {
		t.Errorf("second delete: %v", err)
	}

	bad := "id,lon,lat,max_km\nA,1.87,46.17,20\nB,abc,46.1,\nC,1.8,46.1,900\n"
	_, err = r.ParseDataset(data.KindCandidates, "bad.csv", strings.NewReader(bad), textio.FormatCSV, textio.DecodeLimits{})
	var le *people.LoadErrors
	if !errors.As(err, &le) || le.Count() != 2 || le.Errors[0].Line != 3 || le.Errors[0].Column != "lon" ||
		le.Errors[1].Line != 4 || le.Errors[1].Column != "max_km" {
		t.Fatalf("bad rows: %v", err)
	}
	if _, err := r.ParseDataset(data.KindStructures, "empty.csv", strings.NewReader("id,lon,lat\n"), textio.FormatCSV, textio.DecodeLimits{}); !errors.Is(err, ErrEmptyDataset) {
		t.Errorf("empty: %v", err)
	}
	if _, err := r.ParseDataset(data.KindMatchResult, "x.csv", strings.NewReader(good), textio.FormatCSV, textio.DecodeLimits{}); !errors.Is(err, ErrDatasetKind) {
		t.Errorf("kind: %v", err)
	}
}

// checkMatchFeasible checks the constraints and the summary of a match over
// rows.
func checkMatchFeasible(t *testing.T, res *MatchResult, cands []people.Candidate, structs []people.Structure) {
	t.Helper()
	cByID := map[string]*people.Candidate{}
	for i := range cands {
		cByID[cands[i].ID] = &cands[i]
	}
	sByID := map[string]*people.Structure{}
	posts := 0
	for i := range structs {
		sByID[structs[i].ID] = &structs[i]
		posts += structs[i].Posts
	}
	used := map[string]bool{}
	filled := map[string]int{}
	total := 0.0
	for _, a := range res.Assignments {
		c, s := cByID[a.Candidate], sByID[a.Structure]
		if c == nil || s == nil || used[a.Candidate] {
			t.Fatalf("assignment %+v: unknown or repeated", a)
		}
		used[a.Candidate] = true
		filled[a.Structure]++
		if d := geo.DistanceM(c.Point, s.Point); d > c.MaxKm*1000 || d != a.DistanceM {
			t.Fatalf("assignment %+v: distance %v beyond %v km or misreported", a, d, c.MaxKm)
		}
		total += a.DistanceM
	}
	for id, n := range filled {
		if n > sByID[id].Posts {
			t.Fatalf("structure %s: %d placed for %d posts", id, n, sByID[id].Posts)
		}
	}
	if len(res.Assignments)+len(res.Unmatched) != len(cands) {
		t.Fatalf("%d assigned + %d unmatched ≠ %d candidates", len(res.Assignments), len(res.Unmatched), len(cands))
	}
	s := res.Summary
	if s.Posts != posts || s.PostsFilled != len(res.Assignments) || s.Candidates != len(cands) ||
		s.CandidatesMatched != len(res.Assignments) || abs(s.TotalDistanceM-total) > 1e-3*max(1, total/1e6) {
		t.Fatalf("summary %+v: want %d posts, %d filled, total %v", s, posts, len(res.Assignments), total)
	}
	var bal pairing.DepartementBalance
	for _, b := range res.Balance {
		bal.PostsRequested += b.PostsRequested
		bal.PostsFilled += b.PostsFilled
		bal.CandidatesLeft += b.CandidatesLeft
	}
	if bal.PostsRequested != posts || bal.PostsFilled != s.PostsFilled || bal.CandidatesLeft != len(res.Unmatched) {
		t.Fatalf("balance sums %+v", bal)
	}
}

func abs(x float64) float64 { return max(x, -x) }

func TestMatchBuiltinWithSyntheticCandidates(t *testing.T) {
	e := coverageEngine(t)
	r := NewRegistry(nil, e)
	cands, _ := synth.Synthesize(e.territory, 4000, 0, 7)
	info, err := r.AddDataset(&data.Dataset{Meta: data.DatasetMeta{Kind: data.KindCandidates, Name: "synth"}, Candidates: cands})
	if err != nil {
		t.Fatal(err)
	}
	defer r.DeleteDataset(info.ID)
	res, err := r.Match(context.Background(), MatchRequest{CandidatesDataset: info.ID, StructuresDataset: BuiltinStructuresDataset, Algorithm: AlgorithmBoth})
	if err != nil {
		t.Fatal(err)
	}
	structs := e.structures[BuiltinStructuresDataset]
	checkMatchFeasible(t, res, cands, structs)
	c := res.Comparison
	if c == nil || c.Optimal.PostsFilled < c.Greedy.PostsFilled || c.Optimal != res.Summary || res.Summary.PostsFilled < 500 ||
		c.ExtraPostsFilled != c.Optimal.PostsFilled-c.Greedy.PostsFilled {
		t.Fatalf("comparison %+v, summary %+v", c, res.Summary)
	}
	if c.ExtraPostsFilled == 0 && c.DistanceSavedM < 0 {
		t.Errorf("same posts but optimal total longer: %+v", c)
	}
	t.Logf("4000 synthetic candidates × built-in: optimal %d posts %.0f km, greedy %d posts %.0f km",
		c.Optimal.PostsFilled, c.Optimal.TotalDistanceM/1000, c.Greedy.PostsFilled, c.Greedy.TotalDistanceM/1000)

	// Priority weights: the rule applied independently from the coverage.
	w := PriorityWeights{Gap: 3, Rural: 2}
	weighted, err := r.RunMatch(context.Background(), MatchRequest{CandidatesDataset: info.ID, StructuresDataset: BuiltinStructuresDataset, Weights: w})
	if err != nil {
		t.Fatal(err)
	}
	cv := mustCoverage(t, e, coverage.Query{NoGaps: true})
	byCode := map[string]*coverage.CommuneCoverage{}
	for i := range cv.Communes {
		byCode[cv.Communes[i].Code] = &cv.Communes[i]
	}
	conv := StructuresFrom(structs)
	if _, err := e.weigh(conv, structs, w); err != nil {
		t.Fatal(err)
	}
	want, gaps, rurals := 0, 0, 0
	for i, s := range structs {
		exp := 1.0
		if cc, ok := byCode[s.Commune]; ok && cc.Located {
			if coverage.Value(cc.CoveredShare) < 0.5 {
				exp = 3
				gaps++
			}
			if cc.AreaKm2 > 0 && float64(cc.Population)/cc.AreaKm2 < 50 {
				exp = max(exp, 2)
				rurals++
			}
		}
		if conv[i].Weight != exp && !(exp == 1 && conv[i].Weight == 0) {
			t.Fatalf("structure %s (commune %s): weight %v, want %v", s.ID, s.Commune, conv[i].Weight, exp)
		}
		if exp > 1 {
			want++
		}
	}
	if weighted.WeightedStructures != want || gaps == 0 || rurals == 0 {
		t.Fatalf("weighted %d structures, want %d (gap %d, rural %d)", weighted.WeightedStructures, want, gaps, rurals)
	}
	// Weights only choose among the assignments filling the most posts.
	if weighted.Summary.PostsFilled != res.Summary.PostsFilled {
		t.Errorf("weighted fills %d posts, unweighted %d", weighted.Summary.PostsFilled, res.Summary.PostsFilled)
	}
	checkMatchFeasible(t, weighted, cands, structs)
}

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
	e := coverageEngine(t)
	r := NewRegistry(nil, e)
	cands, _ := synth.Synthesize(e.territory, 6000, 0, 11)
	info, err := r.AddDataset(&data.Dataset{Meta: data.DatasetMeta{Kind: data.KindCandidates, Name: "synth"}, Candidates: cands})
	if err != nil {
		t.Fatal(err)
	}
	defer r.DeleteDataset(info.ID)
	res, err := r.Match(context.Background(), MatchRequest{CandidatesDataset: info.ID, StructuresDataset: BuiltinStructuresDataset})
	if err != nil {
		t.Fatal(err)
	}
	taken, filled := map[string]bool{}, map[string]int{}
	for _, a := range res.Assignments {
		taken[a.Candidate] = true
		filled[a.Structure]++
	}
	structs := e.structures[BuiltinStructuresDataset]
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
			got, err := r.SuggestForStructure(structs[i].ID, SuggestQuery{Candidates: info.ID, K: k})
			if err != nil {
				t.Fatal(err)
			}
			if want := bruteCandidates(structs[i], cands, nil, k); !slices.Equal(ids(len(got), func(j int) string { return got[j].ID }), want) {
				t.Fatalf("structure %s k %d: got %v, want %v", structs[i].ID, k, got, want)
			}
			// With the match: its datasets are the defaults, its candidates taken.
			got, err = r.SuggestForStructure(structs[i].ID, SuggestQuery{Match: res.ID, K: k})
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
		got, err := r.SuggestForCandidate(cands[i].ID, SuggestQuery{Candidates: info.ID, Match: res.ID, K: 5})
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
	got, err := r.SuggestForStructure(structs[0].ID, SuggestQuery{Candidates: info.ID, K: 100, Visible: visible})
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
		if _, err := r.SuggestForCandidate(c.ID, SuggestQuery{Candidates: info.ID, K: 3, Visible: visible}); !errors.Is(err, ErrUnknownRow) {
			t.Fatalf("candidate outside the scope: %v", err)
		}
		break
	}
	if len(inDep) > 0 {
		sg, err := r.SuggestForCandidate(inDep[0].ID, SuggestQuery{Candidates: info.ID, K: 100, Visible: visible})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sg {
			if s.Departement != dep {
				t.Fatalf("scoped candidate suggestion outside %s: %+v", dep, s)
			}
		}
	}
	scoped, err := r.RunMatch(context.Background(), MatchRequest{CandidatesDataset: info.ID, StructuresDataset: BuiltinStructuresDataset, Visible: visible})
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
			_, err := r.SuggestForStructure(structs[0].ID, SuggestQuery{Candidates: info.ID})
			return err
		}, ErrBadSuggestQuery},
		{"k 101", func() error {
			_, err := r.SuggestForCandidate(cands[0].ID, SuggestQuery{Candidates: info.ID, K: 101})
			return err
		}, ErrBadSuggestQuery},
		{"no candidates", func() error { _, err := r.SuggestForStructure(structs[0].ID, SuggestQuery{K: 3}); return err }, ErrBadSuggestQuery},
		{"unknown structure", func() error {
			_, err := r.SuggestForStructure("nope", SuggestQuery{Candidates: info.ID, K: 3})
			return err
		}, ErrUnknownRow},
		{"unknown candidate", func() error {
			_, err := r.SuggestForCandidate("nope", SuggestQuery{Candidates: info.ID, K: 3})
			return err
		}, ErrUnknownRow},
		{"unknown dataset", func() error {
			_, err := r.SuggestForCandidate(cands[0].ID, SuggestQuery{Candidates: "cand-000000000000", K: 3})
			return err
		}, data.ErrDatasetNotFound},
		{"unknown match", func() error {
			_, err := r.SuggestForCandidate(cands[0].ID, SuggestQuery{Candidates: info.ID, Match: "match-0", K: 3})
			return err
		}, data.ErrDatasetNotFound},
		{"candidates as structures", func() error {
			_, err := r.SuggestForCandidate(cands[0].ID, SuggestQuery{Candidates: info.ID, Structures: info.ID, K: 3})
			return err
		}, ErrDatasetKind},
	}
	for _, tc := range errCases {
		if err := tc.run(); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestDatasetCacheBounded(t *testing.T) {
	r := NewRegistry(nil, nil)
	cands, structs := handFixture()
	var ids []string
	for range maxCachedDatasets + 5 {
		info, err := r.AddDataset(&data.Dataset{Meta: data.DatasetMeta{Kind: data.KindCandidates}, Candidates: cands})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, info.ID)
		if _, err := r.RunMatch(context.Background(), MatchRequest{CandidatesDataset: info.ID, Structures: structs}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(r.cache.cache); n != maxCachedDatasets || len(r.cache.order) != n {
		t.Fatalf("cache holds %d entries (order %d), want %d", n, len(r.cache.order), maxCachedDatasets)
	}
	// An evicted dataset is read again from the store.
	if _, err := r.RunMatch(context.Background(), MatchRequest{CandidatesDataset: ids[0], Structures: structs}); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteDataset(ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.cache.cache[ids[0]]; ok {
		t.Fatal("deleted dataset still cached")
	}
	if _, err := r.RunMatch(context.Background(), MatchRequest{CandidatesDataset: ids[0], Structures: structs}); !errors.Is(err, data.ErrDatasetNotFound) {
		t.Fatalf("deleted dataset: %v", err)
	}
}

func BenchmarkSuggestOnDatasets(b *testing.B) {
	e := coverageEngine(b)
	r := NewRegistry(nil, e)
	cands, _ := synth.Synthesize(e.territory, 50000, 0, 1)
	info, err := r.AddDataset(&data.Dataset{Meta: data.DatasetMeta{Kind: data.KindCandidates}, Candidates: cands})
	if err != nil {
		b.Fatal(err)
	}
	defer r.DeleteDataset(info.ID)
	structs := e.structures[BuiltinStructuresDataset]
	q := SuggestQuery{Candidates: info.ID, K: 10}
	if _, err := r.SuggestForStructure(structs[0].ID, q); err != nil { // builds the indexes
		b.Fatal(err)
	}
	b.Run("structure", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := r.SuggestForStructure(structs[i%len(structs)].ID, q); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("candidate", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := r.SuggestForCandidate(cands[i%len(cands)].ID, q); err != nil {
				b.Fatal(err)
			}
			i += 7
		}
	})
}

func TestDatasetsConcurrent(t *testing.T) {
	cands, structs := handFixture()
	r := NewRegistry(nil, New(Parts{Structures: map[string][]people.Structure{BuiltinStructuresDataset: structs}}, Options{}))
	info, err := r.AddDataset(&data.Dataset{Meta: data.DatasetMeta{Kind: data.KindCandidates}, Candidates: cands})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 8 {
		wg.Go(func() {
			for i := range 20 {
				res, err := r.Match(context.Background(), MatchRequest{CandidatesDataset: info.ID, StructuresDataset: BuiltinStructuresDataset})
				if err != nil {
					errs <- err
					return
				}
				// The optimum places c1 at S1 and c2 at S2: with the match nobody is left for S2.
				taken, err := r.SuggestForStructure("S2", SuggestQuery{Candidates: info.ID, Match: res.ID, K: 3})
				if err == nil && len(taken) != 0 {
					err = fmt.Errorf("with the match: %+v, want none", taken)
				}
				if err != nil {
					errs <- err
					return
				}
				free, err := r.SuggestForStructure("S2", SuggestQuery{Candidates: info.ID, K: 3})
				if err == nil && (len(free) != 2 || free[0].ID != "c1" || free[1].ID != "c2") {
					err = fmt.Errorf("without the match: %+v, want c1, c2", free)
				}
				if err != nil {
					errs <- err
					return
				}
				if (w+i)%3 == 0 {
					if err := r.DeleteDataset(res.ID); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
