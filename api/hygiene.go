package api

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/internal/web"
	// gzhttp (klauspost/compress, already a dependency of ours) is the
	// maintained net/http gzip middleware: it compresses only when the client
	// accepts it, skips small and already-encoded bodies, sets Vary and keeps
	// Flush/Hijack working.
	"github.com/klauspost/compress/gzhttp"
)

// Default HTTP hygiene settings.
const (
	defaultCacheMaxAge = 5 * time.Minute
	gzipMinBytes       = 1024
	corsMaxAgeSeconds  = 600
)

// compress wraps h so that answers are gzip-compressed when the client
// sends Accept-Encoding: gzip. Bodies that already carry a
// Content-Encoding (the built-in map's pre-compressed files) pass through.
func compress(h http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(gzipMinBytes), gzhttp.EnableZstd(false))
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

// writeCached writes body with a weak content ETag and Cache-Control, or a
// bodiless 304 when the request's If-None-Match names that ETag. The ETag
// is weak because gzip may re-encode the body: both encodings carry the
// same content.
func (s *Server) writeCached(c *gin.Context, contentType string, body []byte) {
	s.writeTagged(c, contentType, body, nil, web.ContentETag(body))
}

// writeTagged is writeCached with the ETag given, and the body's gzip form
// when one was made ahead (served as is to clients accepting gzip; the
// compress middleware passes pre-encoded bodies through).
func (s *Server) writeTagged(c *gin.Context, contentType string, body, gz []byte, etag string) {
	h := c.Writer.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", s.cacheControl())
	if web.ETagMatches(c.GetHeader("If-None-Match"), etag) {
		c.Status(http.StatusNotModified)
		c.Writer.WriteHeaderNow()
		return
	}
	if gz != nil && web.AcceptsGzip(c.GetHeader("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		h.Add("Vary", "Accept-Encoding")
		body = gz
	}
	c.Data(http.StatusOK, contentType, body)
}

// writeEmpty writes a cacheable 204 No Content (an empty tile).
func (s *Server) writeEmpty(c *gin.Context) {
	c.Header("Cache-Control", s.cacheControl())
	c.Status(http.StatusNoContent)
	c.Writer.WriteHeaderNow()
}

// cacheControl is the Cache-Control of layer and tile answers.
func (s *Server) cacheControl() string {
	return "public, max-age=" + strconv.Itoa(int(s.cfg.CacheMaxAge/time.Second))
}
