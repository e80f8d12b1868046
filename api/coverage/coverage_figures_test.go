package coverage_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/maillage/maillage/api/internal/apitest"
)

// TestCoverageFiguresRoute checks the fast figures against the full
// answers of /v1/coverage and /v1/coverage/departements at several
// thresholds in km and minutes, and its errors.
func TestCoverageFiguresRoute(t *testing.T) {
	s := apitest.Real(t)
	for _, reach := range []string{"max_km=3.5", "max_km=12", "max_minutes=15", "max_minutes=37.5", "max_minutes=60&speed_kmh=40"} {
		for _, scope := range []string{"", "&departement=23", "&region=75"} {
			q := reach + scope
			var fast struct {
				Summary      areaBody   `json:"summary"`
				Regions      []areaBody `json:"regions"`
				Departements []areaBody `json:"departements"`
			}
			if code := apitest.Get(t, s, "/v1/coverage/figures?"+q, &fast); code != http.StatusOK {
				t.Fatalf("%s: status %d", q, code)
			}
			var full struct {
				Summary areaBody   `json:"summary"`
				Regions []areaBody `json:"regions"`
			}
			apitest.Get(t, s, "/v1/coverage?"+q, &full)
			var deps struct {
				Items []areaBody `json:"items"`
			}
			apitest.Get(t, s, "/v1/coverage/departements?"+q, &deps)
			if fast.Summary != full.Summary {
				t.Errorf("%s: summary %+v, want %+v", q, fast.Summary, full.Summary)
			}
			if fmt.Sprint(fast.Regions) != fmt.Sprint(full.Regions) || fmt.Sprint(fast.Departements) != fmt.Sprint(deps.Items) {
				t.Errorf("%s: areas differ from the full answer", q)
			}
			if len(fast.Departements) == 0 {
				t.Errorf("%s: no département", q)
			}
		}
	}
	for url, status := range map[string]int{
		"/v1/coverage/figures?max_km=-1":                400,
		"/v1/coverage/figures?layers=nope":              400,
		"/v1/coverage/figures?departement=99":           404,
		"/v1/coverage/figures?departement=23&region=75": 400,
		"/v1/coverage/figures?max_km=10&max_minutes=30": 400,
	} {
		var body apitest.ErrorBody
		if code := apitest.Get(t, s, url, &body); code != status || body.Error == "" {
			t.Errorf("GET %s: %d %+v, want %d", url, code, body, status)
		}
	}
}
