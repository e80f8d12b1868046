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
