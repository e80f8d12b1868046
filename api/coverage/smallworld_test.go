package coverage_test

import (
	"net/http"
	"testing"

	"github.com/maillage/maillage/api/coverage"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/matching"
	covm "github.com/maillage/maillage/matching/coverage"
)

func TestSmallWorldCoverageNational(t *testing.T) {
	s := apitest.Small(t)
	var near, far coverage.SummaryView
	if code := apitest.Get(t, s, "/v1/coverage?max_km=5", &near); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if code := apitest.Get(t, s, "/v1/coverage?max_km=100", &far); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if near.Scope.Level != "national" || len(near.Layers) != 1 || near.Layers[0] != matching.DefaultLayer || near.Reach.MaxM != 5000 {
		t.Errorf("defaults: scope %+v layers %v reach %+v", near.Scope, near.Layers, near.Reach)
	}
	// 30,100 inhabitants, Zeta's 100 without a boundary; FS1 and FS2 sit in
	// Alpha (5,000) and Gamma (20,000): at 5 km they cover part of the
	// world, at 100 km every located inhabitant.
	n, f := near.Summary, far.Summary
	if n.Population != 30100 || n.PopulationUnlocated != 100 || n.CoveredPopulation < 5000 || n.CoveredPopulation >= 30000 || n.Communes != 6 {
		t.Errorf("at 5 km: %+v", n)
	}
	if f.CoveredPopulation != 30000 || covm.Value(f.CoveredShare) != 1 || f.UncoveredPopulation != 0 {
		t.Errorf("at 100 km: %+v", f)
	}
	if len(near.Regions) != 2 || near.Regions[0].Code != "75" || near.Regions[1].Code != "84" {
		t.Errorf("regions %+v, want 75 and 84", near.Regions)
	}
	if near.Regions[1].CoveredPopulation != 0 || near.GapZones == 0 {
		t.Errorf("Epsilon (région 84) has no France Services within 5 km: région %+v, %d gap zones", near.Regions[1], near.GapZones)
	}
}
