package matching

import (
	"testing"

	"github.com/maillage/maillage/matching/coverage"
)

// TestCommuneSpread: without population grid a commune is spread by area,
// flagged uniform-coarse above CoarseSpreadMinKm2; a commune that followed
// a population grid says so, and its representative point moves to its
// most populated cell (followPopulation).
func TestCommuneSpread(t *testing.T) {
	w := newTinyWorld(t)
	e, g := w.e, w.e.grid
	e.territory.Communes[2].AreaKm2 = 900 // B, as large as a commune of Guyane
	cv := mustCoverage(t, e, coverage.Query{})
	want := map[string]string{"01001": coverage.SpreadArea, "01002": coverage.SpreadArea, "02001": coverage.SpreadUniformCoarse, "02002": ""}
	for _, c := range cv.Communes {
		if c.Spread != want[c.Code] {
			t.Errorf("%s without population grid: spread %q, want %q", c.Code, c.Spread, want[c.Code])
		}
	}
	for _, m := range cv.RuralMairies {
		if m.Code == "02001" && m.Spread != coverage.SpreadUniformCoarse {
			t.Errorf("rural mairie B: spread %q", m.Spread)
		}
	}
	// Gain lists (scenarios, proposals, recommendations) carry it too
	// (siting.TestGainListSpread).

	// A followed a population grid: most of it in one cell off its centre.
	g.Weighted = []bool{true, false, false, false}
	shares := g.CommuneShares(0)
	dense := shares[len(shares)-1].Cell
	for i := range shares {
		g.Population[shares[i].Cell] -= shares[i].Population
		shares[i].Population = 0
		if shares[i].Cell == dense {
			shares[i].Population = 700
		}
		g.Population[shares[i].Cell] += shares[i].Population
	}
	followPopulation(e.territory, g)
	if got := e.territory.Communes[0].Rep; got != g.Centers[dense] {
		t.Errorf("A's representative point %v, want its most populated cell's centre %v", got, g.Centers[dense])
	}
	if got := e.Coverage().CommuneSpread(0); got != coverage.SpreadPopulationGrid {
		t.Errorf("A after a population grid: spread %q", got)
	}
	if got := e.Coverage().CommuneSpread(2); got != coverage.SpreadUniformCoarse {
		t.Errorf("B (not reached by the grid): spread %q", got)
	}
}
