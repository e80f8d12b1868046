package siting

import (
	"cmp"
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/internal/mtest"
)

// TestRecommendNationalCancelled cancels a national recommendation (500
// sites among the 35,000 communes against the 2020 network at 5 km, about
// a second of work) 20 ms in: it stops within 100 ms with the context's
// error.
func TestRecommendNationalCancelled(t *testing.T) {
	e := mtest.Real(t)
	layer := data.LayerFranceServices2020
	reach := coverage.ReachKm(5)
	// The shared caches (the coverage index, the layer's nearest sites) are
	// built once for every request, not stopped: warm them first.
	if _, err := Recommend(context.Background(), e, RecommendQuery{Layers: []string{layer}, Reach: &reach, Departement: "23", K: 1}); err != nil {
		t.Fatal(err)
	}
	q := RecommendQuery{Layers: []string{layer}, Reach: &reach, K: 500}
	for range 3 { // the three phases: demand, first gains, lazy greedy
		after, err := mtest.RunCancelled(t, mtest.CancelAfter, func(ctx context.Context) error {
			_, err := Recommend(ctx, e, q)
			return err
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
		if after > mtest.StopWithin {
			t.Fatalf("returned %v after the cancel, want within %v", after, mtest.StopWithin)
		}
		t.Logf("stopped %v after the cancel: %v", after, err)
	}
}

// TestDemandSetOrder: demand cells are in (strip, longitude, input order)
// order whatever the input order, and a done context stops the build.
func TestDemandSetOrder(t *testing.T) {
	w := newSitingWorld(t, 1, 0, 10)
	g := w.e.Grid()
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
