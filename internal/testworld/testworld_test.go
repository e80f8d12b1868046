package testworld

import (
	"math"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/matching/coverage"
)

func TestWorld(t *testing.T) {
	e, err := New()
	if err != nil {
		t.Fatal(err)
	}
	terr := e.Territory()
	for _, c := range Communes {
		if c.Center == (orb.Point{}) {
			continue
		}
		got, ok := terr.At(c.Center)
		if !ok || got.Code != c.Code {
			t.Errorf("At(%v) = %v, %v; want %s", c.Center, got, ok, c.Code)
		}
	}
	if c, ok := terr.Commune("23001"); !ok || c.EPCI != "200000023" || c.AreaKm2 < 80 || c.AreaKm2 > 95 {
		t.Errorf("Alpha: %+v", c)
	}
	g := e.Grid()
	popF := 0.0
	for _, p := range g.Population {
		popF += p // fractional shares of the communes' populations
	}
	pop := int(math.Round(popF))
	// Zeta has no shape: its 100 inhabitants are on no cell.
	if len(g.Cells) < 50 || len(g.Cells) > 200 || pop != 30000 {
		t.Fatalf("grid: %d cells, %d inhabitants; want 50–200 cells and 30000", len(g.Cells), pop)
	}
	if got := e.LayerNames(); len(got) != 2 {
		t.Fatalf("layers %v", got)
	}
	// At 5 km every site covers its own commune's centre and little else:
	// the grid is coarse, so check bounds rather than exact figures.
	km5 := coverage.ReachKm(5)
	cv, err := coverage.Compute(e.Coverage(), coverage.Query{Reach: &km5})
	if err != nil {
		t.Fatal(err)
	}
	s := cv.Summary
	if s.Population != 30100 || s.PopulationUnlocated != 100 || s.CoveredPopulation < 5000 || s.CoveredPopulation >= 30000 {
		t.Errorf("coverage at 5 km: %+v", s)
	}
	all, err := coverage.Compute(e.Coverage(), coverage.Query{Reach: ptr(coverage.ReachKm(100))})
	if err != nil {
		t.Fatal(err)
	}
	if all.Summary.CoveredPopulation != 30000 {
		t.Errorf("coverage at 100 km: %+v, want every located inhabitant", all.Summary)
	}
}

func ptr[T any](v T) *T { return &v }
