package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/synth"
	"github.com/maillage/maillage/data/textio"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/internal/mtest"
	"github.com/maillage/maillage/matching/pairing"
)

func TestBuiltinStructuresDataset(t *testing.T) {
	e := mtest.Real(t)
	r := New(nil, e)
	ss := mustStructures(t, e)
	if len(ss) < 1400 || len(mustReport(e).Rejects)+len(ss) != 1450 {
		t.Fatalf("built-in: %d structures, %d rejects; want ≥ 1400 loaded out of 1450", len(ss), len(mustReport(e).Rejects))
	}
	list, err := r.Datasets().List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 || list[0].ID != matching.BuiltinStructuresDataset || !list[0].Builtin || list[0].Kind != data.KindStructures ||
		list[0].Rows != len(ss) || len(list[0].Departements) < 90 || list[0].Source != data.CNFSStructuresFile {
		t.Fatalf("first dataset %+v, want the built-in structures", list[0])
	}
	d, builtin, err := r.Datasets().Get(matching.BuiltinStructuresDataset)
	if err != nil || !builtin || len(d.Structures) != len(ss) {
		t.Fatalf("Dataset: builtin %v, err %v", builtin, err)
	}
	if err := r.Datasets().Delete(matching.BuiltinStructuresDataset); !errors.Is(err, ErrBuiltinDataset) {
		t.Fatalf("delete built-in: %v, want ErrBuiltinDataset", err)
	}
	if slices.ContainsFunc(e.Timings(), func(tm matching.Timing) bool { return tm.Step == "structures" }) == false {
		t.Errorf("no structures step in %+v", e.Timings())
	}
}

