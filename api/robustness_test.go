package api_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
)

// Bad and extreme inputs sent to every route by TestNoInputReachesRecovery.
// Queries are mostly invalid (parsed and refused before any work) with a
// few valid extremes.
func robustQueries() []string {
	return []string{
		"",
		"lon=abc&lat=46", "lon=200&lat=46", "lon=2&lat=-91", "lon=NaN&lat=NaN", "lon=Inf&lat=1", "lon=1e309&lat=0",
		"lon=&lat=", "lon=2", "lon=-180&lat=90", "lon=180&lat=-90",
		"bbox=1,2,3", "bbox=3,2,1,0", "bbox=a,b,c,d", "bbox=-180,-90,180,90", "bbox=NaN,0,1,1", "bbox=,,,",
		"k=0", "k=-5", "k=99999999999999999999", "k=1e3", "limit=0", "limit=-1", "limit=999999999", "offset=-1",
		"offset=99999999999999999999", "limit=1&offset=1073741824",
		"layers=nope", "layers=,,,", "layers=" + strings.Repeat("a,", 500),
		"format=kml", "format=", "part=nope", "kind=nope", "kind=candidates", "algorithm=nope",
		"departement=00", "departement=../../etc", "region=XX", "departement=23&region=75",
		"max_km=-1", "max_km=1e308", "max_minutes=-5", "max_minutes=NaN", "speed_kmh=0", "detour=100", "max_km=1&max_minutes=1",
		"candidates=nope&structures=nope", "match=nope", "dataset=nope", "rank_by=nope", "demand=nope",
		"q=" + url.QueryEscape(strings.Repeat("é", 2000)), "%zz=%zz", "lon=2&lon=3&lat=4&lat=5",
		"collections=x&f=xml", "datetime=x", "crs=x", "bbox-crs=x",
	}
}

// robustBodies are the bodies sent to POST routes.
func robustBodies() []struct{ contentType, body string } {
	return []struct{ contentType, body string }{
		{"", ""},
		{"application/json", "{"},
		{"application/json", "null"},
		{"application/json", "[]"},
		{"application/json", "{}"},
		{"application/json", `{"candidates":"nope","structures":"nope"}`},
		{"application/json", `{"candidates":[{"id":1e400}],"structures":[null]}`},
		{"application/json", `{"proposals":[{"id":"p","lon":"x","lat":null}]}`},
		{"application/json", `{"type":"FeatureCollection","features":[{"geometry":{"type":"Point","coordinates":[]}}]}`},
		{"application/json", strings.Repeat("[", 10000) + strings.Repeat("]", 10000)},
		{"text/csv", "id,lon,lat\n1,abc,95\n"},
		{"text/csv", "\xff\xfe\x00garbage\x00"},
		{"text/csv", "\x1f\x8b\x08\x00broken gzip"},
		{"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nid\r\n--x--"},
		{"multipart/form-data", "no boundary"},
		{"application/geo+json", `{"type":"Feature"}`},
	}
}

// fillRoute replaces the parameters of a gin route pattern with value.
func fillRoute(route, value string) string {
	parts := strings.Split(route, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") || strings.HasPrefix(p, "*") {
			parts[i] = value
		}
	}
	return strings.Join(parts, "/")
}

// TestNoInputReachesRecovery sends bad and extreme inputs to every route
// and fails if any reaches the recovery middleware (a panic) or answers
// 500: every input is either served or refused with a 4xx.
func TestNoInputReachesRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("sends thousands of requests over the real data")
	}
	pc := newPanicCounter()
	s := api.New(apitest.Real(t).Registry(), api.Config{InsecureOpen: true, Logger: slog.New(pc), MaxBodyBytes: 1 << 20})
	values := []string{"nope", "0", "-1", "99999999999999999999", "..", "%2e%2e%2f", url.PathEscape(strings.Repeat("x", 300)),
		"75056", "communes", "cnfs-structures-2021", "12", "0.mvt", "-1.mvt", "1.5.mvt", "x.json"}
	// Tiles: a served one and bad ones (the query hardly matters to them).
	tiles := []string{"/tiles/communes/12/2074/1409.mvt", "/tiles/communes/30/1/1.mvt",
		"/tiles/communes/12/99999/1.mvt", "/tiles/nope/1/1/1.mvt", "/tiles/communes/-1/0/0.mvt", "/tiles/communes.json"}
	start := time.Now()
	n := 0
	send := func(method, target, contentType, body string) {
		req := httptest.NewRequest(method, "/", strings.NewReader(body))
		req.URL, _ = url.Parse(target)
		req.RequestURI = target
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		rec := httptest.NewRecorder()
		before := pc.n.Load()
		s.Handler().ServeHTTP(rec, req)
		n++
		if pc.n.Load() != before {
			t.Errorf("%s %s (%.40q): reached the recovery middleware: %v", method, target, body, pc.last.Load())
		} else if rec.Code >= 500 {
			t.Errorf("%s %s (%.40q): status %d: %.200s", method, target, body, rec.Code, rec.Body)
		}
	}
	for _, r := range s.Router().Routes() {
		t0 := time.Now()
		n0 := n
		if r.Method == http.MethodDelete {
			// Only unknown ids: never delete a dataset other tests use.
			send(r.Method, fillRoute(r.Path, "no-such-dataset"), "", "")
			continue
		}
		var paths []string
		queries := robustQueries()
		if strings.HasPrefix(r.Path, "/tiles/:layer/") {
			paths, queries = tiles, queries[:4]
		} else if strings.ContainsAny(r.Path, ":*") {
			for _, v := range values {
				paths = append(paths, fillRoute(r.Path, v))
			}
		} else {
			paths = []string{r.Path}
		}
		for _, p := range paths {
			for _, q := range queries {
				target := p
				if q != "" {
					target += "?" + q
				}
				if r.Method == http.MethodPost {
					for _, b := range robustBodies() {
						send(r.Method, target, b.contentType, b.body)
					}
					continue
				}
				send(r.Method, target, "", "")
			}
		}
		if d := time.Since(t0); d > 2*time.Second {
			t.Logf("%s %s: %d requests in %v", r.Method, r.Path, n-n0, d.Round(time.Millisecond))
		}
	}
	t.Logf("%d requests over %d routes in %v, %d recoveries", n, len(s.Router().Routes()), time.Since(start).Round(time.Millisecond), pc.n.Load())
	if n < 1000 {
		t.Fatalf("only %d requests sent", n)
	}
}
