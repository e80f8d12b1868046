package storetest

import (
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
)

// event returns a status event of pair (s, c) from one status to another.
func event(s, c, from, to string, at time.Time) *people.RecruitmentEvent {
	return &people.RecruitmentEvent{Kind: people.EventStatus, Structure: s, Candidate: c, Departement: "23", CandidateDepartement: "87",
		Match: "match-1", Status: to, From: from, Comment: "entretien prévu — « ok »", By: "prefecture-23", At: at, Posts: 2, Phase: 1}
}

// recruitmentEvents checks the compare-and-append of the history: a
// chain per key, a stale From refused with the current status, every
// field and the order kept.
func recruitmentEvents(t *testing.T, s data.Store) {
	if evs, err := s.Events(); err != nil || len(evs) != 0 {
		t.Fatalf("Events of an empty store: %v, %v", evs, err)
	}
	if n, err := s.EventCount(); err != nil || n != 0 {
		t.Fatalf("EventCount of an empty store: %d, %v", n, err)
	}
	at := created
	chain := []*people.RecruitmentEvent{
		event("s1", "c1", "", "interessee", at),
		event("s1", "c2", "", "non_retenue", at.Add(time.Second)),
		event("s1", "c1", "interessee", "recrutee", at.Add(2*time.Second)),
		{Kind: people.EventAvis, Structure: "s1", Departement: "23", Status: "favorable", By: "prefet-23", At: at.Add(3 * time.Second)},
		{Kind: people.EventAvis, Structure: "s1", Departement: "23", Status: "reserve", From: "favorable", By: "prefet-23", At: at.Add(4 * time.Second)},
	}
	for i, e := range chain {
		if err := s.AppendEvent(e); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		if i > 0 && e.Seq <= chain[i-1].Seq {
			t.Fatalf("append %d: seq %d after %d", i, e.Seq, chain[i-1].Seq)
		}
	}
	// A move from a status the pair has left is refused, naming the
	// current one, and stores nothing.
	err := s.AppendEvent(event("s1", "c1", "interessee", "non_retenue", at))
	var stale *people.StaleError
	if !errors.As(err, &stale) || stale.Current != "recrutee" {
		t.Fatalf("stale append: %v, want a StaleError with current recrutee", err)
	}
	if err := s.AppendEvent(event("s2", "c1", "proposee", "interessee", at)); !errors.As(err, &stale) || stale.Current != "" {
		t.Fatalf("append from a status never recorded: %v, want a StaleError with current \"\"", err)
	}
	if err := s.AppendEvent(&people.RecruitmentEvent{Kind: people.EventStatus, Structure: "s1", Status: "x", By: "b", At: at}); !errors.Is(err, people.ErrBadEvent) {
		t.Fatalf("event without candidate: %v, want ErrBadEvent", err)
	}
	got, err := s.Events()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(chain) {
		t.Fatalf("%d events, want %d", len(got), len(chain))
	}
	// The count replicas compare to catch up: every stored event, none of
	// the refused ones.
	if n, err := s.EventCount(); err != nil || n != int64(len(chain)) {
		t.Fatalf("EventCount = %d, %v; want %d", n, err, len(chain))
	}
	for i, e := range chain {
		g := got[i]
		if !g.At.Equal(e.At) {
			t.Errorf("event %d: at %v, want %v", i, g.At, e.At)
		}
		g.At = e.At
		if !reflect.DeepEqual(g, *e) {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, g, *e)
		}
	}
}

// concurrentEvents checks that of many appends from one status, exactly
// one wins.
func concurrentEvents(t *testing.T, s data.Store) {
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.AppendEvent(event("s", "c", "", "interessee", created))
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		var stale *people.StaleError
		switch {
		case err == nil:
			won++
		case !errors.As(err, &stale) || stale.Current != "interessee":
			t.Errorf("append: %v", err)
		}
	}
	if evs, _ := s.Events(); won != 1 || len(evs) != 1 {
		t.Fatalf("%d appends won, %d events stored; want 1 and 1", won, len(evs))
	}
}
