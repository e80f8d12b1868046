package registry

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/matching/pairing"
)

// onEquator is the point xKm east of (0, 0) along the equator.
func onEquator(xKm float64) orb.Point {
	return orb.Point{xKm * 1000 / geo.EarthRadiusM * 180 / math.Pi, 0}
}

// handFixture is a line of structures and candidates along the equator:
//
//	c3 (-50 km)   S1 (0, 1 post, dép 01)   c1 (19)  S2 (20, 1 post, dép 02)  c2 (35)   S3 (200, 2 posts, dép 02)
//
// Candidates accept 30 km. c3 reaches nothing; S3 is reached by nobody.
// Nearest pair first, greedy gives S2 to c1 (1 km) and leaves c2 and S1
// without partner; the optimum fills both posts: c1→S1 (19 km), c2→S2
// (15 km).
func handFixture() ([]people.Candidate, []people.Structure) {
	cands := []people.Candidate{
		{ID: "c1", Point: onEquator(19), MaxKm: 30, Departement: "01"},
		{ID: "c2", Point: onEquator(35), MaxKm: 30, Departement: "02"},
		{ID: "c3", Point: onEquator(-50), MaxKm: 30, Departement: "01"},
	}
	structs := []people.Structure{
		{ID: "S1", Name: "Mairie", Type: "commune", Point: onEquator(0), Posts: 1, Departement: "01"},
		{ID: "S2", Name: "Asso", Type: "association", Point: onEquator(20), Posts: 1, Departement: "02"},
		{ID: "S3", Name: "Loin", Type: "epci", Point: onEquator(200), Posts: 2, Departement: "02"},
	}
	return cands, structs
}

func km(x float64) float64 { return geo.DistanceM(onEquator(0), onEquator(x)) }

