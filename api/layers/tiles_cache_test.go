package layers_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/maillage/maillage/api/internal/apitest"
)

// TestTileCacheKeepsGzipOnly: a cached tile worth compressing is held in
// its gzip form alone (issue 17: both forms doubled the cache's bytes),
// and a client that does not accept gzip still gets the same MVT bytes and
// ETag from the cache as from the render.
func TestTileCacheKeepsGzipOnly(t *testing.T) {
	s := apitest.MapServer(t)
	gueret := orb.Point{1.8707, 46.1712}
	url := "/tiles/communes/" + tileOf(gueret, 8) + ".mvt"
	rendered := apitest.MapGet(t, s, url) // a miss: rendered for this request
	cached := apitest.MapGet(t, s, url)   // a hit: gunzipped from the cache
	if rendered.Code != http.StatusOK || cached.Code != http.StatusOK {
		t.Fatalf("status %d then %d", rendered.Code, cached.Code)
	}
	if cached.Header().Get("Content-Encoding") != "" || !bytes.Equal(cached.Body.Bytes(), rendered.Body.Bytes()) {
		t.Fatalf("cached tile without gzip: %d bytes (%q), rendered %d", cached.Body.Len(), cached.Header().Get("Content-Encoding"), rendered.Body.Len())
	}
	if a, b := rendered.Header().Get("ETag"), cached.Header().Get("ETag"); a == "" || a != b {
		t.Fatalf("ETag %q rendered, %q cached", a, b)
	}
	l, err := s.Maps().Current().Layer("communes")
	if err != nil {
		t.Fatal(err)
	}
	e, ok := s.Maps().Current().Cached(l, maptile.At(gueret, 8))
	if !ok {
		t.Fatal("tile not cached")
	}
	if raw, gz := e.KeptForms(); raw || !gz {
		t.Errorf("cache keeps raw %v, gzip %v; want the gzip form alone", raw, gz)
	}
}
