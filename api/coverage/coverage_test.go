package coverage_test

import (
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/maillage/maillage/api/internal/apitest"
)

// areaBody is the JSON of a covm.AreaCoverage.
type areaBody struct {
	Level               string  `json:"level"`
	Code                string  `json:"code"`
	Population          int     `json:"population"`
	CoveredPopulation   int     `json:"covered_population"`
	UncoveredPopulation int     `json:"uncovered_population"`
	PopulationUnlocated int     `json:"population_unlocated"`
	CoveredShare        float64 `json:"covered_share"`
	NoDataReason        string  `json:"no_data_reason"`
	CommunesUncovered   int     `json:"communes_uncovered"`
}

func (a areaBody) check(t *testing.T) {
	t.Helper()
	if a.CoveredPopulation+a.UncoveredPopulation+a.PopulationUnlocated != a.Population || a.CoveredShare < 0 || a.CoveredShare > 1 {
		t.Errorf("%s %s does not add up: %+v", a.Level, a.Code, a)
	}
}

// featureBody is a GeoJSON feature with its geometry type.
type featureBody[P any] struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Geometry *struct {
		Type string `json:"type"`
	} `json:"geometry"`
	Properties P `json:"properties"`
}

type collectionBody[P any] struct {
	Type     string           `json:"type"`
	Total    int              `json:"total"`
	Features []featureBody[P] `json:"features"`
}

func TestCoverageSummary(t *testing.T) {
	s := apitest.Real(t)
	var nat struct {
		Layers []string `json:"layers"`
		Reach  struct {
			MaxM       float64 `json:"max_m"`
			MaxMinutes float64 `json:"max_minutes"`
		} `json:"reach"`
		Scope struct {
			Level string `json:"level"`
		} `json:"scope"`
		Summary     areaBody   `json:"summary"`
		Regions     []areaBody `json:"regions"`
		GapZones    int        `json:"gap_zones"`
		LargestGaps []struct {
			ID         string `json:"id"`
			Population int    `json:"population"`
		} `json:"largest_gaps"`
	}
	if code := apitest.Get(t, s, "/v1/coverage", &nat); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if len(nat.Layers) != 1 || nat.Layers[0] != "france-services" || nat.Reach.MaxMinutes != 30 || nat.Reach.MaxM != 23076.9 || nat.Scope.Level != "national" {
		t.Errorf("defaults: layers %v, reach %+v, scope %+v", nat.Layers, nat.Reach, nat.Scope)
	}
	nat.Summary.check(t)
	if nat.Summary.Population < 60e6 || nat.Summary.CoveredShare < 0.9 || len(nat.Regions) < 13 {
		t.Errorf("national summary %+v over %d régions", nat.Summary, len(nat.Regions))
	}
	for i := 1; i < len(nat.LargestGaps); i++ {
		if nat.LargestGaps[i].Population > nat.LargestGaps[i-1].Population {
			t.Errorf("largest gaps not ranked: %+v", nat.LargestGaps)
		}
	}

	// A narrower threshold covers fewer; a département is its own scope.
	var dep struct {
		Scope struct {
			Level, Code string
		} `json:"scope"`
		Summary areaBody `json:"summary"`
	}
	if code := apitest.Get(t, s, "/v1/coverage?departement=23&max_km=5&layers=france-services,cnfs-permanences", &dep); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	dep.Summary.check(t)
	if dep.Scope.Level != "departement" || dep.Scope.Code != "23" || dep.Summary.CoveredShare >= 1 || dep.Summary.Population < 100000 {
		t.Errorf("Creuse at 5 km: %+v", dep)
	}
}

