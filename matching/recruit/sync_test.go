package recruit

import (
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/matching/registry"
)

// TestReplicasCatchUp runs two processes over one store, as two replicas
// over one PostgreSQL database: a move made through one is seen by the
// other after Sync (a recruited candidate leaves its suggestions, the
// filled posts and the opinion follow), and Sync costs nothing when
// nothing moved.
func TestReplicasCatchUp(t *testing.T) {
	w := newWorld(t, data.NewMemoryStore(), 11, 60, 8)
	a, err := New(w.store, w.r)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(w.store, w.r)
	if err != nil {
		t.Fatal(err)
	}
	res := w.match(t, a)
	got := recruitSome(t, a, res, 2)
	if _, err := a.GiveOpinion(Give{Structure: w.structRows[0].ID, Structures: w.structs, Avis: Defavorable, By: "prefet"}); err != nil {
		t.Fatal(err)
	}
	// Before catching up, b still sees the old state: the test would prove
	// nothing if b shared a's memory.
	if b.Recruited(got[0].Candidate) {
		t.Fatal("replica b sees a's move without Sync: the processes share their state")
	}
	if err := b.Sync(); err != nil {
		t.Fatal(err)
	}
	for _, g := range got {
		if !b.Recruited(g.Candidate) || b.Filled(g.Structure) != a.Filled(g.Structure) {
			t.Fatalf("after Sync, b: recruited %v, filled %d; a: filled %d", b.Recruited(g.Candidate), b.Filled(g.Structure), a.Filled(g.Structure))
		}
	}
	if o := b.Opinion(w.structRows[0].ID); o == nil || o.Avis != Defavorable {
		t.Fatalf("after Sync, b's opinion: %+v", o)
	}
	if !reflect.DeepEqual(a.Fixed(), b.Fixed()) {
		t.Fatalf("fixed pairs differ: a %v, b %v", a.Fixed(), b.Fixed())
	}
	// b's suggestions leave the candidate a recruited.
	q := registry.SuggestQuery{Candidates: w.cands, Structures: w.structs, K: registry.MaxSuggestions}
	if err := b.SuggestQuery(&q); err != nil {
		t.Fatal(err)
	}
	for _, s := range w.structRows {
		sugg, err := w.r.Matches().SuggestForStructure(s.ID, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range sugg {
			if c.ID == got[0].Candidate {
				t.Fatalf("replica b suggests %s, recruited through a, to %s", c.ID, s.ID)
			}
		}
	}
	// A move through b is seen by a in turn.
	if _, err := b.Move(Move{Structure: got[0].Structure, Candidate: got[0].Candidate, Status: Desistement, By: "t", Match: res.ID}); err != nil {
		t.Fatal(err)
	}
	if err := a.Sync(); err != nil {
		t.Fatal(err)
	}
	if a.Recruited(got[0].Candidate) {
		t.Fatal("a still counts the candidate recruited after b recorded the withdrawal")
	}
}

// TestSyncDuringMoves moves pairs through one process while Sync runs
// beside it: the state built by the moves and syncs equals a state read
// afresh from the history (no event folded in twice, none lost).
func TestSyncDuringMoves(t *testing.T) {
	w := newWorld(t, data.NewMemoryStore(), 12, 80, 10)
	// A store slow to return from an append, as a database is, so that a
	// Sync runs between a move's append and its apply.
	p, err := New(slowAppends{w.store}, w.r)
	if err != nil {
		t.Fatal(err)
	}
	other, err := New(w.store, w.r)
	if err != nil {
		t.Fatal(err)
	}
	res := w.match(t, p)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				if err := p.Sync(); err != nil {
					t.Error(err)
					return
				}
			}
		}
	}()
	for i, a := range res.Assignments {
		proc := p
		if i%3 == 2 {
			proc = other // another replica appends: p's syncs must read it
			if err := other.Sync(); err != nil {
				t.Fatal(err)
			}
		}
		pr, err := proc.Move(Move{Structure: a.Structure, Candidate: a.Candidate, Status: Interessee, By: "t", Match: res.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(pr.History) != 1 {
			t.Fatalf("move %d: the pair's first move answers a history of %d events", i, len(pr.History))
		}
	}
	close(stop)
	wg.Wait()
	if err := p.Sync(); err != nil {
		t.Fatal(err)
	}
	fresh, err := New(w.store, w.r)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Assignments) < 10 {
		t.Fatalf("only %d assignments: too few moves to race", len(res.Assignments))
	}
	for _, a := range res.Assignments {
		got, want := p.Pair(a.Structure, a.Candidate), fresh.Pair(a.Structure, a.Candidate)
		if got == nil || want == nil || len(got.History) != len(want.History) || got.Status != want.Status {
			t.Fatalf("pair %s/%s: got %+v, want %+v", a.Structure, a.Candidate, got, want)
		}
	}
}

// slowAppends is a store whose appends return a millisecond late.
type slowAppends struct{ people.RecruitmentStore }

func (s slowAppends) AppendEvent(e *people.RecruitmentEvent) error {
	err := s.RecruitmentStore.AppendEvent(e)
	time.Sleep(time.Millisecond)
	return err
}
