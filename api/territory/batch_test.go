package territory_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/matching"
)

// postBatch sends a POST with a body and its Content-Type (and Accept when not
// empty) and returns the recorder.
func postBatch(s *api.Server, url, contentType, accept, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	s.Handler().ServeHTTP(rec, req)
	return rec
}

// samplePoints are real points: sites of the default layer (some on
// commune borders' neighbourhoods), random points of metropolitan France's
// box (some at sea, in no commune) and a few overseas.
func samplePoints(s *api.Server, n int) []orb.Point {
	r := rand.New(rand.NewPCG(17, 1))
	sites := s.Registry().Engine().Layer(matching.DefaultLayer).Sites
	var out []orb.Point
	for i := 0; i < n/2; i++ {
		out = append(out, sites[r.IntN(len(sites))].Point)
	}
	for len(out) < n-2 {
		out = append(out, orb.Point{-5 + r.Float64()*14, 41.3 + r.Float64()*9.8})
	}
	return append(out, orb.Point{55.4504, -20.8789}, orb.Point{-30, 40})
}

type batchCommuneItem struct {
	ID      string          `json:"id"`
	Lon     float64         `json:"lon"`
	Lat     float64         `json:"lat"`
	Commune json.RawMessage `json:"commune"`
}

// TestBatchCommunesAtEqualsSingle checks every answer of POST
// /v1/communes/at against GET /v1/communes/at on real points, in order.
func TestBatchCommunesAtEqualsSingle(t *testing.T) {
	s := apitest.Real(t)
	pts := samplePoints(s, 300)
	var body strings.Builder
	for i, p := range pts {
		fmt.Fprintf(&body, "%v,%v,p%d\n", p[0], p[1], i)
	}
	rec := postBatch(s, "/v1/communes/at", "text/csv", "", body.String())
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var ans struct {
		Items []batchCommuneItem `json:"items"`
		Total int                `json:"total"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil {
		t.Fatal(err)
	}
	if ans.Total != len(pts) || len(ans.Items) != len(pts) {
		t.Fatalf("%d items (total %d), want %d", len(ans.Items), ans.Total, len(pts))
	}
	found := 0
	for i, p := range pts {
		it := ans.Items[i]
		if it.ID != fmt.Sprintf("p%d", i) || it.Lon != p[0] || it.Lat != p[1] {
			t.Fatalf("item %d: %+v, want point p%d %v", i, it, i, p)
		}
		single := httptest.NewRecorder()
		s.Handler().ServeHTTP(single, httptest.NewRequest(http.MethodGet, fmt.Sprintf("/v1/communes/at?lon=%v&lat=%v", p[0], p[1]), nil))
		switch single.Code {
		case http.StatusOK:
			found++
			if got, want := string(it.Commune), strings.TrimSpace(single.Body.String()); got != want {
				t.Errorf("point %d %v: batch %s, single %s", i, p, got, want)
			}
		case http.StatusNotFound:
			if string(it.Commune) != "null" {
				t.Errorf("point %d %v: batch %s, single 404", i, p, it.Commune)
			}
		default:
			t.Fatalf("GET point %d: %d", i, single.Code)
		}
	}
	if found < len(pts)/2 || found == len(pts) {
		t.Errorf("%d of %d points in a commune: the sample should hold both kinds", found, len(pts))
	}
}

// TestBatchSitesNearestEqualsSingle checks POST /v1/sites/nearest against
// GET /v1/sites/nearest, with k and layers.
func TestBatchSitesNearestEqualsSingle(t *testing.T) {
	s := apitest.Real(t)
	pts := samplePoints(s, 60)
	type feature struct {
		Type     string `json:"type"`
		Geometry struct {
			Coordinates []float64 `json:"coordinates"`
		} `json:"geometry"`
		Properties struct {
			ID    string            `json:"id"`
			Sites []json.RawMessage `json:"sites"`
		} `json:"properties"`
	}
	var fc strings.Builder
	fc.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, p := range pts {
		if i > 0 {
			fc.WriteString(",")
		}
		fmt.Fprintf(&fc, `{"type":"Feature","id":"f%d","geometry":{"type":"Point","coordinates":[%v,%v]},"properties":{}}`, i, p[0], p[1])
	}
	fc.WriteString("]}")
	const q = "k=3&layers=france-services,cnfs-permanences"
	rec := postBatch(s, "/v1/sites/nearest?"+q, "application/geo+json", httpx.GeoJSONType, fc.String())
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), httpx.GeoJSONType) {
		t.Fatalf("status %d %s: %.300s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	var ans struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil {
		t.Fatal(err)
	}
	if ans.Type != "FeatureCollection" || len(ans.Features) != len(pts) {
		t.Fatalf("%s with %d features, want %d", ans.Type, len(ans.Features), len(pts))
	}
	for i, p := range pts {
		f := ans.Features[i]
		var single struct {
			Items []json.RawMessage `json:"items"`
		}
		if code := apitest.Get(t, s, fmt.Sprintf("/v1/sites/nearest?lon=%v&lat=%v&%s", p[0], p[1], q), &single); code != http.StatusOK {
			t.Fatalf("GET: %d", code)
		}
		if f.Properties.ID != fmt.Sprintf("f%d", i) || f.Geometry.Coordinates[0] != p[0] || len(f.Properties.Sites) != 3 {
			t.Fatalf("feature %d: %+v", i, f)
		}
		for j := range single.Items {
			if string(f.Properties.Sites[j]) != string(single.Items[j]) {
				t.Errorf("point %d site %d: batch %s, single %s", i, j, f.Properties.Sites[j], single.Items[j])
			}
		}
	}
}

// TestBatchFormats checks the three input forms give the same answer, and
// the answer formats (format=, Accept).
func TestBatchFormats(t *testing.T) {
	s := apitest.Real(t)
	inputs := []struct{ name, contentType, body string }{
		{"csv", "text/csv", "2.3522,48.8566,paris\n-30,40,sea\n4.8357,45.764,lyon\n"},
		{"csv header", "text/csv", "id;lat;lon\nparis;48.8566;2.3522\nsea;40;-30\nlyon;45.764;4.8357\n"},
		{"json", "application/json", `[{"id":"paris","lon":2.3522,"lat":48.8566},{"id":"sea","lon":-30,"lat":40},{"id":"lyon","lon":4.8357,"lat":45.764}]`},
		{"geojson sniffed", "application/json", `{"type":"FeatureCollection","features":[{"type":"Feature","id":"paris","geometry":{"type":"Point","coordinates":[2.3522,48.8566]}},{"type":"Feature","properties":{"id":"sea"},"geometry":{"type":"Point","coordinates":[-30,40]}},{"type":"Feature","id":"lyon","geometry":{"type":"Point","coordinates":[4.8357,45.764]}}]}`},
	}
	var first string
	for _, in := range inputs {
		rec := postBatch(s, "/v1/communes/at?format=csv", in.contentType, "", in.body)
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
			t.Fatalf("%s: %d %s", in.name, rec.Code, rec.Body)
		}
		rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
		if err != nil || len(rows) != 4 || rows[0][3] != "code" || rows[1][0] != "paris" || rows[1][3] != "75056" ||
			rows[2][0] != "sea" || rows[2][3] != "" || rows[3][3] != "69123" {
			t.Errorf("%s: %v %v", in.name, rows, err)
		}
		if first == "" {
			first = rec.Body.String()
		} else if rec.Body.String() != first {
			t.Errorf("%s: answer differs from the CSV input's:\n%s\n%s", in.name, rec.Body, first)
		}
	}
	if rec := postBatch(s, "/v1/communes/at", "text/csv", "text/csv", "2.3522,48.8566\n"); !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Errorf("Accept: text/csv answered %s", rec.Header().Get("Content-Type"))
	}
	if rec := postBatch(s, "/v1/communes/at?format=geojson", "text/csv", "", "2.3522,48.8566\n"); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"coordinates":[2.3522,48.8566]`) {
		t.Errorf("geojson: %d %s", rec.Code, rec.Body)
	}
	quoted := postBatch(s, "/v1/communes/at?format=csv", "application/json", "", `[{"id":"a,\"b\"","lon":2.3522,"lat":48.8566}]`)
	if rows, err := csv.NewReader(strings.NewReader(quoted.Body.String())).ReadAll(); err != nil || len(rows) != 2 || rows[1][0] != `a,"b"` {
		t.Errorf("id with a comma and quotes: %v %v", rows, err)
	}
	rec := postBatch(s, "/v1/sites/nearest?format=csv&k=2", "text/csv", "", "2.3522,48.8566,a\n4.8357,45.764,b\n")
	rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
	if err != nil || len(rows) != 5 || rows[1][0] != "a" || rows[1][3] != "1" || rows[2][3] != "2" || rows[4][0] != "b" {
		t.Errorf("nearest CSV: %v %v", rows, err)
	}
}

