package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestPageServes: the page and its files are served with their type, a
// strong ETag answered by 304, and gzip to clients accepting it.
func TestPageServes(t *testing.T) {
	p, err := NewPage()
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/static/index.html", "/static/app.js", "/static/vendor/maplibre-gl/maplibre-gl.js"} {
		if _, ok := p.Lookup(path); !ok {
			t.Errorf("no asset at %s", path)
		}
	}
	if _, ok := p.Lookup("/static/"); ok {
		t.Error("a directory is served")
	}
	a, _ := p.Lookup("/static/app.js")
	get := func(hdr, val string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/static/app.js", nil)
		if hdr != "" {
			req.Header.Set(hdr, val)
		}
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, req)
		return rec
	}
	first := get("", "")
	want, _ := File("app.js")
	if first.Code != 200 || first.Header().Get("Content-Type") != "text/javascript; charset=utf-8" || !bytes.Equal(first.Body.Bytes(), want) {
		t.Fatalf("GET app.js: %d %q, %d bytes", first.Code, first.Header().Get("Content-Type"), first.Body.Len())
	}
	etag := first.Header().Get("ETag")
	if rec := get("If-None-Match", etag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match %s: %d with %d bytes", etag, rec.Code, rec.Body.Len())
	}
	rec := get("Accept-Encoding", "gzip")
	zr, err := gzip.NewReader(rec.Body)
	if err != nil || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip: %v, Content-Encoding %q", err, rec.Header().Get("Content-Encoding"))
	}
	if got, _ := io.ReadAll(zr); !bytes.Equal(got, want) {
		t.Error("gunzipped app.js differs from the file")
	}
}
