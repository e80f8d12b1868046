package layers_test

import (
	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/internal/maplayers"

	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// benchGet serves url b.N times through the full handler (no gzip) and
// reports the body size.
func benchGet(b *testing.B, s *api.Server, url string) {
	b.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	warm := httptest.NewRecorder()
	s.Handler().ServeHTTP(warm, req)
	if warm.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %.200s", url, warm.Code, warm.Body.String())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
	}
	b.StopTimer()
	b.ReportMetric(float64(warm.Body.Len())/1e6, "MB")
	b.ReportMetric(float64(apitest.GzipSize(b, warm.Body.Bytes()))/1e6, "MB-gzip")
}

// BenchmarkLayerDepartementGeoJSON: a département's communes (Creuse,
// 255 communes) as GeoJSON with coverage properties, full detail and
// simplified for zoom 9. Target: ≤ 30 ms.
func BenchmarkLayerDepartementGeoJSON(b *testing.B) {
	s := apitest.MapServer(b)
	b.Run("full", func(b *testing.B) { benchGet(b, s, "/v1/layers/communes?departement=23") })
	b.Run("zoom9", func(b *testing.B) { benchGet(b, s, "/v1/layers/communes?departement=23&zoom=9") })
	b.Run("nord-full", func(b *testing.B) { benchGet(b, s, "/v1/layers/communes?departement=59") })
}

// BenchmarkTileCommunesZ8 renders the z8 communes tile around Guéret
// (~190 communes), with the per-zoom simplified geometries cached (warm,
// the steady state) and with an empty cache each time (cold); http-cached
// is the whole request once the server's tile cache holds it. Target: ≤ 20
// ms.
func BenchmarkTileCommunesZ8(b *testing.B) {
	s := apitest.MapServer(b)
	tile := maptile.At(orb.Point{1.8707, 46.1712}, 8)
	l, err := s.Maps().Current().Layer("communes")
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, fresh bool) {
		body, err := s.Maps().RenderTile(l, tile)
		if err != nil || body == nil {
			b.Fatalf("tile: %v", err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			ll := l
			if fresh {
				c := *l
				c.Cache = maplayers.NewZoomCache()
				ll = &c
			}
			if _, err := s.Maps().RenderTile(ll, tile); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(len(body))/1e3, "kB")
	}
	b.Run("warm", func(b *testing.B) { run(b, false) })
	b.Run("cold", func(b *testing.B) { run(b, true) })
	b.Run("http-cached", func(b *testing.B) {
		benchGet(b, s, "/tiles/communes/"+tileOf(orb.Point{1.8707, 46.1712}, 8)+".mvt")
	})
}

// BenchmarkFranceCommunesZoom5 measures all of France's 34,969 communes at
// zoom 5: as one GeoJSON answer with every property, with only the colour
// class, and as the vector tiles covering France. Target: ≤ 5 MB.
func BenchmarkFranceCommunesZoom5(b *testing.B) {
	s := apitest.MapServer(b)
	b.Run("geojson", func(b *testing.B) { benchGet(b, s, "/v1/layers/communes?zoom=5&limit=50000") })
	b.Run("geojson-class", func(b *testing.B) {
		benchGet(b, s, "/v1/layers/communes?zoom=5&limit=50000&properties=minutes_class")
	})
	b.Run("tiles", func(b *testing.B) {
		l, err := s.Maps().Current().Layer("communes")
		if err != nil {
			b.Fatal(err)
		}
		// The z5 tiles holding a commune (metropolitan France and overseas).
		var tiles []maptile.Tile
		for x := uint32(0); x < 32; x++ {
			for y := uint32(0); y < 32; y++ {
				t := maptile.New(x, y, 5)
				hit := false
				s.Registry().Engine().Territory().Index.Search(t.Bound(), func(int) bool { hit = true; return false })
				if hit {
					tiles = append(tiles, t)
				}
			}
		}
		size, zipped := 0, 0
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			size = 0
			for _, t := range tiles {
				body, err := s.Maps().RenderTile(l, t)
				if err != nil {
					b.Fatal(err)
				}
				size += len(body)
				if i == 0 {
					zipped += apitest.GzipSize(b, body)
				}
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(size)/1e6, "MB")
		b.ReportMetric(float64(zipped)/1e6, "MB-gzip")
		b.ReportMetric(float64(len(tiles)), "tiles")
	})
}
