package coverage_test

import (
	"testing"

	"github.com/maillage/maillage/matching/coverage"
)

// TestRuralRule varies B's population in the tiny world (9 km², entirely
// out of reach at 1 km): listed while below 50 inhabitants/km², through its
// cells when it has no inhabitant.
func TestRuralRule(t *testing.T) {
	tests := []struct {
		name   string
		pop    int32 // per cell, 7 cells
		listed bool
		share  float64
	}{
		{"sparse", 10, true, 1},
		{"no inhabitants: share of cells", 0, true, 1},
		{"dense: 63 per km²", 81, false, 0},
		{"just below 50 per km²", 64, true, 1}, // 448 / 9 = 49.8
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newTinyWorld(t)
			g := w.e.Grid()
			b := &w.e.Territory().Communes[2]
			b.Population = 7 * int(tc.pop)
			for k := g.ShareStart[2]; k < g.ShareStart[3]; k++ {
				s := &g.Shares[k]
				g.Population[s.Cell] += float64(tc.pop) - s.Population
				s.Population = float64(tc.pop)
			}
			cv := mustCoverage(t, w.e, coverage.Query{Reach: reachPtr(coverage.ReachKm(1))})
			var got *coverage.RuralMairie
			for i := range cv.RuralMairies {
				if cv.RuralMairies[i].Code == "02001" {
					got = &cv.RuralMairies[i]
				}
			}
			if (got != nil) != tc.listed {
				t.Fatalf("B (%d inhabitants) listed %v, want %v: %+v", b.Population, got != nil, tc.listed, cv.RuralMairies)
			}
			// A zone without inhabitants is no gap zone: no id then.
			if got != nil && (got.GapShare != tc.share || (got.GapZoneID == "") != (tc.pop == 0) || got.NearestSiteID != "S2") {
				t.Errorf("B listed as %+v", got)
			}
			if len(cv.RuralMairies) > 1 {
				t.Errorf("only B can be listed: %+v", cv.RuralMairies)
			}
		})
	}
}
