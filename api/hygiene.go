package api

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/maillage/maillage/api/internal/httpx"

	// gzhttp (klauspost/compress, already a dependency of ours) is the
	// maintained net/http gzip middleware: it compresses only when the client
	// accepts it, skips small and already-encoded bodies, sets Vary and keeps
	// Flush/Hijack working.
	"github.com/klauspost/compress/gzhttp"
)

// Default HTTP hygiene settings.
const (
	defaultCacheMaxAge = 5 * time.Minute
	corsMaxAgeSeconds  = 600
)

// compress wraps h so that answers are gzip-compressed when the client
// sends Accept-Encoding: gzip. Bodies that already carry a
// Content-Encoding (the built-in map's pre-compressed files) pass through.
func compress(h http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(httpx.GzipMinBytes), gzhttp.EnableZstd(false))
	if err != nil { // only on invalid options, which are constant here
		return h
	}
	return wrap(h)
}

// cors answers CORS preflights and marks answers readable by the allowed
// origins (Config.CORSOrigins; "*" allows any origin). Browsers get the
// ETag back and may send Authorization and Content-Type.
func (s *Server) cors() gin.HandlerFunc {
	origins := s.cfg.CORSOrigins
	anyOrigin := slices.Contains(origins, "*")
	return func(c *gin.Context) {
		origin := c.GetHeader("Origin")
		if origin == "" || (!anyOrigin && !slices.Contains(origins, origin)) {
			c.Next()
			return
		}
		h := c.Writer.Header()
		if anyOrigin {
			h.Set("Access-Control-Allow-Origin", "*")
		} else {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
		}
		h.Set("Access-Control-Expose-Headers", "ETag, Content-Length, Content-Disposition, X-Request-Id")
		if c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, DELETE, OPTIONS")
			if req := c.GetHeader("Access-Control-Request-Headers"); req != "" {
				h.Set("Access-Control-Allow-Headers", req)
			}
			h.Set("Access-Control-Max-Age", strconv.Itoa(corsMaxAgeSeconds))
			c.AbortWithStatus(http.StatusNoContent)
			return
		}
		c.Next()
	}
}
