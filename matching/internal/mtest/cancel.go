package mtest

import (
	"context"
	"testing"
	"time"
)

// Cancellation budgets: the analyses are cancelled after CancelAfter and
// must return within StopWithin of the cancel (issue 14).
const (
	CancelAfter = 20 * time.Millisecond
	StopWithin  = 100 * time.Millisecond
)

// RunCancelled runs f with a context cancelled after delay and returns
// f's error and how long after the cancel it returned. It fails the test
// when f ended before the cancel: the instance is too small to show
// anything.
func RunCancelled(t *testing.T, delay time.Duration, f func(ctx context.Context) error) (time.Duration, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	at := make(chan time.Time, 1)
	timer := time.AfterFunc(delay, func() { at <- time.Now(); cancel() })
	defer timer.Stop()
	err := f(ctx)
	end := time.Now()
	select {
	case t0 := <-at:
		return end.Sub(t0), err
	default:
		t.Fatalf("finished in less than %v (error %v): use a larger instance", delay, err)
		return 0, nil
	}
}
