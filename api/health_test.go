package api_test

import (
	"net/http"
	"testing"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
)

func TestHealthz(t *testing.T) {
	s := apitest.Real(t)
	var h api.HealthView
	if code := apitest.Get(t, s, "/healthz", &h); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if h.Status != "ok" || h.Communes < 34000 || h.Cells < 500000 || h.Sites["france-services"] < 2800 {
		t.Fatalf("healthz: %+v", h)
	}
	if h.Reconciliation.PopulationTotal < 60_000_000 {
		t.Fatalf("reconciliation: %+v", h.Reconciliation)
	}
}
