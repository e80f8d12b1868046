package pairing

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/siteindex"
)

// processInstance is a small instance with the recruitment constraints.
type processInstance struct {
	cands   []Candidate
	structs []Structure
	caps    map[string]int
	phase   int
	fixed   []FixedPair
}

// genSmallProcess draws genSmall and adds availability and mission days,
// phases, wished départements, unfavourable opinions, a phase filter and
// fixed pairs (within posts and caps).
func genSmallProcess(r *rand.Rand) processInstance {
	cands, structs, caps := genSmall(r)
	in := processInstance{cands: cands, structs: structs, caps: caps, phase: r.IntN(3)}
	day := func() int32 {
		if r.IntN(4) == 0 {
			return 0 // not given
		}
		return 20000 + int32(r.IntN(60))
	}
	depts := [...]string{"75", "92", "93"}
	for i := range in.cands {
		in.cands[i].AvailableDay = day()
		if r.IntN(3) == 0 {
			in.cands[i].Wished = []string{depts[r.IntN(3)]}
		}
	}
	for i := range in.structs {
		in.structs[i].StartDay = day()
		in.structs[i].Phase = r.IntN(3)
		if r.IntN(6) == 0 {
			in.structs[i].Excluded = "avis_defavorable"
		}
	}
	left := make([]int, len(in.structs))
	for j, s := range in.structs {
		left[j] = s.Posts
	}
	capLeft := map[string]int{}
	for d, c := range caps {
		capLeft[d] = c
	}
	for _, c := range in.cands {
		if r.IntN(4) != 0 {
			continue
		}
		j := r.IntN(len(in.structs))
		s := in.structs[j]
		if cl, capped := capLeft[s.Departement]; left[j] == 0 || capped && cl == 0 {
			continue
		}
		left[j]--
		if _, capped := capLeft[s.Departement]; capped {
			capLeft[s.Departement]--
		}
		in.fixed = append(in.fixed, FixedPair{Candidate: c.ID, Structure: s.ID})
	}
	return in
}

// allowedPair is the test's own statement of the process rules: a pair in
// reach is allowed unless the structure is excluded or outside the phase,
// the candidate is available after the mission start, or the structure is
// outside the départements the candidate wishes.
func (p processInstance) allowedPair(c Candidate, s Structure) bool {
	if s.Excluded != "" || p.phase != 0 && s.Phase != p.phase {
		return false
	}
	if c.AvailableDay != 0 && s.StartDay != 0 && c.AvailableDay > s.StartDay {
		return false
	}
	return len(c.Wished) == 0 || slices.Contains(c.Wished, s.Departement)
}

