package api_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
)

func TestGzipWhenAccepted(t *testing.T) {
	s := apitest.MapServer(t)
	url := "/v1/layers/communes?departement=23"
	plain := apitest.MapGet(t, s, url)
	zipped := apitest.MapGet(t, s, url, "Accept-Encoding", "gzip, deflate, br")
	if plain.Header().Get("Content-Encoding") != "" || zipped.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding: %q without, %q with Accept-Encoding", plain.Header().Get("Content-Encoding"), zipped.Header().Get("Content-Encoding"))
	}
	if !strings.Contains(strings.Join(zipped.Header().Values("Vary"), ","), "Accept-Encoding") {
		t.Errorf("Vary %q", zipped.Header().Get("Vary"))
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(body, plain.Body.Bytes()) {
		t.Fatalf("inflated body differs (%v)", err)
	}
	if zipped.Body.Len()*3 > len(body) {
		t.Errorf("gzip %d bytes for %d", zipped.Body.Len(), len(body))
	}
	// Small answers are not worth compressing.
	if rec := apitest.MapGet(t, s, "/ogc/conformance", "Accept-Encoding", "gzip"); rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("small answer compressed")
	}
	// Other endpoints are compressed too.
	if rec := apitest.MapGet(t, s, "/openapi.json", "Accept-Encoding", "gzip"); rec.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("openapi.json not compressed")
	}
}

func TestETagAndNotModified(t *testing.T) {
	s := apitest.MapServer(t)
	for _, url := range []string{"/v1/layers/regions?zoom=3", "/ogc/collections/regions/items?limit=2", "/ogc/collections/regions/items/75", "/openapi.json"} {
		first := apitest.MapGet(t, s, url)
		etag := first.Header().Get("ETag")
		if first.Code != http.StatusOK || !strings.HasPrefix(etag, `W/"`) || !strings.Contains(first.Header().Get("Cache-Control"), "max-age=300") {
			t.Fatalf("GET %s: %d, ETag %q, Cache-Control %q", url, first.Code, etag, first.Header().Get("Cache-Control"))
		}
		if again := apitest.MapGet(t, s, url); again.Header().Get("ETag") != etag {
			t.Fatalf("GET %s: ETag changed between identical requests", url)
		}
		strong := strings.TrimPrefix(etag, "W/")
		for _, inm := range []string{etag, strong, `"x", ` + etag, "*"} {
			rec := apitest.MapGet(t, s, url, "If-None-Match", inm)
			if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 || rec.Header().Get("ETag") != etag {
				t.Errorf("GET %s If-None-Match %s: %d, %d bytes", url, inm, rec.Code, rec.Body.Len())
			}
		}
		if rec := apitest.MapGet(t, s, url, "If-None-Match", `W/"other"`); rec.Code != http.StatusOK {
			t.Errorf("GET %s with another ETag: %d", url, rec.Code)
		}
		// Through gzip as well.
		if rec := apitest.MapGet(t, s, url, "If-None-Match", etag, "Accept-Encoding", "gzip"); rec.Code != http.StatusNotModified {
			t.Errorf("GET %s gzip If-None-Match: %d", url, rec.Code)
		}
	}
	// A different page has a different ETag.
	a := apitest.MapGet(t, s, "/v1/layers/regions?limit=2").Header().Get("ETag")
	b := apitest.MapGet(t, s, "/v1/layers/regions?limit=3").Header().Get("ETag")
	if a == b {
		t.Errorf("two pages share ETag %s", a)
	}
}

func TestCORS(t *testing.T) {
	s := apitest.MapServer(t)
	rec := apitest.MapGet(t, s, "/v1/layers/regions?limit=1", "Origin", "https://carte.example.fr")
	if rec.Header().Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(rec.Header().Get("Access-Control-Expose-Headers"), "ETag") {
		t.Fatalf("default CORS headers: %v", rec.Header())
	}
	if rec := apitest.MapGet(t, s, "/v1/layers/regions?limit=1"); rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS header without Origin")
	}
	preflight := func(srv *api.Server, origin string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodOptions, "/v1/layers/communes", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "GET")
		req.Header.Set("Access-Control-Request-Headers", "authorization, if-none-match")
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		return rec
	}
	if rec := preflight(s, "https://carte.example.fr"); rec.Code != http.StatusNoContent ||
		!strings.Contains(rec.Header().Get("Access-Control-Allow-Methods"), "GET") ||
		rec.Header().Get("Access-Control-Allow-Headers") != "authorization, if-none-match" {
		t.Errorf("preflight: %d %v", rec.Code, rec.Header())
	}
	// A configured list allows its origins only, and says it varies.
	only := api.New(s.Registry(), api.Config{CORSOrigins: []string{"https://ok.example"}})
	if rec := apitest.MapGet(t, only, "/healthz", "Origin", "https://ok.example"); rec.Header().Get("Access-Control-Allow-Origin") != "https://ok.example" ||
		!strings.Contains(strings.Join(rec.Header().Values("Vary"), ","), "Origin") {
		t.Errorf("allowed origin: %v", rec.Header())
	}
	if rec := apitest.MapGet(t, only, "/healthz", "Origin", "https://evil.example"); rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin allowed")
	}
	if rec := preflight(only, "https://evil.example"); rec.Code == http.StatusNoContent {
		t.Errorf("preflight of another origin answered 204")
	}
	none := api.New(s.Registry(), api.Config{CORSOrigins: []string{}})
	if rec := apitest.MapGet(t, none, "/healthz", "Origin", "https://ok.example"); rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS disabled but header sent")
	}
}

// TestOneErrorShape: every error of the map endpoints, and unknown
// routes, answer {"error", "message"} in JSON.
func TestOneErrorShape(t *testing.T) {
	s := apitest.MapServer(t)
	for _, url := range []string{"/nope", "/v1/layers/nope", "/ogc/collections/nope/items", "/tiles/nope/0/0/0.mvt", "/v1/layers/communes?limit=x"} {
		rec := apitest.MapGet(t, s, url, "Accept-Encoding", "gzip")
		var body io.Reader = rec.Body
		if rec.Header().Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(rec.Body)
			if err != nil {
				t.Fatal(err)
			}
			body = zr
		}
		var e map[string]any
		if err := json.NewDecoder(body).Decode(&e); err != nil || rec.Code < 400 {
			t.Fatalf("GET %s: %d, %v", url, rec.Code, err)
		}
		if len(e) != 2 || e["error"] == "" || e["message"] == "" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Errorf("GET %s: %v", url, e)
		}
	}
}
