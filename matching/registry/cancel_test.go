package registry

import (
	"context"
	"errors"
	"testing"
)

// TestMatchCancelledStoresNothing: a match whose context is done once the
// result is computed is not stored (its requester would never get the id).
func TestMatchCancelledStoresNothing(t *testing.T) {
	cands, structs := handFixture()
	r := New(nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Matches().Match(ctx, MatchRequest{Candidates: cands, Structures: structs}); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if metas, err := r.Store().List(); err != nil || len(metas) != 0 {
		t.Fatalf("stored %v (%v), want nothing", metas, err)
	}
	if _, err := r.Matches().Match(context.Background(), MatchRequest{Candidates: cands, Structures: structs}); err != nil {
		t.Fatal(err)
	}
	if metas, _ := r.Store().List(); len(metas) != 1 {
		t.Fatalf("stored %d datasets, want 1", len(metas))
	}
}
