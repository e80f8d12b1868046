package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/coverage"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/internal/param"
	"github.com/maillage/maillage/matching/registry"
)

// TestParamTable: the handlers refuse out-of-range values with a 400 and
// the message of the shared parameter table (the CLI prints the same);
// max_minutes=0 and max_km=0 were accepted before it. No data needed: the
// parameters are read before any analysis.
func TestParamTable(t *testing.T) {
	s := api.New(registry.New(nil, nil), api.Config{InsecureOpen: true})
	for _, c := range []struct {
		method, url string
		want        error
	}{
		{"GET", "/v1/coverage/departements?max_minutes=0", param.MaxMinutes().Check(0)},
		{"GET", "/v1/coverage/departements?max_minutes=181", param.MaxMinutes().Check(181)},
		{"GET", "/v1/coverage/departements?max_km=0", param.MaxKm().Check(0)},
		{"GET", "/v1/coverage/communes?format=csv&max_km=501", param.MaxKm().Check(501)},
		{"GET", "/v1/coverage/departements?speed_kmh=0.5", param.SpeedKmh().Check(0.5)},
		{"GET", "/v1/coverage/departements?detour=9", param.Detour().Check(9)},
		{"GET", "/v1/coverage/gaps?limit=0", param.Limit(coverage.MaxListLimit).Check(0)},
		{"GET", "/v1/coverage/gaps?offset=-1", param.Offset().Check(-1)},
		{"GET", "/v1/recommendations?k=0", param.K().Check(0)},
		{"GET", "/v1/recommendations?k=501", param.K().Check(501)},
		{"GET", "/v1/recommendations?max_minutes=-3", param.MaxMinutes().Check(-3)},
		{"GET", "/v1/coverage/departements?format=xml", param.Format("json", "csv").Check("xml")},
		{"GET", "/v1/communes/at?lon=181&lat=45", param.Lon().Check(181)},
		{"POST", "/v1/proposals/evaluate?redundancy_km=-1", param.RedundancyKm().Check(-1)},
	} {
		if c.want == nil {
			t.Fatalf("%s: the table accepts the value", c.url)
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(c.method, c.url, strings.NewReader("id,commune\na,23096\n")))
		var e api.Error
		if rec.Code != http.StatusBadRequest || json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Code != httpx.CodeBadParameter || e.Message != c.want.Error() {
			t.Errorf("%s %s: %d %s, want 400 %q", c.method, c.url, rec.Code, rec.Body, c.want)
		}
	}
}
