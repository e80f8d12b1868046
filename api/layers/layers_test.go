package layers_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"

	apilayers "github.com/maillage/maillage/api/layers"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/internal/maplayers"
	"github.com/maillage/maillage/internal/mvt"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
)

func TestLayerList(t *testing.T) {
	s := apitest.MapServer(t)
	var body struct {
		Items []apilayers.LayerView `json:"items"`
		Total int                   `json:"total"`
	}
	if code := apitest.Get(t, s, "/v1/layers", &body); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	byName := map[string]apilayers.LayerView{}
	for _, l := range body.Items {
		byName[l.Name] = l
	}
	e := s.Registry().Engine()
	want := map[string]int{"communes": len(e.Territory().Communes), "departements": 101, "regions": 18,
		"cells": e.Grid().Len(), "gaps": -1}
	sites := 0
	for name, l := range e.Layers() {
		want[name] = len(l.Sites)
		sites += len(l.Sites)
	}
	want["sites"] = sites
	if body.Total != len(want) || len(body.Items) != len(want) {
		t.Fatalf("%d layers, want %d: %v", len(body.Items), len(want), body.Items)
	}
	for name, n := range want {
		l, ok := byName[name]
		switch {
		case !ok:
			t.Fatalf("layer %s missing", name)
		case l.Count == nil:
			t.Fatalf("layer %s: no count (%s)", name, l.Unavailable)
		case n >= 0 && *l.Count != n:
			t.Errorf("layer %s: count %d, want %d", name, *l.Count, n)
		case len(l.Properties) == 0 || l.Links.GeoJSON == "" || l.Links.Tiles == "":
			t.Errorf("layer %s: missing properties or links: %+v", name, l)
		}
		if e.Layer(name) != nil {
			if l.Kind != maplayers.KindService || l.Report == nil || l.Report.Loaded != n || l.Vintage == "" {
				t.Errorf("service layer %s: kind %q, report %+v, vintage %q", name, l.Kind, l.Report, l.Vintage)
			}
		}
	}
}

// TestLayersRFC7946 checks every layer, raw and simplified, against RFC
// 7946: simplified rings must also be valid (no crossing, no touching).
func TestLayersRFC7946(t *testing.T) {
	s := apitest.MapServer(t)
	cases := []struct {
		url      string
		decimals int
		valid    bool
		min      int
	}{
		{"/v1/layers/communes?departement=23", 6, false, 255},
		{"/v1/layers/communes?departement=23&zoom=9", 6, true, 255},
		{"/v1/layers/communes?departement=2A&zoom=12", 6, true, 120},
		{"/v1/layers/communes?departement=29&tolerance=0.01", 6, true, 250},
		{"/v1/layers/communes?zoom=5&limit=50000&properties=code", 6, true, 34000},
		{"/v1/layers/departements?zoom=7", 6, true, 101},
		{"/v1/layers/departements", 6, false, 101},
		{"/v1/layers/regions?zoom=4", 6, true, 18},
		{"/v1/layers/sites?departement=23", 6, false, 10},
		{"/v1/layers/" + matching.DefaultLayer + "?bbox=-5,42,8,51&limit=5000", 6, false, 2000},
		{"/v1/layers/gaps", 6, false, 1},
		{"/v1/layers/gaps?zoom=6", 6, true, 1},
		{"/v1/layers/cells?bbox=1.8,46.1,1.95,46.2", 6, false, 100},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			p := apitest.GetPage(t, s, c.url)
			if len(p.FC.Features) < c.min {
				t.Fatalf("%d features, want at least %d", len(p.FC.Features), c.min)
			}
			apitest.CheckRFC7946(t, c.url, p, c.decimals, c.valid)
		})
	}
}

