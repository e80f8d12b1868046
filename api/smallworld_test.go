package api

import (
	"net/http"
	"testing"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/internal/testworld"
	"github.com/maillage/maillage/matching"
)

// smallServer is a server over the small world built in code
// (internal/testworld): no data files, built in milliseconds.
func smallServer(t testing.TB) *Server {
	t.Helper()
	e, err := testworld.New()
	if err != nil {
		t.Fatal(err)
	}
	return New(matching.NewRegistry(nil, e), Config{InsecureOpen: true})
}

func TestSmallWorldCommuneAt(t *testing.T) {
	s := smallServer(t)
	tests := []struct {
		url      string
		status   int
		code     string
		errCode  string
		epci     string
		minKm2   float64
		dep, reg string
	}{
		{url: "/v1/communes/at?lon=1.6&lat=46.0", status: http.StatusOK, code: "23001", epci: "200000023", minKm2: 80, dep: "23", reg: "75"},
		{url: "/v1/communes/at?lon=1.73&lat=45.88", status: http.StatusOK, code: "87002", minKm2: 80, dep: "87", reg: "75"},
		{url: "/v1/communes/at?lon=1.8&lat=45.9", status: http.StatusNotFound, errCode: httpx.CodeNotFound}, // no square there
		{url: "/v1/communes/at?lon=1.6", status: http.StatusBadRequest, errCode: httpx.CodeBadParameter},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			var v struct {
				communeView
				errorBody
			}
			if code := get(t, s, tc.url, &v); code != tc.status {
				t.Fatalf("status %d, want %d (%+v)", code, tc.status, v)
			}
			if tc.status != http.StatusOK {
				if v.Error != tc.errCode {
					t.Fatalf("error %q, want %q", v.Error, tc.errCode)
				}
				return
			}
			if v.Code != tc.code || v.EPCI != tc.epci || v.Departement != tc.dep || v.Region != tc.reg || v.AreaKm2 < tc.minKm2 {
				t.Fatalf("commune %+v, want %s", v.communeView, tc.code)
			}
		})
	}
}

func TestSmallWorldCoverageNational(t *testing.T) {
	s := smallServer(t)
	var near, far coverageSummaryView
	if code := get(t, s, "/v1/coverage?max_km=5", &near); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if code := get(t, s, "/v1/coverage?max_km=100", &far); code != http.StatusOK {
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
	if f.CoveredPopulation != 30000 || matching.Value(f.CoveredShare) != 1 || f.UncoveredPopulation != 0 {
		t.Errorf("at 100 km: %+v", f)
	}
	if len(near.Regions) != 2 || near.Regions[0].Code != "75" || near.Regions[1].Code != "84" {
		t.Errorf("regions %+v, want 75 and 84", near.Regions)
	}
	if near.Regions[1].CoveredPopulation != 0 || near.GapZones == 0 {
		t.Errorf("Epsilon (région 84) has no France Services within 5 km: région %+v, %d gap zones", near.Regions[1], near.GapZones)
	}
}
