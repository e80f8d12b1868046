package api

import (
	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/internal/metrics"
	"github.com/maillage/maillage/matching"
)

// metricsRoutes registers GET /metrics (Prometheus text format). It is
// open like /healthz: it holds counts by route pattern, latencies and
// cache sizes, never a dataset id, a commune or a token (see README,
// Operations).
func (s *Server) metricsRoutes(r gin.IRouter) {
	r.GET("/metrics", gin.WrapH(s.metrics.Handler()))
}

// registerCacheGauges adds the cache sizes to the metrics, read at each
// scrape from the engine in service (so a reload is followed) and from the
// server's tile cache. An error (the gauges already registered: one
// Metrics given to two servers) is logged, not fatal.
func (s *Server) registerCacheGauges(m *metrics.Metrics) {
	gauges := []struct {
		name, help string
		f          func() float64
	}{
		{"tile_cache_tiles", "Vector tiles held in the server's tile cache.", func() float64 {
			n, _ := s.maps.Current().TileCacheSize()
			return float64(n)
		}},
		{"tile_cache_bytes", "Bytes of the tiles held in the server's tile cache (raw and gzipped).", func() float64 {
			_, b := s.maps.Current().TileCacheSize()
			return float64(b)
		}},
		{"coverage_cache_sets", "Nearest-site sets of layers and unions of layers cached by the engine in service.", func() float64 {
			return float64(s.engineCaches().CoverageSets)
		}},
		{"access_cache_tables", "Cell–supply pair tables of 2SFCA cached by the engine in service.", func() float64 {
			return float64(s.engineCaches().AccessTables)
		}},
		{"dataset_cache_entries", "Uploaded datasets and match results kept decoded in memory.", func() float64 {
			if s.registry == nil {
				return 0
			}
			return float64(s.registry.Datasets().Cached())
		}},
	}
	for _, g := range gauges {
		if err := m.Gauge(g.name, g.help, g.f); err != nil {
			s.cfg.Logger.Warn("metrics: cache gauge not registered", "gauge", g.name, "error", err)
		}
	}
}

// engineCaches returns the cache sizes of the engine in service (the
// registry's, which a reload replaces); zero without one.
func (s *Server) engineCaches() matching.CacheSizes {
	if s.registry == nil {
		return matching.CacheSizes{}
	}
	return s.registry.Engine().CacheSizes()
}
