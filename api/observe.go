package api

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"math"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/maillage/maillage/api/internal/httpx"
)

// requestIDHeader carries the id of a request, echoed or generated.
const requestIDHeader = "X-Request-Id"

// maxRequestIDLen bounds an incoming X-Request-Id: longer (or odd) ids are
// replaced, so that nobody can write arbitrary text into the logs.
const maxRequestIDLen = 64

// observe gives every request an id (a sane incoming X-Request-Id is kept,
// so that a proxy's id follows the request; otherwise 16 random hex
// digits), sends it back in X-Request-Id, and after the request writes one
// access log line at Info level (unless Config.NoAccessLog) and logs at
// Error level the internal errors httpx.WriteError hid from the client, with the
// same id. It also feeds the request metrics (in flight, count and
// latency by route pattern and status: gin's FullPath, so the labels stay
// bounded whatever paths clients send). It is the outermost middleware so
// that it sees the final status, panics included.
func (s *Server) observe() gin.HandlerFunc {
	return func(c *gin.Context) {
		t0 := time.Now()
		done := s.metrics.RequestStarted()
		id := c.GetHeader(requestIDHeader)
		if !saneRequestID(id) {
			id = newRequestID()
		}
		httpx.SetRequestID(c, id)
		c.Header(requestIDHeader, id)
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "(no route)"
		}
		done(route, c.Request.Method, c.Writer.Status())
		ctx, log := c.Request.Context(), s.cfg.Logger
		for _, e := range c.Errors {
			log.LogAttrs(ctx, slog.LevelError, "internal error", slog.String("request_id", id),
				slog.String("method", c.Request.Method), slog.String("path", c.Request.URL.Path),
				slog.String("error", e.Err.Error()))
		}
		if s.cfg.NoAccessLog {
			return
		}
		ms := float64(time.Since(t0).Microseconds()) / 1000
		log.LogAttrs(ctx, slog.LevelInfo, "request",
			slog.String("method", c.Request.Method), slog.String("route", route),
			slog.Int("status", c.Writer.Status()), slog.Int("bytes", max(0, c.Writer.Size())),
			slog.Float64("duration_ms", math.Round(ms*1000)/1000), slog.String("request_id", id),
			slog.String("client", c.RemoteIP()))
	}
}

// saneRequestID accepts ids of 1 to maxRequestIDLen letters, digits, '-',
// '_', '.' and ':' (UUIDs, trace ids, most proxies' ids).
func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// newRequestID returns 16 random hex digits.
func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// logClientGone logs at debug level the requests whose client went away
// before the answer (status 499): not an error of the service.
func (s *Server) logClientGone() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if c.Writer.Status() == httpx.StatusClientClosedRequest {
			s.cfg.Logger.Debug("request cancelled by the client", "method", c.Request.Method, "path", c.Request.URL.Path)
		}
	}
}