func TestRunMatchHandFixture(t *testing.T) {
	cands, structs := handFixture()
	r := New(nil, nil)
	res, err := r.Matches().Run(context.Background(), MatchRequest{Candidates: cands, Structures: structs, Algorithm: AlgorithmBoth})
	if err != nil {
		t.Fatal(err)
	}
	wantA := []pairing.Assignment{{Candidate: "c1", Structure: "S1", DistanceM: km(19)}, {Candidate: "c2", Structure: "S2", DistanceM: km(15)}}
	if len(res.Assignments) != 2 {
		t.Fatalf("assignments %+v, want %+v", res.Assignments, wantA)
	}
	for i, a := range res.Assignments {
		w := wantA[i]
		if a.Candidate != w.Candidate || a.Structure != w.Structure || math.Abs(a.DistanceM-w.DistanceM) > 1e-6 {
			t.Errorf("assignment %d = %+v, want %+v", i, a, w)
		}
	}
	if want := []pairing.Unmatched{{Candidate: "c3", Reason: pairing.ReasonNoStructureInReach}}; !reflect.DeepEqual(res.Unmatched, want) {
		t.Errorf("unmatched %+v, want %+v", res.Unmatched, want)
	}
	if want := []pairing.UnfilledPosts{{Structure: "S3", Posts: 2, Reason: pairing.ReasonNoCandidateInReach}}; !reflect.DeepEqual(res.Unfilled, want) {
		t.Errorf("unfilled %+v, want %+v", res.Unfilled, want)
	}
	s := res.Summary
	if s.Algorithm != pairing.AlgorithmOptimal || s.Posts != 4 || s.PostsFilled != 2 || s.Candidates != 3 || s.CandidatesMatched != 2 ||
		s.Edges != 3 || math.Abs(s.TotalDistanceM-km(34)) > 1 || math.Abs(s.MeanDistanceM-km(17)) > 1 {
		t.Errorf("summary %+v, want 4 posts, 2 filled, 3 candidates, 2 matched, 3 edges, 34 km, mean 17 km", s)
	}
	c := res.Comparison
	if c == nil {
		t.Fatal("no comparison with algorithm both")
	}
	if c.Greedy.PostsFilled != 1 || math.Abs(c.Greedy.TotalDistanceM-km(1)) > 1e-6 || c.ExtraPostsFilled != 1 ||
		math.Abs(c.DistanceSavedM-(km(1)-km(34))) > 1 || math.Abs(c.MeanDistanceSavedM-(km(1)-km(17))) > 1 {
		t.Errorf("comparison %+v, want greedy 1 post at 1 km, 1 extra post, saved 1−34 km", c)
	}
	wantBal := []pairing.DepartementBalance{
		{Departement: "01", PostsRequested: 1, CandidatesInReach: 1, PostsFilled: 1, CandidatesLeft: 1},
		{Departement: "02", PostsRequested: 3, CandidatesInReach: 1, PostsFilled: 1, CandidatesLeft: 0},
	}
	if !reflect.DeepEqual(res.Balance, wantBal) {
		t.Errorf("balance %+v, want %+v", res.Balance, wantBal)
	}

	// Greedy alone: c1 takes S2, c2 is outcompeted, S1 has nobody left.
	g, err := r.Matches().Run(context.Background(), MatchRequest{Candidates: cands, Structures: structs, Algorithm: pairing.AlgorithmGreedy})
	if err != nil {
		t.Fatal(err)
	}
	if g.Comparison != nil || len(g.Assignments) != 1 || g.Assignments[0].Structure != "S2" ||
		!reflect.DeepEqual(g.Unmatched, []pairing.Unmatched{{Candidate: "c2", Reason: pairing.ReasonOutcompeted}, {Candidate: "c3", Reason: pairing.ReasonNoStructureInReach}}) ||
		!reflect.DeepEqual(g.Unfilled, []pairing.UnfilledPosts{{Structure: "S1", Posts: 1, Reason: pairing.ReasonOutcompeted}, {Structure: "S3", Posts: 2, Reason: pairing.ReasonNoCandidateInReach}}) {
		t.Errorf("greedy %+v", g)
	}

	// Département 01 capped at 0: only S2 can be filled, by its nearest candidate.
	capped, err := r.Matches().Run(context.Background(), MatchRequest{Candidates: cands, Structures: structs, DepartementCaps: map[string]int{"01": 0}})
	if err != nil {
		t.Fatal(err)
	}
	if len(capped.Assignments) != 1 || capped.Assignments[0].Candidate != "c1" || capped.Assignments[0].Structure != "S2" ||
		math.Abs(capped.Assignments[0].DistanceM-km(1)) > 1e-6 ||
		capped.Unfilled[0] != (pairing.UnfilledPosts{Structure: "S1", Posts: 1, Reason: pairing.ReasonDepartementCap}) {
		t.Errorf("capped: %+v / %+v", capped.Assignments, capped.Unfilled)
	}
}

