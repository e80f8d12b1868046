package ogc_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/api/ogc"
)

// schemaProps is the properties member of a JSON Schema document.
type schemaProps map[string]struct {
	Type  string `json:"type"`
	Role  string `json:"x-ogc-role"`
	Seq   int    `json:"x-ogc-propertySeq"`
	Items *struct {
		Type string `json:"type"`
	} `json:"items"`
	Format string `json:"format"`
}

// getSchema GETs a schema document and returns its properties.
func getSchema(t *testing.T, s *api.Server, url string) schemaProps {
	t.Helper()
	rec := apitest.MapGet(t, s, url)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != ogc.SchemaType {
		t.Fatalf("GET %s: %d, Content-Type %q: %.300s", url, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	var doc struct {
		Schema     string      `json:"$schema"`
		ID         string      `json:"$id"`
		Type       string      `json:"type"`
		Properties schemaProps `json:"properties"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	if doc.Schema != ogc.JSONSchema2020 || doc.Type != "object" || doc.ID != "http://example.com"+url {
		t.Fatalf("GET %s: $schema %q, type %q, $id %q", url, doc.Schema, doc.Type, doc.ID)
	}
	return doc.Properties
}

// jsonTypeOf is the JSON Schema type of a decoded value (numbers kept as
// written): "null", "string", "boolean", "array", "object", "integer"
// (no point, no exponent) or "number".
func jsonTypeOf(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case json.Number:
		if strings.ContainsAny(string(v), ".eE") {
			return "number"
		}
		return "integer"
	}
	return "?"
}

// TestOGCSchemas checks every collection's schemas against its items:
// the Part 5 schema lists exactly the properties the features carry, each
// value is of the declared type (or null), numbers declared "number" are
// written as reals, the property with the id role holds the feature id;
// the queryables and the GeoJSON feature schema agree with it. Every page
// of every collection is walked but the cells' (two pages of the national
// grid, and a bbox).
func TestOGCSchemas(t *testing.T) {
	s := apitest.MapServer(t)
	for _, l := range s.Maps().Current().Layers().List() {
		base := "/ogc/collections/" + l.Name
		part5 := getSchema(t, s, base+"/schema")
		if g := part5["geometry"]; g.Role != "primary-geometry" || g.Format != ogc.GeometryFormat(l) {
			t.Errorf("%s: geometry %+v", l.Name, g)
		}
		idProp := ""
		for name, p := range part5 {
			if p.Role == "id" {
				idProp = name
			}
			if name != "geometry" && p.Type == "" {
				t.Errorf("%s: property %s has no type", l.Name, name)
			}
		}
		if idProp != l.IDProp || l.IDProp == "" && l.Name != "sites" {
			t.Errorf("%s: id role on %q, want %q", l.Name, idProp, l.IDProp)
		}
		// The GeoJSON feature schema (GDAL) has the same types.
		feat := getSchema(t, s, base+"/feature-schema")
		var whole struct {
			Properties struct {
				Properties struct {
					Properties schemaProps `json:"properties"`
				} `json:"properties"`
			} `json:"properties"`
		}
		rec := apitest.MapGet(t, s, base+"/feature-schema")
		if err := json.Unmarshal(rec.Body.Bytes(), &whole); err != nil || feat["properties"].Type != "object" {
			t.Fatalf("%s: feature schema %v %s", l.Name, err, rec.Body)
		}
		inner := whole.Properties.Properties
		for _, p := range l.Props {
			if inner.Properties[p.Name].Type != part5[p.Name].Type {
				t.Errorf("%s: %s is %q in the feature schema, %q in the schema", l.Name, p.Name,
					inner.Properties[p.Name].Type, part5[p.Name].Type)
			}
		}
		// Queryables: the geometry, and departement where the features have one.
		q := getSchema(t, s, base+"/queryables")
		if q["geometry"].Role != "primary-geometry" {
			t.Errorf("%s: queryables %v", l.Name, q)
		}
		if _, ok := part5["departement"]; ok != (q["departement"].Type == "string") {
			t.Errorf("%s: departement queryable %v, property %v", l.Name, q["departement"], ok)
		}

		// The items, page by page.
		url := base + "/items?limit=10000&zoom=4"
		if l.Name == "cells" {
			url = base + "/items?limit=5000"
		}
		pages, seen := 0, map[string]bool{}
		for url != "" {
			rec := apitest.MapGet(t, s, url)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: %d %.300s", url, rec.Code, rec.Body.String())
			}
			doc := apitest.DecodeNumbers(t, url, rec.Body.Bytes()).(map[string]any)
			features := doc["features"].([]any)
			for _, fv := range features {
				f := fv.(map[string]any)
				id, _ := f["id"].(string)
				props := f["properties"].(map[string]any)
				if len(props) != len(l.Props) {
					t.Fatalf("%s: feature %s has %d properties, the schema %d", l.Name, id, len(props), len(l.Props))
				}
				for name, v := range props {
					want, ok := part5[name]
					got := jsonTypeOf(v)
					switch {
					case !ok:
						t.Fatalf("%s: feature %s: property %s is not in the schema", l.Name, id, name)
					case got == "null":
					case got != want.Type:
						t.Fatalf("%s: feature %s: %s is %v (%s), the schema says %s", l.Name, id, name, v, got, want.Type)
					case got == "array":
						for _, x := range v.([]any) {
							if jsonTypeOf(x) != want.Items.Type {
								t.Fatalf("%s: feature %s: %s holds %v", l.Name, id, name, x)
							}
						}
					}
				}
				if l.IDProp != "" && props[l.IDProp] != id {
					t.Fatalf("%s: feature %s: %s is %v", l.Name, id, l.IDProp, props[l.IDProp])
				}
				if seen[id] && l.Name != "sites" {
					t.Fatalf("%s: feature %s twice", l.Name, id)
				}
				seen[id] = true
			}
			pages++
			url = ""
			for _, lv := range doc["links"].([]any) {
				if lk := lv.(map[string]any); lk["rel"] == "next" {
					url = strings.TrimPrefix(lk["href"].(string), "http://example.com")
				}
			}
			if l.Name == "cells" && pages == 2 {
				break
			}
		}
		if len(seen) == 0 {
			t.Errorf("%s: no feature", l.Name)
		}
		t.Logf("%s: %d features in %d pages", l.Name, len(seen), pages)
	}
}

// TestOGCCollectionLinks checks that each collection links to its schema,
// GeoJSON feature schema and queryables, and that GDAL's Accept gets the
// queryables as application/json.
func TestOGCCollectionLinks(t *testing.T) {
	s := apitest.MapServer(t)
	var v ogc.CollectionView
	if code := apitest.Get(t, s, "/ogc/collections/communes", &v); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	want := map[string]string{ogc.RelSchema: "/schema", "describedby": "/feature-schema", ogc.RelQueryables: "/queryables", "queryables": "/queryables"}
	for rel, suffix := range want {
		found := false
		for _, l := range v.Links {
			found = found || l.Rel == rel && l.Type == ogc.SchemaType && l.Href == "http://example.com/ogc/collections/communes"+suffix
		}
		if !found {
			t.Errorf("no %s link to %s: %+v", rel, suffix, v.Links)
		}
	}
	rec := apitest.MapGet(t, s, "/ogc/collections/communes/queryables", "Accept", "application/geo+json, application/json")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != httpx.JSONType {
		t.Errorf("queryables for GDAL: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	// departement= filters the items as the queryable says.
	rec = apitest.MapGet(t, s, "/ogc/collections/communes/items?departement=23&limit=1000")
	doc := apitest.DecodeNumbers(t, "communes of 23", rec.Body.Bytes()).(map[string]any)
	for _, fv := range doc["features"].([]any) {
		if d := fv.(map[string]any)["properties"].(map[string]any)["departement"]; d != "23" {
			t.Fatalf("departement=23 answered a commune of %v", d)
		}
	}
	if n := len(doc["features"].([]any)); n < 200 {
		t.Errorf("departement=23: %d communes", n)
	}
}

// TestOGCCellsPage checks the cells collection without bbox: a bounded
// first page with attributes, numberMatched the whole grid, a next link,
// a large limit honoured and the pages adjacent.
func TestOGCCellsPage(t *testing.T) {
	s := apitest.MapServer(t)
	first := apitest.GetPage(t, s, "/ogc/collections/cells/items")
	if len(first.FC.Features) != ogc.DefaultLimit || first.Raw.NumberMatched != s.Registry().Engine().Grid().Len() || first.NextLink() == "" {
		t.Fatalf("first page: %d features of %d, next %q", len(first.FC.Features), first.Raw.NumberMatched, first.NextLink())
	}
	for _, f := range first.FC.Features {
		if f.Properties["h3"] != f.ID || f.Properties["population"] == nil || f.Properties["covered"] == nil ||
			f.Properties["distance_m"] == nil || f.Geometry == nil {
			t.Fatalf("cell %v: %v", f.ID, f.Properties)
		}
	}
	big := apitest.GetPage(t, s, "/ogc/collections/cells/items?limit=10000&offset=50")
	if len(big.FC.Features) != 10000 {
		t.Fatalf("limit=10000: %d features", len(big.FC.Features))
	}
	if big.FC.Features[50].ID != apitest.GetPage(t, s, "/ogc/collections/cells/items?limit=1&offset=100").FC.Features[0].ID ||
		big.FC.Features[0].ID != first.FC.Features[50].ID {
		t.Errorf("pages do not follow each other")
	}
	last := apitest.GetPage(t, s, "/ogc/collections/cells/items?offset="+strconv.Itoa(s.Registry().Engine().Grid().Len()-3))
	if len(last.FC.Features) != 3 || last.NextLink() != "" {
		t.Errorf("last page: %d features, next %q", len(last.FC.Features), last.NextLink())
	}
}
