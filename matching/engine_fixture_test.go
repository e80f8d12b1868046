package matching

import (
	"testing"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/matching/internal/tinyworld"
)

// tinyWorld is an engine over the tiny world (package tinyworld: communes
// A, D, B and C, layers "france-services", "extra" and "empty") and the
// cells its tests name.
type tinyWorld struct {
	e          *Engine
	cA, cB, xD geo.Cell
	diskA      []geo.Cell // ascending
	diskB      []geo.Cell
}

func newTinyWorld(t testing.TB) *tinyWorld {
	t.Helper()
	w, err := tinyworld.New(DefaultLayer)
	if err != nil {
		t.Fatal(err)
	}
	e := New(Parts{Territory: w.Territory, Grid: w.Grid, Indicators: w.Indicators, Layers: w.Layers},
		Options{Workers: 2, DifficultyTotal: tinyworld.DifficultyTotal})
	if err := e.need.Err(); err != nil {
		t.Fatal(err)
	}
	return &tinyWorld{e: e, cA: w.CA, cB: w.CB, xD: w.XD, diskA: w.DiskA, diskB: w.DiskB}
}
