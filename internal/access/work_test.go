package access

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestWorkBoundsAcquire: a weight above the capacity runs alone, a full
// bound answers 503 busy with Retry-After after the queue timeout, a
// client gone while waiting gets its context's error, and a negative
// capacity lifts the bound.
func TestWorkBoundsAcquire(t *testing.T) {
	b := NewWorkBounds(WorkLimits{UploadBytes: 10, MatchEdges: 100, SitingSites: -1, LayerFeatures: 5, QueueTimeout: 50 * time.Millisecond}.WithDefaults(1000))
	ctx := context.Background()
	release, err := b.Acquire(ctx, WorkMatch, 1_000_000) // lowered to 100: runs alone
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	_, err = b.Acquire(ctx, WorkMatch, 1)
	var e *BusyError
	if !errors.As(err, &e) || !errors.Is(err, ErrBusy) || e.RetryAfterS != 1 {
		t.Fatalf("full bound: %v, want busy with a retry after 1 s", err)
	}
	if d := time.Since(t0); d < 50*time.Millisecond || d > time.Second {
		t.Errorf("busy after %v, want the 50 ms queue timeout", d)
	}
	gone, cancel := context.WithCancel(ctx)
	time.AfterFunc(10*time.Millisecond, cancel)
	if _, err := b.Acquire(gone, WorkMatch, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("client gone: %v, want context.Canceled", err)
	}
	if r, err := b.Acquire(ctx, WorkLayer, 5); err != nil { // other kinds are not queued behind
		t.Fatal(err)
	} else {
		r()
	}
	release()
	if r, err := b.Acquire(ctx, WorkMatch, 100); err != nil {
		t.Fatalf("after release: %v", err)
	} else {
		r()
	}
	for range 3 { // unbounded
		if _, err := b.Acquire(ctx, WorkSiting, 1<<40); err != nil {
			t.Fatal(err)
		}
	}
}
