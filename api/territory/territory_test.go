package territory_test

import (
	"math"
	"net/http"
	"testing"

	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/api/territory"
	"github.com/paulmach/orb/geojson"
)

func TestCommuneAt(t *testing.T) {
	s := apitest.Real(t)
	cases := []struct {
		name, url, code, dep string
	}{
		{"paris", "/v1/communes/at?lon=2.3522&lat=48.8566", "75056", "75"},
		{"ajaccio", "/v1/communes/at?lon=8.7369&lat=41.9192", "2A004", "2A"},
		{"gueret", "/v1/communes/at?lon=1.8707&lat=46.1712", "23096", "23"},
		{"saint-denis reunion", "/v1/communes/at?lon=55.4504&lat=-20.8789", "97411", "974"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var v territory.CommuneView
			if code := apitest.Get(t, s, tc.url, &v); code != http.StatusOK {
				t.Fatalf("status %d", code)
			}
			if v.Code != tc.code || v.Departement != tc.dep || v.Population <= 0 || v.Nom == "" {
				t.Fatalf("got %+v, want code %s dep %s with a name and population", v, tc.code, tc.dep)
			}
		})
	}
}

func TestBadParameters(t *testing.T) {
	s := apitest.Real(t)
	cases := []struct {
		url    string
		status int
		code   string
	}{
		{"/v1/communes/at?lon=-5&lat=46", http.StatusNotFound, httpx.CodeNotFound},
		{"/v1/communes/at?lat=46", http.StatusBadRequest, httpx.CodeBadParameter},
		{"/v1/communes/at?lon=abc&lat=46", http.StatusBadRequest, httpx.CodeBadParameter},
		{"/v1/communes/at?lon=200&lat=46", http.StatusBadRequest, httpx.CodeBadParameter},
		{"/v1/communes/at?lon=2&lat=-91", http.StatusBadRequest, httpx.CodeBadParameter},
		{"/v1/communes/at?lon=NaN&lat=46", http.StatusBadRequest, httpx.CodeBadParameter},
		{"/v1/sites/nearest?lon=2&lat=46&k=0", http.StatusBadRequest, httpx.CodeBadParameter},
		{"/v1/sites/nearest?lon=2&lat=46&k=101", http.StatusBadRequest, httpx.CodeBadParameter},
		{"/v1/sites/nearest?lon=2&lat=46&k=x", http.StatusBadRequest, httpx.CodeBadParameter},
		{"/v1/sites/nearest?lon=2&lat=46&layers=nope", http.StatusBadRequest, httpx.CodeBadParameter},
		{"/v1/communes/99999", http.StatusNotFound, httpx.CodeNotFound},
		{"/v1/communes/75056?format=kml", http.StatusBadRequest, httpx.CodeBadParameter},
		{"/v1/sites?departement=00", http.StatusNotFound, httpx.CodeNotFound},
		{"/v1/sites?bbox=1,2,3", http.StatusBadRequest, httpx.CodeBadParameter},
		{"/v1/nowhere", http.StatusNotFound, httpx.CodeNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			var e apitest.ErrorBody
			if code := apitest.Get(t, s, tc.url, &e); code != tc.status || e.Error != tc.code || e.Message == "" {
				t.Fatalf("got %d %+v, want %d %s with a message", code, e, tc.status, tc.code)
			}
		})
	}
}

func TestCommuneByCode(t *testing.T) {
	s := apitest.Real(t)
	var v territory.CommuneView
	if code := apitest.Get(t, s, "/v1/communes/23096", &v); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if v.Nom != "Guéret" || v.Nearest == nil || v.Nearest.DistanceM > 20000 {
		t.Fatalf("Guéret: got %+v (nearest %+v)", v, v.Nearest)
	}
	var f geojson.Feature
	if code := apitest.Get(t, s, "/v1/communes/23096?format=geojson", &f); code != http.StatusOK {
		t.Fatalf("geojson status %d", code)
	}
	if f.ID != "23096" || f.Geometry == nil || f.Properties["nom"] != "Guéret" {
		t.Fatalf("feature: id %v props %v", f.ID, f.Properties)
	}
}

func TestSitesNearestAndList(t *testing.T) {
	s := apitest.Real(t)
	var body struct {
		Items []territory.SiteRef `json:"items"`
		Total int                 `json:"total"`
	}
	if code := apitest.Get(t, s, "/v1/sites/nearest?lon=1.8707&lat=46.1712&k=5", &body); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if body.Total != 5 || len(body.Items) != 5 {
		t.Fatalf("want 5 sites, got %d", body.Total)
	}
	for i := 1; i < len(body.Items); i++ {
		if body.Items[i].DistanceM < body.Items[i-1].DistanceM {
			t.Fatalf("not ordered by distance: %+v", body.Items)
		}
	}
	var fc geojson.FeatureCollection
	if code := apitest.Get(t, s, "/v1/sites?departement=23", &fc); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if len(fc.Features) == 0 {
		t.Fatal("no France Services in Creuse")
	}
	for _, f := range fc.Features {
		if f.Properties["departement"] != "23" {
			t.Fatalf("site outside 23: %v", f.Properties)
		}
	}
}

// TestCommunePopulationInDifficulty checks the commune view carries the
// estimated people in difficulty: its population × the calibrated share.
func TestCommunePopulationInDifficulty(t *testing.T) {
	s := apitest.Real(t)
	var v territory.CommuneView
	if code := apitest.Get(t, s, "/v1/communes/23096", &v); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	id, _ := s.Registry().Engine().Territory().CommuneID("23096")
	share, ok := s.Registry().Engine().Coverage().DifficultyShare(id)
	if !ok || v.PopulationInDifficulty == nil {
		t.Fatalf("Guéret: share known %v, population_in_difficulty %v", ok, v.PopulationInDifficulty)
	}
	if want := math.Round(float64(v.Population) * share); *v.PopulationInDifficulty != want || want <= 0 || want >= float64(v.Population) {
		t.Errorf("Guéret: %v in difficulty of %d inhabitants, want %v", *v.PopulationInDifficulty, v.Population, want)
	}
}
