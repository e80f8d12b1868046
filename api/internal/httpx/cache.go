package httpx

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/maillage/maillage/internal/web"
)

// GzipMinBytes is the size below which answers are not gzipped: the
// framing would eat the gain.
const GzipMinBytes = 1024

// WriteCached writes body with a weak content ETag and Cache-Control, or a
// bodiless 304 when the request's If-None-Match names that ETag. The ETag
// is weak because gzip may re-encode the body: both encodings carry the
// same content.
func (s *Env) WriteCached(c *gin.Context, contentType string, body []byte) {
	s.WriteTagged(c, contentType, body, nil, web.ContentETag(body))
}

// WriteTagged is writeCached with the ETag given, and the body's gzip form
// when one was made ahead (served as is to clients accepting gzip; the
// compress middleware passes pre-encoded bodies through).
func (s *Env) WriteTagged(c *gin.Context, contentType string, body, gz []byte, etag string) {
	h := c.Writer.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", s.CacheControl())
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

// WriteEmpty writes a cacheable 204 No Content (an empty tile).
func (s *Env) WriteEmpty(c *gin.Context) {
	c.Header("Cache-Control", s.CacheControl())
	c.Status(http.StatusNoContent)
	c.Writer.WriteHeaderNow()
}

// CacheControl is the Cache-Control of layer and tile answers.
func (s *Env) CacheControl() string {
	return "public, max-age=" + strconv.Itoa(int(s.CacheMaxAge/time.Second))
}

// BaseURL is the scheme and host (and path prefix) the service is reached
// at: Env.PublicURL (api.Config.PublicURL), else taken from the request (X-Forwarded-Proto and
// X-Forwarded-Host honoured).
func (s *Env) BaseURL(c *gin.Context) string {
	if s.PublicURL != "" {
		return strings.TrimRight(s.PublicURL, "/")
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	if p := c.GetHeader("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p
	}
	host := c.Request.Host
	if h := c.GetHeader("X-Forwarded-Host"); h != "" {
		host, _, _ = strings.Cut(h, ",")
		host = strings.TrimSpace(host)
	}
	return scheme + "://" + host
}