// bruteForceProcess is bruteForce with the process: fixed pairs are taken
// first, then every assignment of the other candidates to allowed pairs is
// tried.
func bruteForceProcess(p processInstance) objective {
	weightQ := func(s Structure) int64 {
		if s.Weight == 0 {
			return 100
		}
		return int64(math.Round(s.Weight * 100))
	}
	sIdx := map[string]int{}
	for j, s := range p.structs {
		sIdx[s.ID] = j
	}
	open := make([]int, len(p.structs))
	for j, s := range p.structs {
		open[j] = s.Posts
	}
	deptLeft := map[string]int{}
	for d, c := range p.caps {
		deptLeft[d] = c
	}
	fixedOf := map[string]int{}
	var base objective
	for _, f := range p.fixed {
		j := sIdx[f.Structure]
		fixedOf[f.Candidate] = j
		open[j]--
		if _, capped := deptLeft[p.structs[j].Departement]; capped {
			deptLeft[p.structs[j].Departement]--
		}
	}
	type option struct {
		s    int
		cost int64
	}
	opts := make([][]option, len(p.cands))
	for i, c := range p.cands {
		km := c.MaxKm
		if km == 0 {
			km = DefaultCandidateMaxKm
		}
		if j, ok := fixedOf[c.ID]; ok {
			s := p.structs[j]
			base = objective{base.posts + 1, base.weightQ + weightQ(s), base.costM + int64(math.Round(geo.DistanceM(c.Point, s.Point)))}
			continue
		}
		for j, s := range p.structs {
			if d := geo.DistanceM(c.Point, s.Point); d <= km*1000 && p.allowedPair(c, s) {
				opts[i] = append(opts[i], option{j, int64(math.Round(d))})
			}
		}
	}
	best := base
	var rec func(i int, cur objective)
	rec = func(i int, cur objective) {
		if i == len(p.cands) {
			if cur.better(best) {
				best = cur
			}
			return
		}
		rec(i+1, cur)
		for _, o := range opts[i] {
			s := p.structs[o.s]
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
	rec(0, base)
	return best
}

// checkProcess verifies that res respects the process: every pair not
// fixed is allowed and in reach, every fixed pair is kept and flagged, and
// posts and caps hold.
func checkProcess(t *testing.T, k int, p processInstance, res AssignResult) {
	t.Helper()
	cs := map[string]Candidate{}
	for _, c := range p.cands {
		cs[c.ID] = c
	}
	ss := map[string]Structure{}
	for _, s := range p.structs {
		ss[s.ID] = s
	}
	fixed := map[string]string{}
	for _, f := range p.fixed {
		fixed[f.Candidate] = f.Structure
	}
	got := map[string]string{}
	filled := map[string]int{}
	deptFilled := map[string]int{}
	for _, a := range res.Assignments {
		c, s := cs[a.Candidate], ss[a.Structure]
		got[a.Candidate] = a.Structure
		filled[a.Structure]++
		deptFilled[s.Departement]++
		if want, ok := fixed[a.Candidate]; ok {
			if a.Structure != want || !a.Fixed {
				t.Fatalf("instance %d: fixed pair %s → %s became %+v", k, a.Candidate, want, a)
			}
			continue
		}
		if a.Fixed {
			t.Fatalf("instance %d: %+v flagged fixed", k, a)
		}
		km := c.MaxKm
		if km == 0 {
			km = DefaultCandidateMaxKm
		}
		if geo.DistanceM(c.Point, s.Point) > km*1000 || !p.allowedPair(c, s) {
			t.Fatalf("instance %d: pair %s → %s is out of reach or excluded (phase filter %d)\n%+v\n%+v", k, c.ID, s.ID, p.phase, c, s)
		}
	}
	for c, s := range fixed {
		if got[c] != s {
			t.Fatalf("instance %d: fixed pair %s → %s lost (got %q)", k, c, s, got[c])
		}
	}
	for id, n := range filled {
		if n > ss[id].Posts {
			t.Fatalf("instance %d: structure %s: %d filled, %d posts", k, id, n, ss[id].Posts)
		}
	}
	for d, c := range p.caps {
		if deptFilled[d] > c {
			t.Fatalf("instance %d: département %s: %d filled, cap %d", k, d, deptFilled[d], c)
		}
	}
}

func TestAssignProcessMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 21))
	n := 2000
	if testing.Short() {
		n = 300
	}
	for k := range n {
		p := genSmallProcess(r)
		want := bruteForceProcess(p)
		for _, alg := range []string{AlgorithmOptimal, AlgorithmGreedy} {
			res, err := Assign(context.Background(), p.cands, p.structs, AssignOptions{Algorithm: alg, DepartementCaps: p.caps,
				Phase: p.phase, Fixed: p.fixed, Workers: 1 + k%2})
			if err != nil {
				t.Fatalf("instance %d, %s: %v", k, alg, err)
			}
			checkProcess(t, k, p, res)
			got := objectiveOf(t, res, p.structs)
			if alg == AlgorithmOptimal && got != want {
				t.Fatalf("instance %d: optimal %+v, brute force %+v\n%+v", k, got, want, p)
			}
			if alg == AlgorithmGreedy && got.posts > want.posts {
				t.Fatalf("instance %d: greedy fills %d posts, more than the best %d", k, got.posts, want.posts)
			}
		}
	}
}

