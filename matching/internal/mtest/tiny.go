package mtest

import (
	"testing"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/internal/tinyworld"
)

// Tiny is an engine over the tiny world (package tinyworld) and the cells
// its tests name.
type Tiny struct {
	E          *matching.Engine
	CA, CB, XD geo.Cell
	DiskA      []geo.Cell // ascending
	DiskB      []geo.Cell
}

// NewTiny builds an engine over the tiny world, failing t on error.
func NewTiny(t testing.TB) *Tiny {
	t.Helper()
	w, err := tinyworld.New(matching.DefaultLayer)
	if err != nil {
		t.Fatal(err)
	}
	e := matching.New(matching.Parts{Territory: w.Territory, Grid: w.Grid, Indicators: w.Indicators, Layers: w.Layers},
		matching.Options{Workers: 2, DifficultyTotal: tinyworld.DifficultyTotal})
	if f, _ := e.Coverage().DifficultyFactor(); f == 0 {
		t.Fatal("tiny world: people in difficulty not calibrated")
	}
	return &Tiny{E: e, CA: w.CA, CB: w.CB, XD: w.XD, DiskA: w.DiskA, DiskB: w.DiskB}
}