func TestUploadDataset(t *testing.T) {
	e := mtest.Real(t)
	r := New(nil, e)
	good := "id,lon,lat,commune,max_km\nA,1.8707,46.1712,,20\nB,,,23096,\nC,2.3522,48.8566,,\n"
	d, err := r.Datasets().Parse(data.KindCandidates, "good.csv", strings.NewReader(good), textio.FormatUnknown, textio.DecodeLimits{})
	if err != nil {
		t.Fatal(err)
	}
	info, err := r.Datasets().Add(d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(info.ID, "cand-") || len(info.ID) != len("cand-")+12 || info.Rows != 3 ||
		!slices.Equal(info.Departements, []string{"23", "75"}) || info.CreatedAt.IsZero() || info.Builtin {
		t.Fatalf("info %+v", info)
	}
	list, _ := r.Datasets().List()
	if !slices.ContainsFunc(list, func(i DatasetInfo) bool { return i.ID == info.ID && i.Rows == 3 }) {
		t.Fatalf("%s not listed", info.ID)
	}
	got, builtin, err := r.Datasets().Get(info.ID)
	if err != nil || builtin || len(got.Candidates) != 3 || got.Candidates[1].Commune != "23096" || got.Candidates[0].MaxKm != 20 {
		t.Fatalf("Dataset(%s): %+v, %v", info.ID, got, err)
	}
	// Structures are not candidates.
	if _, err := r.Matches().Run(context.Background(), MatchRequest{CandidatesDataset: matching.BuiltinStructuresDataset, StructuresDataset: matching.BuiltinStructuresDataset}); !errors.Is(err, ErrDatasetKind) {
		t.Errorf("structures as candidates: %v", err)
	}
	if err := r.Datasets().Delete(info.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Datasets().Get(info.ID); !errors.Is(err, data.ErrDatasetNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if err := r.Datasets().Delete(info.ID); !errors.Is(err, data.ErrDatasetNotFound) {
		t.Errorf("second delete: %v", err)
	}

	bad := "id,lon,lat,max_km\nA,1.87,46.17,20\nB,abc,46.1,\nC,1.8,46.1,900\n"
	_, err = r.Datasets().Parse(data.KindCandidates, "bad.csv", strings.NewReader(bad), textio.FormatCSV, textio.DecodeLimits{})
	var le *people.LoadErrors
	if !errors.As(err, &le) || le.Count() != 2 || le.Errors[0].Line != 3 || le.Errors[0].Column != "lon" ||
		le.Errors[1].Line != 4 || le.Errors[1].Column != "max_km" {
		t.Fatalf("bad rows: %v", err)
	}
	if _, err := r.Datasets().Parse(data.KindStructures, "empty.csv", strings.NewReader("id,lon,lat\n"), textio.FormatCSV, textio.DecodeLimits{}); !errors.Is(err, ErrEmptyDataset) {
		t.Errorf("empty: %v", err)
	}
	if _, err := r.Datasets().Parse(data.KindMatchResult, "x.csv", strings.NewReader(good), textio.FormatCSV, textio.DecodeLimits{}); !errors.Is(err, ErrDatasetKind) {
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
	e := mtest.Real(t)
	r := New(nil, e)
	cands, _ := synth.Synthesize(e.Territory(), 4000, 0, 7)
	info, err := r.Datasets().Add(&data.Dataset{Meta: data.DatasetMeta{Kind: data.KindCandidates, Name: "synth"}, Candidates: cands})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Datasets().Delete(info.ID)
	res, err := r.Matches().Match(context.Background(), MatchRequest{CandidatesDataset: info.ID, StructuresDataset: matching.BuiltinStructuresDataset, Algorithm: AlgorithmBoth})
	if err != nil {
		t.Fatal(err)
	}
	structs := mustStructures(t, e)
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
	weighted, err := r.Matches().Run(context.Background(), MatchRequest{CandidatesDataset: info.ID, StructuresDataset: matching.BuiltinStructuresDataset, Weights: w})
	if err != nil {
		t.Fatal(err)
	}
	cv, err := coverage.Compute(e.Coverage(), coverage.Query{NoGaps: true})
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]*coverage.CommuneCoverage{}
	for i := range cv.Communes {
		byCode[cv.Communes[i].Code] = &cv.Communes[i]
	}
	conv := StructuresFrom(structs)
	if _, err := weigh(e, conv, structs, w); err != nil {
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

func TestDatasetCacheBounded(t *testing.T) {
	r := New(nil, nil)
	cands, structs := handFixture()
	var ids []string
	for range maxCachedDatasets + 5 {
		info, err := r.Datasets().Add(&data.Dataset{Meta: data.DatasetMeta{Kind: data.KindCandidates}, Candidates: cands})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, info.ID)
		if _, err := r.Matches().Run(context.Background(), MatchRequest{CandidatesDataset: info.ID, Structures: structs}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(r.datasets.cache.cache); n != maxCachedDatasets || len(r.datasets.cache.order) != n {
		t.Fatalf("cache holds %d entries (order %d), want %d", n, len(r.datasets.cache.order), maxCachedDatasets)
	}
	// An evicted dataset is read again from the store.
	if _, err := r.Matches().Run(context.Background(), MatchRequest{CandidatesDataset: ids[0], Structures: structs}); err != nil {
		t.Fatal(err)
	}
	if err := r.Datasets().Delete(ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.datasets.cache.cache[ids[0]]; ok {
		t.Fatal("deleted dataset still cached")
	}
	if _, err := r.Matches().Run(context.Background(), MatchRequest{CandidatesDataset: ids[0], Structures: structs}); !errors.Is(err, data.ErrDatasetNotFound) {
		t.Fatalf("deleted dataset: %v", err)
	}
}

func TestDatasetsConcurrent(t *testing.T) {
	cands, structs := handFixture()
	r := New(nil, matching.New(matching.Parts{Structures: map[string][]people.Structure{matching.BuiltinStructuresDataset: structs}}, matching.Options{}))
	info, err := r.Datasets().Add(&data.Dataset{Meta: data.DatasetMeta{Kind: data.KindCandidates}, Candidates: cands})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 8 {
		wg.Go(func() {
			for i := range 20 {
				res, err := r.Matches().Match(context.Background(), MatchRequest{CandidatesDataset: info.ID, StructuresDataset: matching.BuiltinStructuresDataset})
				if err != nil {
					errs <- err
					return
				}
				// The optimum places c1 at S1 and c2 at S2: with the match nobody is left for S2.
				taken, err := r.Matches().SuggestForStructure("S2", SuggestQuery{Candidates: info.ID, Match: res.ID, K: 3})
				if err == nil && len(taken) != 0 {
					err = fmt.Errorf("with the match: %+v, want none", taken)
				}
				if err != nil {
					errs <- err
					return
				}
				free, err := r.Matches().SuggestForStructure("S2", SuggestQuery{Candidates: info.ID, K: 3})
				if err == nil && (len(free) != 2 || free[0].ID != "c1" || free[1].ID != "c2") {
					err = fmt.Errorf("without the match: %+v, want c1, c2", free)
				}
				if err != nil {
					errs <- err
					return
				}
				if (w+i)%3 == 0 {
					if err := r.Datasets().Delete(res.ID); err != nil {
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
