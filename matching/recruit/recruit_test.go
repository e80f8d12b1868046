package recruit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/boltstore"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/pairing"
	"github.com/maillage/maillage/matching/registry"
)

// world is a registry with a candidates and a structures dataset.
type world struct {
	r              *registry.Registry
	store          data.Store
	cands, structs string
	candRows       []people.Candidate
	structRows     []people.Structure
}

// newWorld stores nc candidates and ns structures drawn around Paris
// (départements 75, 92, 93 by longitude band), with dates and phases.
func newWorld(t testing.TB, store data.Store, seed uint64, nc, ns int) *world {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	dep := func(p orb.Point) string {
		switch {
		case p[0] < 2.25:
			return "92"
		case p[0] < 2.45:
			return "75"
		}
		return "93"
	}
	pt := func() orb.Point { return orb.Point{2.1 + 0.5*rng.Float64(), 48.75 + 0.2*rng.Float64()} }
	w := &world{store: store}
	for i := range nc {
		p := pt()
		w.candRows = append(w.candRows, people.Candidate{ID: fmt.Sprintf("c%d", i), Point: p, MaxKm: 5 + float64(rng.IntN(20)), Departement: dep(p),
			LocatedBy: people.LocatedByCoordinates, AvailableFrom: fmt.Sprintf("2027-01-%02d", 1+rng.IntN(28))})
	}
	types := []string{"commune", "association", "privee"}
	for i := range ns {
		p := pt()
		typ := types[rng.IntN(len(types))]
		w.structRows = append(w.structRows, people.Structure{ID: fmt.Sprintf("s%d", i), Name: "S" + fmt.Sprint(i), Type: typ, Point: p,
			Posts: 1 + rng.IntN(3), Departement: dep(p), LocatedBy: people.LocatedByCoordinates,
			MissionStart: fmt.Sprintf("2027-01-%02d", 10+rng.IntN(19)), Phase: people.PhaseOfType(typ)})
	}
	w.r = registry.New(store, matching.New(matching.Parts{}, matching.Options{}))
	ci, err := w.r.Datasets().Add(&data.Dataset{Meta: data.DatasetMeta{Kind: data.KindCandidates}, Candidates: w.candRows})
	if err != nil {
		t.Fatal(err)
	}
	si, err := w.r.Datasets().Add(&data.Dataset{Meta: data.DatasetMeta{Kind: data.KindStructures}, Structures: w.structRows})
	if err != nil {
		t.Fatal(err)
	}
	w.cands, w.structs = ci.ID, si.ID
	return w
}

