package api_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/internal/web"
)

// serveWeb performs one request against the built-in map's routes.
func serveWeb(t *testing.T, s *api.Server, method, path string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

func TestWebFiles(t *testing.T) {
	s := apitest.Real(t)
	want, err := web.File("app.js")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		hdr        map[string]string
		status     int
		typ        string // Content-Type prefix
		gz         bool   // Content-Encoding gzip
		contains   string
	}{
		{"page", "/", nil, 200, "text/html", false, `<script src="/static/vendor/maplibre-gl/maplibre-gl.js">`},
		{"page by name", "/static/index.html", nil, 200, "text/html", false, `lang="fr"`},
		{"script", "/static/app.js", nil, 200, "text/javascript", false, "maplibregl.Map"},
		{"style", "/static/app.css", nil, 200, "text/css", false, "#panel"},
		{"maplibre", "/static/vendor/maplibre-gl/maplibre-gl.js", nil, 200, "text/javascript", false, "MapLibre GL JS"},
		{"maplibre css", "/static/vendor/maplibre-gl/maplibre-gl.css", nil, 200, "text/css", false, ".maplibregl-map"},
		{"licence", "/static/vendor/maplibre-gl/LICENSE.txt", nil, 200, "text/plain", false, "Copyright"},
		{"gzip", "/static/app.js", map[string]string{"Accept-Encoding": "gzip, deflate"}, 200, "text/javascript", true, "maplibregl.Map"},
		{"gzip refused", "/static/app.js", map[string]string{"Accept-Encoding": "gzip;q=0"}, 200, "text/javascript", false, "maplibregl.Map"},
		{"missing", "/static/nope.js", nil, 404, "application/json", false, "not_found"},
		{"no listing", "/static/", nil, 404, "application/json", false, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serveWeb(t, s, http.MethodGet, tt.path, tt.hdr)
			if rec.Code != tt.status || !strings.HasPrefix(rec.Header().Get("Content-Type"), tt.typ) {
				t.Fatalf("GET %s: %d %q, want %d %s", tt.path, rec.Code, rec.Header().Get("Content-Type"), tt.status, tt.typ)
			}
			body := rec.Body.Bytes()
			if gz := rec.Header().Get("Content-Encoding") == "gzip"; gz != tt.gz {
				t.Fatalf("GET %s: gzip %v, want %v", tt.path, gz, tt.gz)
			}
			if tt.gz {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(body, want) {
					t.Fatalf("gunzipped app.js differs from the embedded file (%d vs %d bytes)", len(body), len(want))
				}
			}
			if !bytes.Contains(body, []byte(tt.contains)) {
				t.Errorf("GET %s: body lacks %q", tt.path, tt.contains)
			}
		})
	}
}

func TestWebFilesETag(t *testing.T) {
	s := apitest.Real(t)
	first := serveWeb(t, s, http.MethodGet, "/static/app.css", nil)
	etag := first.Header().Get("ETag")
	if etag == "" || first.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("ETag %q, Cache-Control %q", etag, first.Header().Get("Cache-Control"))
	}
	if rec := serveWeb(t, s, http.MethodGet, "/static/app.css", map[string]string{"If-None-Match": etag}); rec.Code != 304 || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match %s: %d with %d bytes, want 304 and none", etag, rec.Code, rec.Body.Len())
	}
	if rec := serveWeb(t, s, http.MethodGet, "/static/app.css", map[string]string{"If-None-Match": `"other"`}); rec.Code != 200 {
		t.Errorf("If-None-Match other: %d, want 200", rec.Code)
	}
	if other := serveWeb(t, s, http.MethodGet, "/static/app.js", nil).Header().Get("ETag"); other == etag {
		t.Errorf("app.js and app.css share the ETag %s", etag)
	}
	if rec := serveWeb(t, s, http.MethodHead, "/", nil); rec.Code != 200 || rec.Header().Get("ETag") == "" {
		t.Errorf("HEAD /: %d, ETag %q", rec.Code, rec.Header().Get("ETag"))
	}
}