// TestLayerZoomKeepsEveryCommune: simplification never drops a commune
// that has a boundary, and it shrinks the answer.
func TestLayerZoomKeepsEveryCommune(t *testing.T) {
	s := apitest.MapServer(t)
	full := apitest.GetPage(t, s, "/v1/layers/communes?departement=29")
	z := apitest.GetPage(t, s, "/v1/layers/communes?departement=29&zoom=6")
	if !slices.Equal(apitest.FeatureIDs(full), apitest.FeatureIDs(z)) {
		t.Fatalf("zoom changed the features")
	}
	points := func(p apitest.GeoPage) (n, withGeom int) {
		for _, f := range p.FC.Features {
			if mp, ok := f.Geometry.(orb.MultiPolygon); ok {
				withGeom++
				for _, poly := range mp {
					for _, r := range poly {
						n += len(r)
					}
				}
			}
		}
		return n, withGeom
	}
	nf, gf := points(full)
	nz, gz := points(z)
	if gf != gz || gf == 0 {
		t.Fatalf("features with geometry: %d raw, %d at zoom 6", gf, gz)
	}
	if nz*10 > nf {
		t.Fatalf("zoom 6 keeps %d of %d positions", nz, nf)
	}
}

// TestLayerPagination follows next links and checks every feature comes
// exactly once, in the order of the unpaged answer, which is the brute
// force selection of the territory.
func TestLayerPagination(t *testing.T) {
	s := apitest.MapServer(t)
	terr := s.Registry().Engine().Territory()
	bbox := orb.Bound{Min: orb.Point{2.2, 48.8}, Max: orb.Point{2.5, 48.95}}
	var inBox []string
	for _, c := range terr.Communes {
		if c.HasShape() && maplayers.BoundsMeet(c.Bound, bbox) {
			inBox = append(inBox, c.Code)
		}
	}
	var in2A []string
	for _, id := range terr.CommunesIn("2A") {
		in2A = append(in2A, terr.Communes[id].Code)
	}
	cases := []struct {
		first string
		want  []string
	}{
		{"/v1/layers/communes?departement=2A&limit=17&properties=nom", in2A},
		{"/v1/layers/communes?bbox=2.2,48.8,2.5,48.95&limit=9&zoom=10", inBox},
		{"/ogc/collections/communes/items?bbox=2.2,48.8,2.5,48.95&limit=7", inBox},
	}
	for _, c := range cases {
		t.Run(c.first, func(t *testing.T) {
			var got []string
			seen := map[string]bool{}
			url := c.first
			for pages := 0; url != ""; pages++ {
				if pages > 100 {
					t.Fatal("too many pages")
				}
				p := apitest.GetPage(t, s, strings.TrimPrefix(url, "http://example.com"))
				if p.Raw.NumberMatched != len(c.want) {
					t.Fatalf("numberMatched %d, want %d", p.Raw.NumberMatched, len(c.want))
				}
				for _, id := range apitest.FeatureIDs(p) {
					if seen[id] {
						t.Fatalf("feature %s twice", id)
					}
					seen[id] = true
					got = append(got, id)
				}
				url = p.NextLink()
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("pages gave %d features %v…, want %d %v…", len(got), got[:min(5, len(got))], len(c.want), c.want[:min(5, len(c.want))])
			}
		})
	}
}