func TestRunMatchErrors(t *testing.T) {
	cands, structs := handFixture()
	r := New(nil, nil)
	dup := append([]people.Candidate{}, cands...)
	dup[1].ID = "c1"
	cases := []struct {
		name string
		req  MatchRequest
		want error
	}{
		{"algorithm", MatchRequest{Candidates: cands, Structures: structs, Algorithm: "best"}, ErrBadMatchRequest},
		{"weight below 1", MatchRequest{Candidates: cands, Structures: structs, Weights: PriorityWeights{Gap: 0.5}}, ErrBadMatchRequest},
		{"weight too high", MatchRequest{Candidates: cands, Structures: structs, Weights: PriorityWeights{Rural: 1000}}, ErrBadMatchRequest},
		{"negative cap", MatchRequest{Candidates: cands, Structures: structs, DepartementCaps: map[string]int{"01": -1}}, ErrBadMatchRequest},
		{"no candidates", MatchRequest{Structures: structs}, ErrBadMatchRequest},
		{"no structures", MatchRequest{Candidates: cands}, ErrBadMatchRequest},
		{"unknown dataset", MatchRequest{CandidatesDataset: "cand-nope", Structures: structs}, data.ErrDatasetNotFound},
		{"duplicate id", MatchRequest{Candidates: dup, Structures: structs}, pairing.ErrBadAssignInput},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := r.Matches().Run(context.Background(), tc.req); !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
}

func TestMatchStoredAndPaged(t *testing.T) {
	cands, structs := pairing.Synthetic(pairing.SyntheticSpec{Seed: 9, Candidates: 3000, Structures: 400, MaxPosts: 3, Clustered: 0.5})
	dc := make([]people.Candidate, len(cands))
	for i, c := range cands {
		dc[i] = people.Candidate{ID: c.ID, Point: c.Point, MaxKm: c.MaxKm, Departement: c.Departement}
	}
	ds := make([]people.Structure, len(structs))
	for i, s := range structs {
		ds[i] = people.Structure{ID: s.ID, Point: s.Point, Posts: s.Posts, Departement: s.Departement}
	}
	r := New(nil, nil)
	res, err := r.Matches().Match(context.Background(), MatchRequest{Candidates: dc, Structures: ds})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.ID, "match-") || len(res.Assignments) == 0 {
		t.Fatalf("id %q, %d assignments", res.ID, len(res.Assignments))
	}
	// A second engine over the same store decodes the stored JSON.
	r2 := New(r.Store(), nil)
	back, err := r2.Matches().Result(res.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, res) {
		t.Fatalf("stored result differs from the returned one")
	}
	for _, part := range []string{PartAssignments, PartUnmatched, PartUnfilled, PartBalance} {
		total, _ := back.PartLen(part)
		for _, limit := range []int{1, 7, 1000, 10000} {
			seen := 0
			for off := 0; ; off += limit {
				p, err := back.Page(part, limit, off)
				if err != nil {
					t.Fatal(err)
				}
				n := reflect.ValueOf(p.Items).Len()
				if p.Total != total || n > limit {
					t.Fatalf("%s limit %d offset %d: total %d, %d items", part, limit, off, p.Total, n)
				}
				for i := 0; i < n; i++ {
					// Each item is the one at its position, so pages neither skip nor repeat.
					var want any
					switch part {
					case PartAssignments:
						want = back.Assignments[seen]
					case PartUnmatched:
						want = back.Unmatched[seen]
					case PartUnfilled:
						want = back.Unfilled[seen]
					case PartBalance:
						want = back.Balance[seen]
					}
					if got := reflect.ValueOf(p.Items).Index(i).Interface(); got != want {
						t.Fatalf("%s limit %d: item %d = %+v, want %+v", part, limit, seen, got, want)
					}
					seen++
				}
				if n == 0 {
					break
				}
			}
			if seen != total {
				t.Fatalf("%s limit %d: visited %d of %d", part, limit, seen, total)
			}
		}
	}
	if _, err := back.Page("nope", 10, 0); !errors.Is(err, ErrBadMatchRequest) {
		t.Errorf("bad part: %v", err)
	}
	if _, err := back.Page(PartAssignments, 0, 0); !errors.Is(err, ErrBadMatchRequest) {
		t.Errorf("limit 0: %v", err)
	}
	if _, err := r.Matches().Result("cand-0"); !errors.Is(err, data.ErrDatasetNotFound) {
		t.Errorf("unknown match: %v", err)
	}
}

func TestReadDepartementCaps(t *testing.T) {
	cases := []struct {
		name, in string
		want     map[string]int
		errLine  string
	}{
		{"commas", "departement,cap\n23,5\n2A,0\n1,3\n", map[string]int{"23": 5, "2A": 0, "01": 3}, ""},
		{"semicolons and other columns", "nom;dep;posts\nCreuse;23;4\n", map[string]int{"23": 4}, ""},
		{"bom and spaces", "\ufeffinsee_dep, max_posts\n 974, 12\n", map[string]int{"974": 12}, ""},
		{"no cap column", "departement,nom\n23,Creuse\n", nil, "line 1"},
		{"negative", "departement,cap\n23,5\n24,-1\n", nil, "line 3"},
		{"not a number", "departement,cap\n23,five\n", nil, "line 2"},
		{"duplicate", "departement,cap\n23,5\n23,6\n", nil, "line 3"},
		{"short row", "departement,cap\n23\n", nil, "line 2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadDepartementCaps(strings.NewReader(tc.in), "caps.csv")
			if tc.errLine != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errLine) || !strings.Contains(err.Error(), "caps.csv") {
					t.Fatalf("error %v, want one naming caps.csv %s", err, tc.errLine)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
