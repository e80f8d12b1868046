package layers

import (
	"log/slog"
	"testing"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/registry"
)

// TestDropPrevious: after a swap of engines the map state of the old one
// is kept for its requests until DropPrevious, which makes the state of
// the engine in service current and forgets the old one; a late request
// of the old engine then gets a state of its own over that engine.
func TestDropPrevious(t *testing.T) {
	e1 := matching.New(matching.Parts{}, matching.Options{})
	e2 := matching.New(matching.Parts{}, matching.Options{})
	reg := registry.New(nil, e1)
	h := New(&httpx.Env{Registry: reg, Logger: slog.New(slog.DiscardHandler)}, "")
	old := h.Current()
	reg.SetEngine(e2)
	if h.stateFor(e1) != old {
		t.Fatal("the old engine's state not found before the new one's is made")
	}
	h.DropPrevious()
	cur := h.states.cur.Load()
	if cur == nil || cur.e != e2 || h.states.prev != nil {
		t.Fatalf("after DropPrevious: cur of %p (want the engine in service), prev %v (want none)", cur.e, h.states.prev)
	}
	if late := h.stateFor(e1); late == old || late.e != e1 || h.states.cur.Load() != cur {
		t.Errorf("late request of the old engine: state %p (old %p) over %p, cur changed: %v", late, old, late.e, h.states.cur.Load() != cur)
	}
}
