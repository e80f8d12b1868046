package coverage_test

import (
	"encoding/csv"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/maillage/maillage/api/coverage"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/matching/accessibility"
	covm "github.com/maillage/maillage/matching/coverage"
)

func TestAccess2SFCA(t *testing.T) {
	s := apitest.Real(t)
	var v coverage.AccessView
	url := "/v1/access?supply=cnfs-structures-2021&demand=difficulty&max_minutes=30&by=departement"
	if code := apitest.Get(t, s, url, &v); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if v.SupplyKind != accessibility.SupplyPosts || v.By != covm.LevelDepartement || v.Total < 100 || len(v.Items) != v.Total ||
		math.Abs(v.ReferencePer10k-v.SupplyTotal/v.DemandTotal*1e4) > 1e-3 || v.National.AccessPer10k <= 0 {
		t.Fatalf("answer %+v", v)
	}
	var demand float64
	for _, it := range v.Items {
		demand += it.Demand
	}
	if math.Abs(demand-v.National.Demand) > 1e-3*demand {
		t.Errorf("départements hold %v people in difficulty, the nation %v", demand, v.National.Demand)
	}

	rec := apitest.Do(t, s, http.MethodGet, "/v1/access?by=commune&format=csv&supply=france-services&demand=population", "", "")
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if rec.Code != http.StatusOK || err != nil || len(rows) < 30000 || !slices.Contains(rows[0], "access_per_10k") || !slices.Contains(rows[0], "departement") {
		t.Fatalf("CSV: status %d, err %v, %d rows, header %v", rec.Code, err, len(rows), rows[0])
	}

	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			ID         string                   `json:"id"`
			Geometry   any                      `json:"geometry"`
			Properties accessibility.AccessArea `json:"properties"`
		} `json:"features"`
	}
	if code := apitest.Get(t, s, "/v1/access?by=commune&departement=23&format=geojson&decay=gaussian", &fc); code != http.StatusOK {
		t.Fatalf("GeoJSON: status %d", code)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) < 200 || fc.Features[0].Geometry == nil ||
		!strings.HasPrefix(fc.Features[0].ID, "23") || fc.Features[0].Properties.Level != covm.LevelCommune {
		t.Fatalf("GeoJSON: %d features, first %+v", len(fc.Features), fc.Features[0])
	}

	for _, tc := range []struct {
		url    string
		status int
	}{
		{"/v1/access?supply=nowhere", http.StatusBadRequest},
		{"/v1/access?demand=age", http.StatusBadRequest},
		{"/v1/access?decay=cubic", http.StatusBadRequest},
		{"/v1/access?decay=gaussian&sigma_km=-1", http.StatusBadRequest},
		{"/v1/access?by=canton", http.StatusBadRequest},
		{"/v1/access?format=geojson", http.StatusBadRequest},
		{"/v1/access?max_minutes=-5", http.StatusBadRequest},
		{"/v1/access?departement=00", http.StatusNotFound},
	} {
		var e apitest.ErrorBody
		if code := apitest.Get(t, s, tc.url, &e); code != tc.status || e.Message == "" {
			t.Errorf("%s: status %d %+v, want %d", tc.url, code, e, tc.status)
		}
	}
}

// TestAccessPrefectView checks the prefect's view: the communes (and EPCI)
// of one département, lowest accessibility first, as CSV.
func TestAccessPrefectView(t *testing.T) {
	s := apitest.Real(t)
	rec := apitest.Do(t, s, http.MethodGet, "/v1/access?by=commune&departement=23&sort=access&format=csv&limit=20", "", "")
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if rec.Code != http.StatusOK || err != nil || len(rows) != 21 {
		t.Fatalf("status %d, err %v, %d rows", rec.Code, err, len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	prev := -1.0
	for _, r := range rows[1:] {
		a, err := strconv.ParseFloat(r[col["access_per_10k"]], 64)
		if err != nil || r[col["departement"]] != "23" || a < prev {
			t.Fatalf("row %v after %v: %v", r, prev, err)
		}
		prev = a
	}
	var v coverage.AccessView
	if code := apitest.Get(t, s, "/v1/access?by=epci&departement=23&sort=below_half", &v); code != http.StatusOK || v.Total == 0 || v.Total > 20 {
		t.Fatalf("EPCI of Creuse: status %d, %d items", code, v.Total)
	}
	for i := 1; i < len(v.Items); i++ {
		if v.Items[i].DemandBelowHalf > v.Items[i-1].DemandBelowHalf {
			t.Fatalf("EPCI not by demand below half: %+v", v.Items)
		}
	}
	var e apitest.ErrorBody
	if code := apitest.Get(t, s, "/v1/access?sort=worst", &e); code != http.StatusBadRequest || !strings.Contains(e.Message, "sort") {
		t.Errorf("sort=worst: %d %+v", code, e)
	}
}