func TestCoverageErrors(t *testing.T) {
	s := apitest.Real(t)
	tests := []struct {
		url    string
		status int
		param  string
	}{
		{"/v1/coverage?max_km=10&max_minutes=20", 400, "max_km"},
		{"/v1/coverage?max_km=abc", 400, "max_km"},
		{"/v1/coverage?max_km=-1", 400, "max_km"},
		{"/v1/coverage?max_minutes=30&detour=0.5", 400, "detour"},
		{"/v1/coverage?layers=nope", 400, "layers"},
		{"/v1/coverage?departement=23&region=75", 400, "region"},
		{"/v1/coverage?departement=99", 404, ""},
		{"/v1/coverage?region=00", 404, ""},
		{"/v1/coverage/departements?format=xml", 400, "format"},
		{"/v1/coverage/communes", 400, "departement"},
		{"/v1/coverage/gaps?limit=0", 400, "limit"},
		{"/v1/coverage/cells", 400, "bbox"},
		{"/v1/coverage/cells?bbox=-5,41,10,52", 400, "bbox"}, // all of France: too many cells
		{"/v1/coverage/cells?bbox=1,2,3", 400, "bbox"},
		{"/v1/coverage/rural-mairies?departement=2C", 404, ""},
	}
	for _, tc := range tests {
		var body apitest.ErrorBody
		if code := apitest.Get(t, s, tc.url, &body); code != tc.status {
			t.Errorf("GET %s: status %d, want %d (%+v)", tc.url, code, tc.status, body)
			continue
		}
		if body.Error == "" || !strings.HasPrefix(body.Message, tc.param) {
			t.Errorf("GET %s: error %+v, want it to name %q", tc.url, body, tc.param)
		}
	}
}

func TestCoverageDepartements(t *testing.T) {
	s := apitest.Real(t)
	var list struct {
		Items []areaBody `json:"items"`
		Total int        `json:"total"`
	}
	if code := apitest.Get(t, s, "/v1/coverage/departements?max_minutes=20", &list); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if list.Total != len(list.Items) || list.Total < 100 {
		t.Fatalf("%d départements (total %d)", len(list.Items), list.Total)
	}
	for _, d := range list.Items {
		d.check(t)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/coverage/departements?format=csv&region=75", nil))
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if rec.Code != http.StatusOK || err != nil || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: status %d, %v, %s", rec.Code, err, rec.Header().Get("Content-Type"))
	}
	if len(rows) != 13 || rows[0][0] != "level" || rows[0][1] != "code" { // Nouvelle-Aquitaine: 12 départements; columns of present.AreaCoverages
		t.Errorf("CSV of région 75: %d rows, header %v", len(rows), rows[0])
	}
}