// TestBatchErrors checks that bad input is a 400 naming the line or
// feature, and huge input a 413.
func TestBatchErrors(t *testing.T) {
	s := apitest.Real(t)
	tests := []struct {
		url, contentType, body string
		status                 int
		want                   string // in the message
	}{
		{"/v1/communes/at", "text/csv", "2.35,48.85\n1,2\n1,95\n", 400, "line 3"},
		{"/v1/communes/at", "application/json", `[{"lon":1,"lat":2},{"lon":"x","lat":2}]`, 400, "element 1"},
		{"/v1/sites/nearest", "application/geo+json", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[]}}]}`, 400, "feature 0"},
		{"/v1/communes/at", "text/csv", "", 400, "no point"},
		{"/v1/communes/at", "application/json", "", 400, "unknown format"},
		{"/v1/communes/at?format=xml", "text/csv", "1,2\n", 400, "format"},
		{"/v1/sites/nearest?k=0", "text/csv", "1,2\n", 400, "k"},
		{"/v1/sites/nearest?layers=nope", "text/csv", "1,2\n", 400, "layers"},
	}
	for _, tc := range tests {
		rec := postBatch(s, tc.url, tc.contentType, "", tc.body)
		var body apitest.ErrorBody
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		if rec.Code != tc.status || !strings.Contains(body.Message, tc.want) {
			t.Errorf("POST %s %q: %d %+v, want %d naming %q", tc.url, tc.body, rec.Code, body, tc.status, tc.want)
		}
	}
	small := api.New(s.Registry(), api.Config{MaxRows: 10, MaxBodyBytes: 1 << 10})
	for _, body := range []string{strings.Repeat("1,2\n", 11), strings.Repeat("1.000000,2.000000\n", 100)} {
		rec := postBatch(small, "/v1/communes/at", "text/csv", "", body)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("%d bytes over 10 rows or 1 KiB: %d %s, want 413", len(body), rec.Code, rec.Body)
		}
	}
}
