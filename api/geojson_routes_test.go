package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
)

// TestGeoJSONRoutes walks every GeoJSON route: rings wound as RFC 7946
// says, at most 6 decimals, measurements and ratios written as reals, and
// the same property names everywhere: a commune, département or région is
// named "nom" (never "name"), a service point "name".
func TestGeoJSONRoutes(t *testing.T) {
	s := apitest.MapServer(t)
	const (
		admin = "nom"  // the name property of communes, départements, régions
		place = "name" // the name property of service points and places
	)
	routes := []struct {
		url  string
		name string // the name property its features must carry, "" for none
	}{
		{"/v1/layers/communes?departement=23", admin},
		{"/v1/layers/departements", admin},
		{"/v1/layers/regions?zoom=6", admin},
		{"/v1/layers/sites?departement=23", place},
		{"/v1/layers/gaps?limit=200", ""},
		{"/v1/layers/cells?departement=23", ""},
		{"/v1/layers/cells?limit=300", ""},
		{"/v1/coverage/communes?departement=23", admin},
		{"/v1/coverage/communes?departement=04", admin},
		{"/v1/coverage/gaps?limit=100", ""},
		{"/v1/coverage/cells?departement=23", ""},
		{"/v1/coverage/compare?format=geojson&departement=23", admin},
		{"/v1/articulation?format=geojson&departement=23", place},
		{"/v1/recommendations?departement=04&k=5", place},
		{"/v1/communes/23096?format=geojson", admin},
		{"/v1/communes/01033?format=geojson", admin},
		{"/v1/sites?departement=23", place},
		{"/ogc/collections/communes/items?departement=04&limit=500", admin},
		{"/ogc/collections/departements/items", admin},
		{"/ogc/collections/regions/items/84", admin},
		{"/ogc/collections/sites/items?departement=23", place},
		{"/ogc/collections/gaps/items?limit=1000", ""},
		{"/ogc/collections/cells/items", ""},
		{"/ogc/collections/cells/items?bbox=1.8,46.1,1.95,46.2", ""},
	}
	for _, r := range routes {
		rec := apitest.MapGet(t, s, r.url)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %.300s", r.url, rec.Code, rec.Body.String())
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, httpx.GeoJSONType) {
			t.Errorf("GET %s: Content-Type %q", r.url, ct)
		}
		c := apitest.CheckGeoJSON(t, r.url, rec.Body.Bytes())
		if c.Features == 0 {
			t.Fatalf("GET %s: no feature", r.url)
		}
		if c.HasProp(admin) && c.HasProp(place) {
			t.Errorf("GET %s: features named both %q and %q: %v", r.url, admin, place, c)
		}
		if r.name != "" && c.Props[r.name] != c.Features {
			t.Errorf("GET %s: %d of %d features have %q: %v", r.url, c.Props[r.name], c.Features, r.name, c)
		}
	}
}
