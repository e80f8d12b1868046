package coverage_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/matching/layerdiff"
)

// layersCompareAnswer is the JSON answer of GET /v1/layers/compare.
type layersCompareAnswer struct {
	From         string             `json:"from"`
	To           string             `json:"to"`
	Summary      layerdiff.Counts   `json:"summary"`
	Departements []layerdiff.Counts `json:"departements"`
	Changes      []layerdiff.Change `json:"changes"`
	Coverage     *struct {
		Summary struct {
			GainedPopulation int `json:"gained_population"`
			LostPopulation   int `json:"lost_population"`
			CoveredBefore    int `json:"covered_population_before"`
			CoveredAfter     int `json:"covered_population_after"`
		} `json:"summary"`
	} `json:"coverage"`
	apitest.ErrorBody
}

func TestLayersCompareSmallWorld(t *testing.T) {
	s := apitest.Small(t)
	var a layersCompareAnswer
	if code := apitest.Get(t, s, "/v1/layers/compare?from=cnfs-permanences&to=france-services&max_km=5", &a); code != http.StatusOK {
		t.Fatalf("status %d: %+v", code, a)
	}
	if a.Summary.Opened != 2 || a.Summary.Closed != 1 || len(a.Changes) != 3 || a.Coverage == nil {
		t.Errorf("answer %+v", a)
	}
	if c := a.Coverage.Summary; c.CoveredAfter-c.CoveredBefore != c.GainedPopulation-c.LostPopulation || c.GainedPopulation == 0 || c.LostPopulation == 0 {
		t.Errorf("coverage %+v", c)
	}
	for _, tc := range []struct{ url, param string }{
		{"/v1/layers/compare?from=nope", "from"},
		{"/v1/layers/compare?from=france-services&to=nope", "to"},
		{"/v1/layers/compare?format=csv", "format"},
		{"/v1/layers/compare?max_km=0", "max_km"},
		{"/v1/layers/compare?departement=99", ""},
	} {
		var e apitest.ErrorBody
		if code := apitest.Get(t, s, tc.url, &e); code != http.StatusBadRequest || e.Error != httpx.CodeBadParameter || !strings.Contains(e.Message, tc.param) {
			t.Errorf("%s: status %d %+v", tc.url, code, e)
		}
	}
}

// TestLayersCompareFranceServices diffs the 2020 and 2024 France Services
// lists over the real data (the figures of the README).
func TestLayersCompareFranceServices(t *testing.T) {
	s := apitest.Real(t)
	var a layersCompareAnswer
	url := "/v1/layers/compare?from=" + data.LayerFranceServices2020 + "&to=" + data.LayerFranceServices + "&max_minutes=20"
	if code := apitest.Get(t, s, url, &a); code != http.StatusOK {
		t.Fatalf("status %d: %+v", code, a.ErrorBody)
	}
	want := layerdiff.Counts{SitesFrom: 908, SitesTo: 2845, Opened: 1948, Closed: 11, Moved: 59, Renamed: 361, Unchanged: 501}
	if a.Summary != want || a.Coverage == nil || a.Coverage.Summary.GainedPopulation <= a.Coverage.Summary.LostPopulation {
		t.Errorf("summary %+v coverage %+v", a.Summary, a.Coverage)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			ID         string           `json:"id"`
			Properties layerdiff.Change `json:"properties"`
			Geometry   struct {
				Type        string    `json:"type"`
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if code := apitest.Get(t, s, url+"&format=geojson&departement=01", &fc); code != http.StatusOK {
		t.Fatalf("geojson status %d", code)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) == 0 {
		t.Fatalf("geojson %+v", fc)
	}
	for _, f := range fc.Features {
		p := f.Properties
		if f.Geometry.Type != "Point" || p.Departement != "01" || f.ID != p.Change+":"+p.ID || (p.Change == layerdiff.Moved) != (p.DistanceM > layerdiff.MovedM) {
			t.Fatalf("feature %+v", f)
		}
	}
}