func TestAssignProcessReasons(t *testing.T) {
	// One structure 10 km from three candidates; each is kept off it by a
	// different rule, and the reasons say which.
	s := Structure{ID: "s", Point: orb.Point{2.35, 48.86}, Posts: 3, Departement: "75", StartDay: 100, Phase: 2}
	at := orb.Point{2.35, 48.95}
	cands := []Candidate{
		{ID: "late", Point: at, Departement: "75", AvailableDay: 101},
		{ID: "wish", Point: at, Departement: "75", Wished: []string{"92"}},
		{ID: "ok", Point: at, Departement: "75", AvailableDay: 100},
	}
	res, err := Assign(context.Background(), cands, []Structure{s}, AssignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, u := range res.Unmatched {
		reasons[u.Candidate] = u.Reason
	}
	if len(res.Assignments) != 1 || res.Assignments[0].Candidate != "ok" ||
		reasons["late"] != ReasonAvailableAfterStart || reasons["wish"] != ReasonDepartementNotWished {
		t.Errorf("assignments %+v, reasons %v", res.Assignments, reasons)
	}
	// Phase 1 only: the private structure is out, for everyone.
	res, err = Assign(context.Background(), cands, []Structure{s}, AssignOptions{Phase: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Assignments) != 0 || len(res.Unfilled) != 1 || res.Unfilled[0].Reason != ReasonPhaseExcluded {
		t.Errorf("phase 1: assignments %+v, unfilled %+v", res.Assignments, res.Unfilled)
	}
	for _, u := range res.Unmatched {
		if u.Reason != ReasonPhaseExcluded || u.Excluded == nil || u.Excluded.Phase != 1 {
			t.Errorf("phase 1: unmatched %+v (excluded %+v)", u, u.Excluded)
		}
	}
	// An excluded structure gives its own reason.
	s.Excluded = "avis_defavorable"
	res, err = Assign(context.Background(), cands, []Structure{s}, AssignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Unfilled) != 1 || res.Unfilled[0].Reason != "avis_defavorable" || res.Unmatched[0].Reason != ReasonStructureExcluded {
		t.Errorf("excluded: unfilled %+v, unmatched %+v", res.Unfilled, res.Unmatched)
	}
}

func TestAssignFixedValidation(t *testing.T) {
	cands := []Candidate{{ID: "a", Point: orb.Point{2.35, 48.86}}, {ID: "b", Point: orb.Point{2.35, 48.86}}}
	structs := []Structure{{ID: "s", Point: orb.Point{2.35, 48.86}, Posts: 1}}
	for _, fixed := range [][]FixedPair{
		{{Candidate: "x", Structure: "s"}},
		{{Candidate: "a", Structure: "s"}, {Candidate: "a", Structure: "s"}},
		{{Candidate: "a", Structure: "s"}, {Candidate: "b", Structure: "s"}},
	} {
		if _, err := Assign(context.Background(), cands, structs, AssignOptions{Fixed: fixed}); err == nil {
			t.Errorf("fixed %v: no error", fixed)
		}
	}
}

func TestSuggestProcess(t *testing.T) {
	s := Structure{ID: "s", Point: orb.Point{2.35, 48.86}, Posts: 1, Departement: "75", StartDay: 100}
	at := orb.Point{2.35, 48.90}
	cands := []Candidate{
		{ID: "late", Point: at, Departement: "75", AvailableDay: 101},
		{ID: "wish", Point: at, Departement: "75", Wished: []string{"92"}},
		{ID: "ok", Point: at, Departement: "75", AvailableDay: 99},
	}
	ix := siteindex.New([]orb.Point{at, at, at})
	for _, idx := range []*siteindex.Index{nil, ix} {
		got := SuggestCandidates(s, cands, idx, nil, 5)
		if len(got) != 1 || got[0].ID != "ok" {
			t.Errorf("SuggestCandidates (index %v) = %v, want only ok", idx != nil, got)
		}
	}
	sx := siteindex.New([]orb.Point{s.Point})
	for _, c := range cands {
		got := SuggestStructures(c, []Structure{s}, sx, nil, 5)
		if want := c.ID == "ok"; (len(got) == 1) != want {
			t.Errorf("SuggestStructures(%s) = %v, want a suggestion: %v", c.ID, got, want)
		}
	}
	s.Excluded = "avis_defavorable"
	if got := SuggestStructures(cands[2], []Structure{s}, sx, nil, 5); len(got) != 0 {
		t.Errorf("excluded structure suggested: %v", got)
	}
}
