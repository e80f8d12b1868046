package territory_test

import (
	"net/http"
	"testing"

	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/api/territory"
)

func TestSmallWorldCommuneAt(t *testing.T) {
	s := apitest.Small(t)
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
				territory.CommuneView
				apitest.ErrorBody
			}
			if code := apitest.Get(t, s, tc.url, &v); code != tc.status {
				t.Fatalf("status %d, want %d (%+v)", code, tc.status, v)
			}
			if tc.status != http.StatusOK {
				if v.Error != tc.errCode {
					t.Fatalf("error %q, want %q", v.Error, tc.errCode)
				}
				return
			}
			if v.Code != tc.code || v.EPCI != tc.epci || v.Departement != tc.dep || v.Region != tc.reg || v.AreaKm2 < tc.minKm2 {
				t.Fatalf("commune %+v, want %s", v.CommuneView, tc.code)
			}
		})
	}
}
