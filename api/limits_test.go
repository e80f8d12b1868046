package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
)

// newTestLogger writes text logs to w.
func newTestLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

// panicCounter is a slog handler counting the recovery middleware's
// "panic in handler" records (and passing every record to next, if any).
type panicCounter struct {
	n    *atomic.Int64
	last *atomic.Value
}

func (h panicCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h panicCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "panic in handler" {
		h.n.Add(1)
		var desc strings.Builder
		r.Attrs(func(a slog.Attr) bool { desc.WriteString(a.String() + " "); return true })
		h.last.Store(desc.String())
	}
	return nil
}
func (h panicCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h panicCounter) WithGroup(string) slog.Handler      { return h }

func newPanicCounter() panicCounter {
	return panicCounter{n: new(atomic.Int64), last: new(atomic.Value)}
}

func TestPanicCounterSeesRecoveries(t *testing.T) {
	pc := newPanicCounter()
	s := api.New(nil, api.Config{Logger: slog.New(pc)})
	s.Router().GET("/boom", func(c *gin.Context) { panic("boom") })
	rec := apitest.Do(t, s, "GET", "/boom", "", "")
	if rec.Code != 500 || pc.n.Load() != 1 || !strings.Contains(rec.Body.String(), httpx.CodeInternal) {
		t.Fatalf("status %d, %d recoveries counted, body %s", rec.Code, pc.n.Load(), rec.Body)
	}
}

func TestBodyTooLarge(t *testing.T) {
	s := api.New(nil, api.Config{InsecureOpen: true, MaxBodyBytes: 1000})
	s.Router().POST("/v1/datasets/fake", httpx.Handle(func(c *gin.Context) error {
		if _, err := io.ReadAll(c.Request.Body); err != nil {
			return err
		}
		c.Status(http.StatusNoContent)
		return nil
	}))
	if rec := apitest.Do(t, s, "POST", "/v1/datasets/fake", "", strings.Repeat("x", 1000)); rec.Code != http.StatusNoContent {
		t.Fatalf("body at the limit: status %d", rec.Code)
	}
	rec := apitest.Do(t, s, "POST", "/v1/datasets/fake", "", strings.Repeat("x", 1001))
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), httpx.CodeTooLarge) {
		t.Fatalf("body over the limit: status %d %s, want 413 %s", rec.Code, rec.Body, httpx.CodeTooLarge)
	}
	if def := api.New(nil, api.Config{}).Cfg().MaxBodyBytes; def != 20<<20 {
		t.Fatalf("default body limit %d, want 20 MB", def)
	}
}

func TestRowCap(t *testing.T) {
	s := api.New(nil, api.Config{MaxRows: 10})
	if err := s.Env().CheckRowCount("candidates", 10); err != nil {
		t.Fatal(err)
	}
	err := s.Env().CheckRowCount("candidates", 11)
	e, ok := err.(*httpx.Error)
	if !ok || e.Status != http.StatusRequestEntityTooLarge || e.Code != httpx.CodeTooManyRows || !strings.Contains(e.Message, "11 candidates") {
		t.Fatalf("11 rows over a cap of 10: %v", err)
	}
	if def := api.New(nil, api.Config{}).Cfg().MaxRows; def != api.DefaultMaxRows {
		t.Fatalf("default row cap %d", def)
	}
}

func TestRateLimit(t *testing.T) {
	s := api.New(nil, api.Config{RateLimit: 2, RateBurst: 3})
	s.Router().GET("/v1/ping", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	get := func(ip string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/v1/ping", nil)
		req.RemoteAddr = ip + ":5555"
		req.Header.Set("X-Forwarded-For", "203.0.113.9") // forged: ignored
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		return rec
	}
	for i := 0; i < 3; i++ {
		if rec := get("192.0.2.1"); rec.Code != http.StatusNoContent {
			t.Fatalf("request %d within the burst: %d", i, rec.Code)
		}
	}
	rec := get("192.0.2.1")
	if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), httpx.CodeRateLimited) {
		t.Fatalf("4th request: %d %s, want 429", rec.Code, rec.Body)
	}
	if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra < 1 {
		t.Fatalf("Retry-After %q", rec.Header().Get("Retry-After"))
	}
	if rec := get("192.0.2.2"); rec.Code != http.StatusNoContent {
		t.Fatalf("another client was limited: %d", rec.Code)
	}
}
