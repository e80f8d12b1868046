package matching

import (
	"cmp"
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/maillage/maillage/data"
)

// Cancellation budgets: the analyses are cancelled after cancelAfter and
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

// TestRecommendNationalCancelled cancels a national recommendation (500
// sites among the 35,000 communes against the 2020 network at 5 km, about
// a second of work) 20 ms in: it stops within 100 ms with the context's
// error.
func TestRecommendNationalCancelled(t *testing.T) {
	e := coverageEngine(t)
	layer := data.LayerFranceServices2020
	reach := ReachKm(5)
	// The shared caches (the coverage index, the layer's nearest sites) are
	// built once for every request, not stopped: warm them first.
	if _, err := e.Recommend(context.Background(), RecommendQuery{Layers: []string{layer}, Reach: &reach, Departement: "23", K: 1}); err != nil {
		t.Fatal(err)
	}
	q := RecommendQuery{Layers: []string{layer}, Reach: &reach, K: 500}
	for range 3 { // the three phases: demand, first gains, lazy greedy
		after, err := runCancelled(t, cancelAfter, func(ctx context.Context) error {
			_, err := e.Recommend(ctx, q)
			return err
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
		if after > stopWithin {
			t.Fatalf("returned %v after the cancel, want within %v", after, stopWithin)
		}
		t.Logf("stopped %v after the cancel: %v", after, err)
	}
}

// TestAssignCancelled cancels the graph building of an assignment and the
// min-cost flow of a tight instance (posts about as many as candidates,
// seconds of work) 20 ms in: each stops within 100 ms. An assignment whose
// context is already done does nothing.
func TestAssignCancelled(t *testing.T) {
	cands, structs := genInstance(genSpec{Seed: 2025, Candidates: 20000, Structures: 10000, MaxPosts: 3, Clustered: 0.5})
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

// TestMatchCancelledStoresNothing: a match whose context is done once the
// result is computed is not stored (its requester would never get the id).
func TestMatchCancelledStoresNothing(t *testing.T) {
	cands, structs := handFixture()
	r := NewRegistry(nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Match(ctx, MatchRequest{Candidates: cands, Structures: structs}); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if metas, err := r.Store().List(); err != nil || len(metas) != 0 {
		t.Fatalf("stored %v (%v), want nothing", metas, err)
	}
	if _, err := r.Match(context.Background(), MatchRequest{Candidates: cands, Structures: structs}); err != nil {
		t.Fatal(err)
	}
	if metas, _ := r.Store().List(); len(metas) != 1 {
		t.Fatalf("stored %d datasets, want 1", len(metas))
	}
}

// TestEstimateEdges: with no more candidates than the sample, the estimate
// is exact; beyond, it is near the count Assign reports.
func TestEstimateEdges(t *testing.T) {
	small, smallS := genInstance(genSpec{Seed: 3, Candidates: edgeSample, Structures: 300, MaxPosts: 2, Clustered: 0.5})
	big, bigS := genInstance(genSpec{Seed: 4, Candidates: 20000, Structures: 2000, MaxPosts: 2, Clustered: 0.5})
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

// TestDemandSetOrder: demand cells are in (strip, longitude, input order)
// order whatever the input order, and a done context stops the build.
func TestDemandSetOrder(t *testing.T) {
	w := newSitingWorld(t, 1, 0, 10)
	g := w.e.grid
	r := rand.New(rand.NewPCG(7, 7))
	cells := make([]int32, len(g.Centers))
	pops := make([]float64, len(g.Centers))
	for i := range cells {
		cells[i], pops[i] = int32(i), float64(r.IntN(3)) // a third without demand, dropped
	}
	r.Shuffle(len(cells), func(i, j int) { cells[i], cells[j] = cells[j], cells[i] })
	d, err := newDemandSet(context.Background(), g, 5000, cells, pops, nil)
	if err != nil {
		t.Fatal(err)
	}
	pos := make(map[int32]int, len(cells)) // grid cell → input position
	for k, c := range cells {
		pos[c] = k
	}
	n := 0
	for _, p := range pops {
		if p > 0 {
			n++
		}
	}
	if d.len() != n {
		t.Fatalf("%d demand cells, want %d", d.len(), n)
	}
	strip := func(i int) int { return int((g.Centers[d.cell[i]][1] + 90) / d.stripDeg) }
	for i := 1; i < d.len(); i++ {
		c := cmp.Or(cmp.Compare(strip(i-1), strip(i)), cmp.Compare(d.lon[i-1], d.lon[i]), cmp.Compare(pos[d.cell[i-1]], pos[d.cell[i]]))
		if c >= 0 {
			t.Fatalf("demand cells %d and %d out of order", i-1, i)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := newDemandSet(ctx, g, 5000, cells, pops, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("done context: error %v", err)
	}
}
