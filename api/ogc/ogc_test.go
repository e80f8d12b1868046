package ogc_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/api/ogc"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/geo"
)

// ogcLinks is the links member of an OGC answer.
type ogcLinks struct {
	Links []httpx.Link `json:"links"`
}

// rel returns the first link of a relation.
func (l ogcLinks) rel(r string) (httpx.Link, bool) {
	for _, x := range l.Links {
		if x.Rel == r {
			return x, true
		}
	}
	return httpx.Link{}, false
}

func TestOGCLanding(t *testing.T) {
	s := apitest.MapServer(t)
	var body struct {
		ogcLinks
		Title string `json:"title"`
	}
	if code := apitest.Get(t, s, "/ogc", &body); code != http.StatusOK || body.Title == "" {
		t.Fatalf("status %d, %+v", code, body)
	}
	want := map[string]string{
		"self":         "http://example.com/ogc",
		"service-desc": "http://example.com/openapi.json",
		"conformance":  "http://example.com/ogc/conformance",
		"data":         "http://example.com/ogc/collections",
		"alternate":    "http://example.com/",
	}
	for rel, href := range want {
		if l, ok := body.rel(rel); !ok || l.Href != href || l.Type == "" {
			t.Errorf("link %s: %+v, want href %s with a type", rel, l, href)
		}
	}
	if l, _ := body.rel("service-desc"); l.Type != httpx.OpenAPIType {
		t.Errorf("service-desc type %q", l.Type)
	}
	// The links are followable.
	for _, rel := range []string{"service-desc", "conformance", "data"} {
		l, _ := body.rel(rel)
		if code := apitest.Get(t, s, strings.TrimPrefix(l.Href, "http://example.com"), nil); code != http.StatusOK {
			t.Errorf("%s link %s: %d", rel, l.Href, code)
		}
	}
	// Behind a proxy the links follow the forwarded host, or PublicURL.
	rec := apitest.MapGet(t, s, "/ogc", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "carto.example.fr")
	if !strings.Contains(rec.Body.String(), `"https://carto.example.fr/ogc/conformance"`) {
		t.Errorf("forwarded links: %s", rec.Body.String())
	}
	pub := api.New(s.Registry(), api.Config{PublicURL: "https://maillage.example.org/api/"})
	if rec := apitest.MapGet(t, pub, "/ogc"); !strings.Contains(rec.Body.String(), `"https://maillage.example.org/api/ogc/collections"`) {
		t.Errorf("PublicURL links: %s", rec.Body.String())
	}
}

func TestOGCConformance(t *testing.T) {
	s := apitest.MapServer(t)
	var body struct {
		ConformsTo []string `json:"conformsTo"`
	}
	if code := apitest.Get(t, s, "/ogc/conformance?f=json", &body); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	for _, c := range []string{ogc.ConfCore, ogc.ConfGeoJSON, ogc.ConfOAS30} {
		if !slices.Contains(body.ConformsTo, c) {
			t.Errorf("missing conformance class %s", c)
		}
	}
}

func TestOGCCollections(t *testing.T) {
	s := apitest.MapServer(t)
	var body struct {
		ogcLinks
		Collections []ogc.CollectionView `json:"collections"`
	}
	if code := apitest.Get(t, s, "/ogc/collections", &body); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if _, ok := body.rel("self"); !ok {
		t.Error("no self link")
	}
	ids := map[string]bool{}
	for _, c := range body.Collections {
		ids[c.ID] = true
		items, ok := ogcLinks{c.Links}.rel("items")
		if !ok || items.Type != httpx.GeoJSONType || items.Href != "http://example.com/ogc/collections/"+c.ID+"/items" {
			t.Errorf("collection %s: items link %+v", c.ID, items)
		}
		if _, ok := (ogcLinks{c.Links}).rel("self"); !ok {
			t.Errorf("collection %s: no self link", c.ID)
		}
		b := c.Extent.Spatial.BBox
		if len(b) != 1 || b[0][0] >= b[0][2] || b[0][1] >= b[0][3] || c.Extent.Spatial.CRS != ogc.CRS84 || c.ItemType != "feature" {
			t.Errorf("collection %s: extent %+v, itemType %q", c.ID, c.Extent, c.ItemType)
		}
	}
	for _, id := range []string{"communes", "departements", "regions", "sites", "gaps", "cells"} {
		if !ids[id] {
			t.Errorf("no collection %s", id)
		}
	}
	var one ogc.CollectionView
	if code := apitest.Get(t, s, "/ogc/collections/departements", &one); code != http.StatusOK || one.ID != "departements" {
		t.Fatalf("collection: %d %+v", code, one)
	}
	// Metropolitan France and the overseas départements.
	if b := one.Extent.Spatial.BBox[0]; b[0] > -61 || b[2] < 55 || b[1] > -21 || b[3] < 51 {
		t.Errorf("départements extent %v", b)
	}
}

