package pairing

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Cancellation budgets: the assignment is cancelled after cancelAfter and
// must return within stopWithin of the cancel.
const (
	cancelAfter = 20 * time.Millisecond
	stopWithin  = 100 * time.Millisecond
)

// runCancelled runs f with a context cancelled after delay and returns
// f's error and how long after the cancel it returned. It fails the test
// when f ended before the cancel: the instance is too small to show
// anything.
func runCancelled(t *testing.T, delay time.Duration, f func(ctx context.Context) error) (time.Duration, error) {
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

// TestAssignCancelled cancels the graph building of an assignment and the
// min-cost flow of a tight instance (posts about as many as candidates,
// seconds of work) 20 ms in: each stops within 100 ms. An assignment whose
// context is already done does nothing.
func TestAssignCancelled(t *testing.T) {
	cands, structs := Synthetic(SyntheticSpec{Seed: 2025, Candidates: 20000, Structures: 10000, MaxPosts: 3, Clustered: 0.5})
	check := func(t *testing.T, err error, after time.Duration) {
		t.Helper()
		if !errors.Is(err, context.Canceled) || after > stopWithin {
			t.Fatalf("error %v %v after the cancel, want context.Canceled within %v", err, after, stopWithin)
		}
	}
	t.Run("graph", func(t *testing.T) {
		after, err := runCancelled(t, cancelAfter, func(ctx context.Context) error {
			_, err := Assign(ctx, cands, structs, AssignOptions{Algorithm: AlgorithmGreedy})
			return err
		})
		check(t, err, after)
	})
	t.Run("min-cost flow", func(t *testing.T) {
		in, err := newAssignInput(context.Background(), cands, structs, AssignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		g, err := buildAssignGraph(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		// At 20 ms the network is being laid out; at 500 ms the searches run.
		for _, delay := range []time.Duration{cancelAfter, 500 * time.Millisecond} {
			after, err := runCancelled(t, delay, func(ctx context.Context) error {
				_, err := solveOptimal(ctx, in, g)
				return err
			})
			check(t, err, after)
		}
	})
	t.Run("done context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for _, alg := range []string{AlgorithmOptimal, AlgorithmGreedy} {
			if _, err := Assign(ctx, cands[:10], structs[:10], AssignOptions{Algorithm: alg}); !errors.Is(err, context.Canceled) {
				t.Fatalf("%s: error %v, want context.Canceled", alg, err)
			}
		}
	})
}

// TestEstimateEdges: with no more candidates than the sample, the estimate
// is exact; beyond, it is near the count Assign reports.
func TestEstimateEdges(t *testing.T) {
	small, smallS := Synthetic(SyntheticSpec{Seed: 3, Candidates: edgeSample, Structures: 300, MaxPosts: 2, Clustered: 0.5})
	big, bigS := Synthetic(SyntheticSpec{Seed: 4, Candidates: 20000, Structures: 2000, MaxPosts: 2, Clustered: 0.5})
	for _, tc := range []struct {
		name    string
		cands   []Candidate
		structs []Structure
		tol     float64
	}{{"exact", small, smallS, 0}, {"sampled", big, bigS, 0.35}} {
		res, err := Assign(context.Background(), tc.cands, tc.structs, AssignOptions{Algorithm: AlgorithmGreedy})
		if err != nil {
			t.Fatal(err)
		}
		est := EstimateEdges(tc.cands, tc.structs)
		if d := float64(est - int64(res.Edges)); d > tc.tol*float64(res.Edges) || -d > tc.tol*float64(res.Edges) {
			t.Errorf("%s: estimate %d, edges %d (tolerance %.0f %%)", tc.name, est, res.Edges, tc.tol*100)
		}
	}
	if got := EstimateEdges(nil, bigS); got != 0 {
		t.Errorf("no candidates: %d", got)
	}
}