// TestLayerFilters compares filtered layers with brute-force selections.
func TestLayerFilters(t *testing.T) {
	s := apitest.MapServer(t)
	layer := s.Registry().Engine().Layer(matching.DefaultLayer)
	var want []string
	for _, site := range layer.Sites {
		if site.Departement == "29" {
			want = append(want, site.ID)
		}
	}
	p := apitest.GetPage(t, s, "/v1/layers/"+matching.DefaultLayer+"?departement=29")
	if got := apitest.FeatureIDs(p); !slices.Equal(got, want) || len(want) == 0 {
		t.Fatalf("sites of 29: %v, want %v", got, want)
	}
	// The sites layer prefixes ids with the layer and holds every layer.
	p = apitest.GetPage(t, s, "/v1/layers/sites?departement=29&properties=layer,name")
	n := 0
	for _, f := range p.FC.Features {
		id := f.ID.(string)
		l, _, ok := strings.Cut(id, ":")
		if !ok || f.Properties["layer"] != l || len(f.Properties) != 2 {
			t.Fatalf("site %s: properties %v", id, f.Properties)
		}
		if l == matching.DefaultLayer {
			n++
		}
	}
	if n != len(want) {
		t.Fatalf("sites layer has %d %s sites in 29, want %d", n, matching.DefaultLayer, len(want))
	}
	// The région of a département.
	p = apitest.GetPage(t, s, "/v1/layers/regions?departement=23")
	if got := apitest.FeatureIDs(p); !slices.Equal(got, []string{"75"}) {
		t.Fatalf("région of 23: %v", got)
	}
	// Gap zones touching a département.
	cv, err := coverage.Compute(s.Registry().Engine().Coverage(), coverage.Query{})
	if err != nil {
		t.Fatal(err)
	}
	dep := cv.Gaps[0].DepartementsTouched[0]
	var gaps []string
	for _, z := range cv.Gaps {
		if slices.Contains(z.DepartementsTouched, dep) {
			gaps = append(gaps, z.ID)
		}
	}
	p = apitest.GetPage(t, s, "/v1/layers/gaps?departement="+dep)
	slices.Sort(gaps)
	got := apitest.FeatureIDs(p)
	slices.Sort(got)
	if !slices.Equal(got, gaps) {
		t.Fatalf("gaps of %s: %v, want %v", dep, got, gaps)
	}
}

// TestLayerCommuneProperties checks a commune's figures against the
// coverage analysis and the territory.
func TestLayerCommuneProperties(t *testing.T) {
	s := apitest.MapServer(t)
	p := apitest.GetPage(t, s, "/v1/layers/communes?bbox=1.86,46.16,1.88,46.18")
	var f map[string]any
	for _, ft := range p.FC.Features {
		if ft.ID == "23096" {
			f = ft.Properties
		}
	}
	if f == nil {
		t.Fatalf("Guéret (23096) not in %v", apitest.FeatureIDs(p))
	}
	cv, err := coverage.Compute(s.Registry().Engine().Coverage(), coverage.Query{Departement: "23", NoGaps: true})
	if err != nil {
		t.Fatal(err)
	}
	var m coverage.CommuneCoverage
	for _, c := range cv.Communes {
		if c.Code == "23096" {
			m = c
		}
	}
	minutes := coverage.Value(m.MeanDistanceM) / coverage.DefaultTravelModel().MetresFor(1)
	checks := map[string]float64{
		"population":         float64(m.Population),
		"covered_population": float64(m.CoveredPopulation),
		"covered_share":      httpx.Round(coverage.Value(m.CoveredShare), 4),
		"mean_distance_m":    math.Round(coverage.Value(m.MeanDistanceM)),
		"mean_minutes":       httpx.Round(minutes, 1),
	}
	for k, want := range checks {
		if got, _ := f[k].(float64); got != want {
			t.Errorf("%s = %v, want %v", k, f[k], want)
		}
	}
	if f["nom"] != "Guéret" || f["departement"] != "23" || f["minutes_class"] != apilayers.MinutesClass(minutes) {
		t.Errorf("properties %v", f)
	}
}

