package apitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/paulmach/orb"
)

// DecodeNumbers parses JSON keeping every number as written (json.Number).
func DecodeNumbers(t testing.TB, what string, body []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%s: %v: %.300s", what, err, body)
	}
	return v
}

// decimals is the number of digits after the point of a number as written.
func decimals(n json.Number) int {
	s := string(n)
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

// isRealName reports whether a property holds a measurement or a ratio
// (distances, areas, densities, shares, minutes), which every answer
// writes with a decimal point.
func isRealName(name string) bool {
	for _, suffix := range []string{"_m", "_km2", "_share", "_minutes", "minutes"} {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return strings.Contains(name, "_share_") || strings.HasPrefix(name, "covered_share")
}

// GeoJSONCheck is what CheckGeoJSON found in a document.
type GeoJSONCheck struct {
	Features, Rings int
	Props           map[string]int // property name → features carrying it
}

// CheckGeoJSON checks a GeoJSON answer (a Feature or a FeatureCollection)
// as written: at most httpx.MaxDecimals decimals in every coordinate and bbox,
// exterior rings counter-clockwise and holes clockwise (RFC 7946 §3.1.6),
// rings closed, and every measurement or ratio property (isRealName) that
// is a number written with a decimal point or an exponent.
func CheckGeoJSON(t testing.TB, what string, body []byte) GeoJSONCheck {
	t.Helper()
	doc, ok := DecodeNumbers(t, what, body).(map[string]any)
	if !ok {
		t.Fatalf("%s: not a JSON object", what)
	}
	var features []any
	switch doc["type"] {
	case "Feature":
		features = []any{doc}
	case "FeatureCollection":
		features, _ = doc["features"].([]any)
	default:
		t.Fatalf("%s: type %v", what, doc["type"])
	}
	res := GeoJSONCheck{Props: map[string]int{}}
	number := func(id any, v any) float64 {
		n, ok := v.(json.Number)
		if !ok {
			t.Fatalf("%s: feature %v: coordinate %v is not a number", what, id, v)
		}
		if decimals(n) > httpx.MaxDecimals {
			t.Fatalf("%s: feature %v: coordinate %s has more than %d decimals", what, id, n, httpx.MaxDecimals)
		}
		f, err := n.Float64()
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	position := func(id, v any) orb.Point {
		a, ok := v.([]any)
		if !ok || len(a) != 2 {
			t.Fatalf("%s: feature %v: position %v", what, id, v)
		}
		return orb.Point{number(id, a[0]), number(id, a[1])}
	}
	polygon := func(id, v any) {
		rings, _ := v.([]any)
		for ri, rv := range rings {
			pts, _ := rv.([]any)
			r := make(orb.Ring, len(pts))
			for k, p := range pts {
				r[k] = position(id, p)
			}
			if len(r) < 4 || r[0] != r[len(r)-1] {
				t.Fatalf("%s: feature %v: ring %d open or shorter than 4 positions", what, id, ri)
			}
			if (r.Orientation() == orb.CCW) != (ri == 0) {
				t.Fatalf("%s: feature %v: ring %d wound %v (exteriors counter-clockwise, holes clockwise)", what, id, ri, r.Orientation())
			}
			res.Rings++
		}
	}
	for _, fv := range features {
		f, _ := fv.(map[string]any)
		id := f["id"]
		res.Features++
		if bbox, ok := f["bbox"].([]any); ok {
			for _, v := range bbox {
				number(id, v)
			}
		}
		if g, ok := f["geometry"].(map[string]any); ok {
			coords := g["coordinates"]
			switch g["type"] {
			case "Point":
				position(id, coords)
			case "Polygon":
				polygon(id, coords)
			case "MultiPolygon":
				polys, _ := coords.([]any)
				for _, p := range polys {
					polygon(id, p)
				}
			default:
				t.Fatalf("%s: feature %v: geometry type %v", what, id, g["type"])
			}
		}
		props, _ := f["properties"].(map[string]any)
		for k, v := range props {
			res.Props[k]++
			if n, ok := v.(json.Number); ok && isRealName(k) && !strings.ContainsAny(string(n), ".eE") {
				t.Fatalf("%s: feature %v: %s is %s, written without a decimal point", what, id, k, n)
			}
		}
	}
	return res
}

// HasProp says whether any feature carries the property.
func (c GeoJSONCheck) HasProp(name string) bool { return c.Props[name] > 0 }

func (c GeoJSONCheck) String() string {
	return fmt.Sprintf("%d features, %d rings, properties %v", c.Features, c.Rings, c.Props)
}