func TestCoverageCommunesAndGaps(t *testing.T) {
	s := apitest.Real(t)
	var communes collectionBody[struct {
		Code              string  `json:"code"`
		Population        int     `json:"population"`
		CoveredPopulation int     `json:"covered_population"`
		CoveredShare      float64 `json:"covered_share"`
	}]
	if code := apitest.Get(t, s, "/v1/coverage/communes?departement=48&max_km=15", &communes); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if communes.Type != "FeatureCollection" || len(communes.Features) != communes.Total || communes.Total < 100 {
		t.Fatalf("Lozère communes: %s with %d features, total %d", communes.Type, len(communes.Features), communes.Total)
	}
	for _, f := range communes.Features {
		if f.ID != f.Properties.Code || !strings.HasPrefix(f.ID, "48") || f.Geometry == nil || f.Properties.CoveredPopulation > f.Properties.Population {
			t.Fatalf("feature %+v", f)
		}
	}

	var gaps collectionBody[struct {
		ID         string     `json:"id"`
		Rank       int        `json:"rank"`
		Population int        `json:"population"`
		AreaKm2    float64    `json:"area_km2"`
		Communes   []string   `json:"communes"`
		BBox       [4]float64 `json:"bbox"`
	}]
	if code := apitest.Get(t, s, "/v1/coverage/gaps?departement=48&max_km=8&limit=3&offset=1", &gaps); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if gaps.Total < 4 || len(gaps.Features) != 3 {
		t.Fatalf("Lozère gaps at 15 km: %d features of %d", len(gaps.Features), gaps.Total)
	}
	for i, f := range gaps.Features {
		p := f.Properties
		if f.ID != p.ID || p.Rank != i+2 || f.Geometry == nil || f.Geometry.Type != "MultiPolygon" || p.AreaKm2 <= 0 || len(p.Communes) == 0 {
			t.Errorf("gap feature %d: %+v", i, f)
		}
		if i > 0 && p.Population > gaps.Features[i-1].Properties.Population {
			t.Errorf("gaps not ranked by population")
		}
	}

	var cells collectionBody[struct {
		H3         string  `json:"h3"`
		Population float64 `json:"population"` // fractional: a commune's population spread over its cells
		DistanceM  float64 `json:"distance_m"`
		Covered    bool    `json:"covered"`
	}]
	if code := apitest.Get(t, s, "/v1/coverage/cells?bbox=3.4,44.4,3.6,44.6&max_km=5", &cells); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if len(cells.Features) < 100 || cells.Total != len(cells.Features) {
		t.Fatalf("%d cells around Mende", len(cells.Features))
	}
	for _, f := range cells.Features {
		if f.ID != f.Properties.H3 || f.Geometry == nil || f.Geometry.Type != "Polygon" || f.Properties.Covered != (f.Properties.DistanceM <= 5000) {
			t.Fatalf("cell %+v", f)
		}
	}

	var rural struct {
		Items []struct {
			Code          string  `json:"code"`
			DensityPerKm2 float64 `json:"density_per_km2"`
			GapShare      float64 `json:"gap_share"`
		} `json:"items"`
		Total int `json:"total"`
	}
	if code := apitest.Get(t, s, "/v1/coverage/rural-mairies?departement=48&max_km=15", &rural); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if rural.Total == 0 || rural.Total != len(rural.Items) {
		t.Fatalf("Lozère rural mairies at 15 km: %d of %d", len(rural.Items), rural.Total)
	}
	for _, m := range rural.Items {
		if m.DensityPerKm2 >= 50 || m.GapShare < 0.5 || !strings.HasPrefix(m.Code, "48") {
			t.Errorf("rural mairie %+v breaks the rule", m)
		}
	}
}

// TestCoverageNoBoundary: territories without boundaries (Nouvelle-
// Calédonie 988, Polynésie 987, ...) report a null share and mean distance
// with the reason no_boundary in JSON, empty cells and the reason in CSV,
// never "0 % covered".
func TestCoverageNoBoundary(t *testing.T) {
	s := apitest.Real(t)
	var list struct {
		Items []map[string]any `json:"items"`
	}
	if code := apitest.Get(t, s, "/v1/coverage/departements", &list); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	seen := 0
	for _, d := range list.Items {
		switch d["code"] {
		case "975", "977", "987", "988", "989":
			seen++
			if d["covered_share"] != nil || d["mean_distance_m"] != nil || d["no_data_reason"] != "no_boundary" {
				t.Errorf("%v: covered_share %v, mean_distance_m %v, no_data_reason %v; want null, null, no_boundary",
					d["code"], d["covered_share"], d["mean_distance_m"], d["no_data_reason"])
			}
		case "23":
			if _, ok := d["covered_share"].(float64); !ok || d["no_data_reason"] != nil {
				t.Errorf("Creuse: covered_share %v, no_data_reason %v; want a number and no reason", d["covered_share"], d["no_data_reason"])
			}
		}
	}
	if seen < 3 {
		t.Errorf("%d of the territories without boundary listed, want them", seen)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/coverage/departements?format=csv", nil))
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if rec.Code != http.StatusOK || err != nil || len(rows) < 2 {
		t.Fatalf("CSV: status %d, %v", rec.Code, err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, r := range rows[1:] {
		if r[col["code"]] == "988" && (r[col["covered_share"]] != "" || r[col["mean_distance_m"]] != "" || r[col["no_data_reason"]] != "no_boundary") {
			t.Errorf("CSV row of 988: covered_share %q, mean_distance_m %q, no_data_reason %q", r[col["covered_share"]], r[col["mean_distance_m"]], r[col["no_data_reason"]])
		}
	}
}