// TestLayerErrors checks the 4xx answers and their JSON shape.
func TestLayerErrors(t *testing.T) {
	s := apitest.MapServer(t)
	cases := []struct {
		url    string
		status int
		code   string
	}{
		{"/v1/layers/nope", http.StatusNotFound, httpx.CodeNotFound},
		{"/v1/layers/communes?departement=00", http.StatusNotFound, httpx.CodeNotFound},
		{"/v1/layers/communes?properties=nom,nope", http.StatusBadRequest, httpx.CodeBadParameter},
		{"/v1/layers/communes?zoom=5&tolerance=0.1", http.StatusBadRequest, httpx.CodeBadParameter},
		{"/v1/layers/communes?zoom=30", http.StatusBadRequest, httpx.CodeBadParameter},
		{"/v1/layers/communes?limit=0", http.StatusBadRequest, httpx.CodeBadParameter},
		{"/v1/layers/communes?limit=50001", http.StatusBadRequest, httpx.CodeBadParameter},
		{"/v1/layers/communes?bbox=1,2,3", http.StatusBadRequest, httpx.CodeBadParameter},
		{"/v1/layers/cells?bbox=-5,42,8,51", http.StatusBadRequest, httpx.CodeBadParameter},
	}
	for _, c := range cases {
		var e apitest.ErrorBody
		if code := apitest.Get(t, s, c.url, &e); code != c.status || e.Error != c.code || e.Message == "" {
			t.Errorf("GET %s: %d %+v, want %d %s", c.url, code, e, c.status, c.code)
		}
	}
	// Without the data folder the boundary layers are unavailable (503),
	// the others still work.
	bare := api.New(s.Registry(), api.Config{})
	var e apitest.ErrorBody
	if code := apitest.Get(t, bare, "/v1/layers/departements", &e); code != http.StatusServiceUnavailable || e.Error != httpx.CodeUnavailable {
		t.Errorf("departements without data dir: %d %+v", code, e)
	}
	var list struct {
		Items []apilayers.LayerView `json:"items"`
	}
	apitest.Get(t, bare, "/v1/layers", &list)
	for _, l := range list.Items {
		if (l.Name == "departements" || l.Name == "regions") != (l.Count == nil) {
			t.Errorf("layer %s without data dir: count %v, unavailable %q", l.Name, l.Count, l.Unavailable)
		}
	}
}

// TestLayerRegistryAdd adds a point layer at run time, as an upload
// would, and reads it back through GeoJSON, OGC and tiles.
func TestLayerRegistryAdd(t *testing.T) {
	s := apitest.MapServer(t)
	base := api.New(s.Registry(), api.Config{DataDir: apitest.TestData})
	props := []maplayers.PropSpec{{Name: "label", Type: "string", Description: "a label"}, {Name: "weight", Type: "integer", Description: "a weight"}}
	l := maplayers.NewPointLayer("proposals-test", "Test proposals", "two points", maplayers.KindUploaded, props, []maplayers.PointFeature{
		{ID: "p1", Point: orb.Point{1.8707, 46.1712}, Departement: "23", Props: []mvt.Value{mvt.Str("Guéret"), mvt.Int(3)}},
		{ID: "p2", Point: orb.Point{2.3522, 48.8566}, Departement: "75", Props: []mvt.Value{mvt.Str("Paris"), mvt.Int(7)}},
	})
	if err := base.Maps().Current().Layers().Add(l); err != nil {
		t.Fatal(err)
	}
	if err := base.Maps().Current().Layers().Add(&maplayers.Layer{Name: "Bad Name"}); err == nil {
		t.Fatal("a layer name with spaces was accepted")
	}
	p := apitest.GetPage(t, base, "/v1/layers/proposals-test?departement=75")
	if got := apitest.FeatureIDs(p); !slices.Equal(got, []string{"p2"}) || p.FC.Features[0].Properties["weight"] != 7.0 {
		t.Fatalf("uploaded layer: %v %v", got, p.FC.Features)
	}
	var item map[string]any
	if code := apitest.Get(t, base, "/ogc/collections/proposals-test/items/p1", &item); code != http.StatusOK || item["id"] != "p1" {
		t.Fatalf("OGC item: %d %v", code, item)
	}
	if rec := apitest.MapGet(t, base, fmt.Sprintf("/tiles/proposals-test/%s.mvt", tileOf(orb.Point{1.8707, 46.1712}, 10))); rec.Code != http.StatusOK {
		t.Fatalf("tile: %d", rec.Code)
	}
	if !base.Maps().Current().Layers().Remove("proposals-test") || base.Maps().Current().Layers().Remove("proposals-test") {
		t.Fatal("remove")
	}
	if code := apitest.Get(t, base, "/v1/layers/proposals-test", nil); code != http.StatusNotFound {
		t.Fatalf("removed layer: %d", code)
	}
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", `quo"te\`, "tab\tnew\nline\x01", "é à ü €", "bad\xffutf8", "\u2028"} {
		var back string
		if err := json.Unmarshal(httpx.AppendString(nil, s), &back); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		want := strings.ToValidUTF8(s, "\ufffd")
		if back != want {
			t.Errorf("%q came back as %q", s, back)
		}
	}
}