func TestOGCItems(t *testing.T) {
	s := apitest.MapServer(t)
	p := apitest.GetPage(t, s, "/ogc/collections/departements/items?limit=5&f=json")
	if p.Raw.NumberReturned != 5 || p.Raw.NumberMatched != 101 {
		t.Fatalf("numberReturned %d, numberMatched %d", p.Raw.NumberReturned, p.Raw.NumberMatched)
	}
	links := ogcLinks{p.Raw.Links}
	for _, rel := range []string{"self", "next", "alternate", "collection"} {
		if l, ok := links.rel(rel); !ok || l.Href == "" || l.Type == "" {
			t.Errorf("items: link %s %+v", rel, l)
		}
	}
	next, _ := links.rel("next")
	if !strings.Contains(next.Href, "offset=5") || !strings.Contains(next.Href, "limit=5") {
		t.Errorf("next link %s", next.Href)
	}
	apitest.CheckRFC7946(t, "OGC departements", p, 6, false)
	// Default limit 100; limits above the maximum are lowered to it.
	if p := apitest.GetPage(t, s, "/ogc/collections/communes/items"); p.Raw.NumberReturned != ogc.DefaultLimit {
		t.Errorf("default limit: %d", p.Raw.NumberReturned)
	}
	if p := apitest.GetPage(t, s, "/ogc/collections/communes/items?limit=1000000&properties=code&zoom=4"); p.Raw.NumberReturned != ogc.MaxLimit {
		t.Errorf("limit above the maximum: %d", p.Raw.NumberReturned)
	}
	// The last page has no next link.
	if p := apitest.GetPage(t, s, "/ogc/collections/regions/items?offset=15"); p.Raw.NumberReturned != 3 || p.NextLink() != "" {
		t.Errorf("last page: %d features, next %q", p.Raw.NumberReturned, p.NextLink())
	}
	for _, c := range []struct {
		url    string
		status int
	}{
		{"/ogc/collections/communes/items?f=html", http.StatusBadRequest},
		{"/ogc/collections/communes/items?foo=1", http.StatusBadRequest},
		{"/ogc/collections/communes/items?limit=0", http.StatusBadRequest},
		{"/ogc/collections/communes/items?bbox=a,b,c,d", http.StatusBadRequest},
		{"/ogc/collections/nope/items", http.StatusNotFound},
		{"/ogc/collections/nope", http.StatusNotFound},
		{"/ogc?f=xml", http.StatusBadRequest},
	} {
		var e apitest.ErrorBody
		if code := apitest.Get(t, s, c.url, &e); code != c.status || e.Error == "" {
			t.Errorf("GET %s: %d %+v, want %d", c.url, code, e, c.status)
		}
	}
}

func TestOGCItem(t *testing.T) {
	s := apitest.MapServer(t)
	cases := []struct{ collection, id string }{
		{"communes", "23096"},
		{"departements", "2A"},
		{"regions", "75"},
		{"sites", "france-services:" + s.Registry().Engine().Layer("france-services").Sites[0].ID},
	}
	gueret := geo.CellAt(orb.Point{1.8707, 46.1712}, s.Registry().Engine().Grid().Resolution)
	cases = append(cases, struct{ collection, id string }{"cells", gueret.String()})
	for _, c := range cases {
		var f struct {
			ogcLinks
			Type     string         `json:"type"`
			ID       string         `json:"id"`
			Geometry map[string]any `json:"geometry"`
		}
		url := "/ogc/collections/" + c.collection + "/items/" + c.id
		if code := apitest.Get(t, s, url, &f); code != http.StatusOK {
			t.Fatalf("GET %s: %d", url, code)
		}
		if f.Type != "Feature" || f.ID != c.id || f.Geometry == nil {
			t.Errorf("GET %s: %+v", url, f)
		}
		for _, rel := range []string{"self", "collection"} {
			if _, ok := f.rel(rel); !ok {
				t.Errorf("GET %s: no %s link", url, rel)
			}
		}
	}
	for _, url := range []string{"/ogc/collections/communes/items/99999", "/ogc/collections/cells/items/nothex", "/ogc/collections/communes/items/23096?bbox=1,2,3,4"} {
		if code := apitest.Get(t, s, url, nil); code == http.StatusOK {
			t.Errorf("GET %s: 200", url)
		}
	}
	// Simplified on demand.
	var f struct {
		Geometry struct {
			Coordinates [][][][2]float64 `json:"coordinates"`
		} `json:"geometry"`
	}
	apitest.Get(t, s, "/ogc/collections/departements/items/23?zoom=5", &f)
	n := 0
	for _, p := range f.Geometry.Coordinates {
		for _, r := range p {
			n += len(r)
		}
	}
	full := 0
	for _, p := range mapShapes(t, s, "23") {
		for _, r := range p {
			full += len(r)
		}
	}
	if n == 0 || n*4 > full {
		t.Errorf("département 23 at zoom 5: %d positions of %d", n, full)
	}
}

// mapShapes returns a département's boundary as the departements layer
// holds it.
func mapShapes(t *testing.T, s *api.Server, code string) orb.MultiPolygon {
	t.Helper()
	shapes, err := data.LoadAdminShapes(apitest.TestData) // what the departements layer reads
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range shapes.Departements {
		if b.Code == code {
			return b.Shape
		}
	}
	t.Fatalf("no département %s", code)
	return nil
}