func (w *world) match(t testing.TB, p *Process) *registry.MatchResult {
	t.Helper()
	req := registry.MatchRequest{CandidatesDataset: w.cands, StructuresDataset: w.structs}
	p.MatchRequest(&req)
	res, err := w.r.Matches().Match(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestStatusMachine(t *testing.T) {
	w := newWorld(t, data.NewMemoryStore(), 1, 40, 10)
	p, err := New(w.store, w.r)
	if err != nil {
		t.Fatal(err)
	}
	res := w.match(t, p)
	if len(res.Assignments) < 2 {
		t.Fatalf("only %d assignments", len(res.Assignments))
	}
	a := res.Assignments[0]
	move := func(status string) error {
		_, err := p.Move(Move{Structure: a.Structure, Candidate: a.Candidate, Status: status, By: "tester"})
		return err
	}
	steps := []struct {
		status  string
		current string // "" when the move is legal, else the status the 409 names
	}{
		{Recrutee, Proposee}, // must be interessee first
		{Interessee, ""},
		{Proposee, Interessee},
		{Recrutee, ""},
		{Proposee, Recrutee}, // recrutee → proposee: refused
		{Interessee, Recrutee},
		{Desistement, ""},
		{Interessee, Desistement}, // final
	}
	for i, st := range steps {
		err := move(st.status)
		var ce *ConflictError
		switch {
		case st.current == "" && err != nil:
			t.Fatalf("step %d → %s: %v", i, st.status, err)
		case st.current != "" && (!errors.As(err, &ce) || ce.Current != st.current || !strings.Contains(err.Error(), st.current)):
			t.Fatalf("step %d → %s: %v, want a conflict naming %s", i, st.status, err, st.current)
		}
	}
	pr := p.Pair(a.Structure, a.Candidate)
	if pr == nil || pr.Status != Desistement || len(pr.History) != 3 || pr.History[0].By != "tester" || pr.Match != res.ID {
		t.Fatalf("pair %+v", pr)
	}
	if _, err := p.Move(Move{Structure: a.Structure, Candidate: a.Candidate, Status: "embauchee", By: "t"}); !errors.Is(err, ErrBadRequest) {
		t.Fatalf("unknown status: %v", err)
	}
	if _, err := p.Move(Move{Structure: "nope", Candidate: a.Candidate, Status: Interessee, By: "t", Match: res.ID}); !errors.Is(err, registry.ErrUnknownRow) {
		t.Fatalf("unknown structure: %v", err)
	}
}

// recruitSome moves up to n assignments of res to recrutee.
func recruitSome(t testing.TB, p *Process, res *registry.MatchResult, n int) []pairing.Assignment {
	t.Helper()
	var out []pairing.Assignment
	for _, a := range res.Assignments {
		if len(out) == n {
			break
		}
		for _, st := range []string{Interessee, Recrutee} {
			if _, err := p.Move(Move{Structure: a.Structure, Candidate: a.Candidate, Status: st, By: "t", Match: res.ID}); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, a)
	}
	return out
}

func TestRematchNeverMovesRecruited(t *testing.T) {
	moved := 0
	defer func() {
		if moved == 0 && !t.Failed() {
			t.Error("in no instance would a free match have moved a recruited pair: the test proves nothing")
		}
	}()
	for seed := range uint64(20) {
		w := newWorld(t, data.NewMemoryStore(), seed, 60, 12)
		p, err := New(w.store, w.r)
		if err != nil {
			t.Fatal(err)
		}
		res := w.match(t, p)
		fixed := recruitSome(t, p, res, 1+int(seed%3))
		// And pairs the optimum did not choose: the farthest candidate a
		// structure may be proposed, recruited on a suggestion.
		q := registry.SuggestQuery{Candidates: w.cands, Structures: w.structs, K: registry.MaxSuggestions}
		if err := p.SuggestQuery(&q); err != nil {
			t.Fatal(err)
		}
		for _, s := range w.structRows[:4] {
			sug, err := w.r.Matches().SuggestForStructure(s.ID, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(sug) < 2 || p.Filled(s.ID) == s.Posts {
				continue
			}
			c := sug[len(sug)-1].ID
			for _, st := range []string{Interessee, Recrutee} {
				if _, err := p.Move(Move{Structure: s.ID, Candidate: c, Status: st, By: "t", Candidates: w.cands, Structures: w.structs}); err != nil {
					t.Fatal(err)
				}
			}
			fixed = append(fixed, pairing.Assignment{Candidate: c, Structure: s.ID})
		}
		again := w.match(t, p)
		got := map[string]string{}
		for _, a := range again.Assignments {
			got[a.Candidate] = a.Structure
		}
		for _, f := range fixed {
			if got[f.Candidate] != f.Structure {
				t.Fatalf("seed %d: recruited %s → %s moved to %q", seed, f.Candidate, f.Structure, got[f.Candidate])
			}
		}
		if again.FixedPairs != len(fixed) || again.FixedPairs == 0 {
			t.Fatalf("seed %d: %d fixed pairs reported, %d recruited", seed, again.FixedPairs, len(fixed))
		}
		// Without them, the optimum moves some: the test can fail.
		free, err := w.r.Matches().Run(context.Background(), registry.MatchRequest{CandidatesDataset: w.cands, StructuresDataset: w.structs})
		if err != nil {
			t.Fatal(err)
		}
		freeGot := map[string]string{}
		for _, a := range free.Assignments {
			freeGot[a.Candidate] = a.Structure
		}
		for _, f := range fixed {
			if freeGot[f.Candidate] != f.Structure {
				moved++
				break
			}
		}
	}
}

func TestSuggestionsFollowRecruitment(t *testing.T) {
	w := newWorld(t, data.NewMemoryStore(), 3, 80, 6)
	p, err := New(w.store, w.r)
	if err != nil {
		t.Fatal(err)
	}
	res := w.match(t, p)
	a := recruitSome(t, p, res, 1)[0]
	q := registry.SuggestQuery{Candidates: w.cands, Structures: w.structs, K: registry.MaxSuggestions}
	if err := p.SuggestQuery(&q); err != nil {
		t.Fatal(err)
	}
	// The recruited candidate is proposed to no other structure, and gets
	// no structure.
	for _, s := range w.structRows {
		got, err := w.r.Matches().SuggestForStructure(s.ID, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range got {
			if c.ID == a.Candidate {
				t.Fatalf("recruited candidate %s suggested to %s", a.Candidate, s.ID)
			}
		}
	}
	if got, _ := w.r.Matches().SuggestForCandidate(a.Candidate, q); len(got) != 0 {
		t.Fatalf("recruited candidate got suggestions %v", got)
	}
	// Fill every post of its structure: it leaves the candidates' lists.
	var st people.Structure
	for _, s := range w.structRows {
		if s.ID == a.Structure {
			st = s
		}
	}
	for _, c := range w.candRows {
		if p.Filled(st.ID) == st.Posts {
			break
		}
		if c.ID == a.Candidate || p.Recruited(c.ID) {
			continue
		}
		for _, s := range []string{Interessee, Recrutee} {
			if _, err := p.Move(Move{Structure: st.ID, Candidate: c.ID, Status: s, By: "t", Candidates: w.cands, Structures: w.structs}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if p.Filled(st.ID) != st.Posts {
		t.Fatalf("structure %s: %d filled of %d", st.ID, p.Filled(st.ID), st.Posts)
	}
	for _, c := range w.candRows {
		got, err := w.r.Matches().SuggestForCandidate(c.ID, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range got {
			if s.ID == st.ID {
				t.Fatalf("full structure %s suggested to %s", st.ID, c.ID)
			}
		}
	}
	// A full structure refuses one more recruitment.
	for _, c := range w.candRows {
		if p.Recruited(c.ID) {
			continue
		}
		p.Move(Move{Structure: st.ID, Candidate: c.ID, Status: Interessee, By: "t", Candidates: w.cands, Structures: w.structs})
		_, err := p.Move(Move{Structure: st.ID, Candidate: c.ID, Status: Recrutee, By: "t", Candidates: w.cands, Structures: w.structs})
		var ce *ConflictError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "posts filled") {
			t.Fatalf("recruiting into a full structure: %v", err)
		}
		break
	}
}

func TestOpinionExcludesAndExports(t *testing.T) {
	w := newWorld(t, data.NewMemoryStore(), 5, 60, 8)
	p, err := New(w.store, w.r)
	if err != nil {
		t.Fatal(err)
	}
	res := w.match(t, p)
	s := res.Assignments[0].Structure
	if _, err := p.GiveOpinion(Give{Structure: s, Structures: w.structs, Avis: Defavorable, Comment: "=dossier incomplet", By: "prefet"}); err != nil {
		t.Fatal(err)
	}
	again := w.match(t, p)
	for _, a := range again.Assignments {
		if a.Structure == s {
			t.Fatalf("structure %s with an unfavourable opinion got %s", s, a.Candidate)
		}
	}
	found := false
	for _, u := range again.Unfilled {
		found = found || u.Structure == s && u.Reason == ReasonDefavorable
	}
	if !found {
		t.Fatalf("unfilled %+v lacks %s (%s)", again.Unfilled, s, ReasonDefavorable)
	}
	// Favourable again: it matches again.
	if _, err := p.GiveOpinion(Give{Structure: s, Structures: w.structs, Avis: Favorable, By: "prefet"}); err != nil {
		t.Fatal(err)
	}
	if p.ExcludedReason(s) != "" {
		t.Fatal("still excluded")
	}
	var dep string
	for _, r := range w.structRows {
		if r.ID == s {
			dep = r.Departement
		}
	}
	ops, err := p.Opinions(w.structs, dep, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteOpinionsCSV(&buf, ops); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), s+",") || !strings.Contains(buf.String(), ",favorable,") || strings.Count(buf.String(), "\n") != len(ops)+1 {
		t.Fatalf("export:\n%s", buf.String())
	}
	if _, err := p.GiveOpinion(Give{Structure: s, Structures: w.structs, Avis: "bof", By: "prefet"}); !errors.Is(err, ErrBadRequest) {
		t.Fatalf("bad avis: %v", err)
	}
}

func TestHistorySurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	store, err := boltstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, store, 7, 60, 8)
	p, err := New(store, w.r)
	if err != nil {
		t.Fatal(err)
	}
	res := w.match(t, p)
	fixed := recruitSome(t, p, res, 2)
	if _, err := p.GiveOpinion(Give{Structure: w.structRows[0].ID, Structures: w.structs, Avis: Reserve, By: "prefet"}); err != nil {
		t.Fatal(err)
	}
	store.Close()

	store, err = boltstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	r := registry.New(store, matching.New(matching.Parts{}, matching.Options{}))
	p2, err := New(store, r)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fixed {
		pr := p2.Pair(f.Structure, f.Candidate)
		if pr == nil || pr.Status != Recrutee || len(pr.History) != 2 {
			t.Fatalf("after restart: pair %+v", pr)
		}
	}
	if o := p2.Opinion(w.structRows[0].ID); o == nil || o.Avis != Reserve {
		t.Fatalf("after restart: opinion %+v", o)
	}
	if len(p2.Fixed()) != len(fixed) {
		t.Fatalf("after restart: fixed %v", p2.Fixed())
	}
}

func TestDashboard(t *testing.T) {
	w := newWorld(t, data.NewMemoryStore(), 9, 100, 12)
	p, err := New(w.store, w.r)
	if err != nil {
		t.Fatal(err)
	}
	res := w.match(t, p)
	fixed := recruitSome(t, p, res, 3)
	if _, err := p.GiveOpinion(Give{Structure: w.structRows[0].ID, Structures: w.structs, Avis: Favorable, By: "prefet", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	rows, err := p.Dashboard(DashboardQuery{Candidates: w.cands, Structures: w.structs})
	if err != nil {
		t.Fatal(err)
	}
	// The test's own sums, from the rows.
	var total Figures
	for _, r := range rows {
		total.Structures += r.Structures
		total.PostsRequested += r.PostsRequested
		total.PostsFavorable += r.PostsFavorable
		total.PostsFilled += r.PostsFilled
		var byPhase Figures
		for _, ph := range r.ByPhase {
			byPhase.PostsRequested += ph.PostsRequested
			byPhase.PostsFilled += ph.PostsFilled
		}
		if byPhase.PostsRequested != r.PostsRequested || byPhase.PostsFilled != r.PostsFilled {
			t.Fatalf("département %s: phases sum to %+v, total %+v", r.Departement, byPhase, r.Figures)
		}
	}
	posts := 0
	for _, s := range w.structRows {
		posts += s.Posts
	}
	if total.Structures != len(w.structRows) || total.PostsRequested != posts || total.PostsFilled != len(fixed) ||
		total.PostsFavorable != w.structRows[0].Posts {
		t.Fatalf("totals %+v: want %d structures, %d posts, %d filled, %d favourable", total, len(w.structRows), posts, len(fixed), w.structRows[0].Posts)
	}
	one, err := p.Dashboard(DashboardQuery{Candidates: w.cands, Structures: w.structs, Departement: "75"})
	if err != nil || len(one) != 1 || one[0].Departement != "75" {
		t.Fatalf("département 75: %+v, %v", one, err)
	}
	var buf bytes.Buffer
	if err := WriteDashboardCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "departement,phase,structures,posts_requested,posts_favorable,posts_filled,candidates_available_in_reach\n75,all,") {
		t.Fatalf("csv:\n%s", buf.String())
	}
}
