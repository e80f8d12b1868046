package siting

import (
	"testing"

	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/internal/mtest"
)

// TestGainListSpread: gain lists (scenarios, proposals, recommendations)
// carry each commune's spread, as the coverage communes do
// (matching.TestCommuneSpread).
func TestGainListSpread(t *testing.T) {
	e := mtest.NewTiny(t).E
	e.Territory().Communes[2].AreaKm2 = 900 // B, as large as a commune of Guyane
	want := map[string]string{"01001": coverage.SpreadArea, "02001": coverage.SpreadUniformCoarse}
	tally := communeTally{pop: make([]float64, len(e.Territory().Communes)), touched: []int32{2, 0}}
	tally.pop[2], tally.pop[0] = 12, 3
	got := tally.list(e)
	if len(got) != 2 {
		t.Fatalf("%d communes in the gain list, want 2", len(got))
	}
	for _, g := range got {
		if g.Spread != want[g.Code] {
			t.Errorf("gain list %s: spread %q, want %q", g.Code, g.Spread, want[g.Code])
		}
	}
}
