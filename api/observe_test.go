package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/matching/registry"
)

// logLines parses the JSON lines of a slog.JSONHandler.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// observedServer is a server over an empty engine logging JSON to buf, with
// two extra routes: one failing with an internal error naming a file, one
// panicking.
func observedServer(buf *bytes.Buffer, cfg api.Config) *api.Server {
	cfg.Logger = slog.New(slog.NewJSONHandler(buf, nil))
	s := api.New(registry.New(nil, nil), cfg)
	s.Router().GET("/v1/test/fail/:id", httpx.Handle(func(c *gin.Context) error {
		return fmt.Errorf("load %s: open /srv/maillage/state.db: permission denied", c.Param("id"))
	}))
	s.Router().GET("/v1/test/panic", httpx.Handle(func(c *gin.Context) error { panic("index out of range [3] with length 2") }))
	return s
}

// TestInternalErrorHidden checks that an unmapped error answers a 500
// that names no file but the request id, and that the log holds the
// error with that id.
func TestInternalErrorHidden(t *testing.T) {
	for _, tc := range []struct{ path, logged string }{
		{"/v1/test/fail/42", "open /srv/maillage/state.db: permission denied"},
		{"/v1/test/panic", "index out of range [3] with length 2"},
	} {
		var buf bytes.Buffer
		s := observedServer(&buf, api.Config{})
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		id := rec.Header().Get(api.RequestIDHeader)
		if rec.Code != http.StatusInternalServerError || !api.SaneRequestID(id) {
			t.Fatalf("%s: status %d, request id %q", tc.path, rec.Code, id)
		}
		var e apitest.ErrorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		if want := "internal error (request id " + id + ")"; e.Error != httpx.CodeInternal || e.Message != want {
			t.Errorf("%s: body %s, want message %q", tc.path, rec.Body, want)
		}
		if strings.Contains(rec.Body.String(), "/srv") || strings.Contains(rec.Body.String(), "index out of range") {
			t.Errorf("%s: the answer shows internal text: %s", tc.path, rec.Body)
		}
		found := false
		for _, l := range logLines(t, &buf) {
			if l["level"] == "ERROR" && l["request_id"] == id && strings.Contains(fmt.Sprint(l["error"], l["panic"]), tc.logged) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no error line with request id %s and %q in the log:\n%s", tc.path, id, tc.logged, buf.String())
		}
	}
}

// TestAccessLog checks the one line per request, its fields, the echo of
// a sane incoming request id and the replacement of an odd one.
func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	s := observedServer(&buf, api.Config{})
	for _, tc := range []struct {
		path, sentID string
		echoed       bool
		status       int
		route        string
	}{
		{"/openapi.json", "proxy-7f3a.42", true, http.StatusOK, "/openapi.json"},
		{"/v1/test/fail/9", "", false, http.StatusInternalServerError, "/v1/test/fail/:id"},
		{"/v1/nowhere", "bad id\nwith a newline", false, http.StatusNotFound, "(no route)"},
		{"/v1/datasets", strings.Repeat("x", api.MaxRequestIDLen+1), false, http.StatusUnauthorized, "/v1/datasets"},
	} {
		buf.Reset()
		req := httptest.NewRequest(http.MethodGet, tc.path, nil)
		if tc.sentID != "" {
			req.Header.Set(api.RequestIDHeader, tc.sentID)
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		id := rec.Header().Get(api.RequestIDHeader)
		if rec.Code != tc.status || (tc.echoed != (id == tc.sentID)) || !api.SaneRequestID(id) {
			t.Fatalf("%s: status %d, sent id %q, got %q", tc.path, rec.Code, tc.sentID, id)
		}
		var access []map[string]any
		for _, l := range logLines(t, &buf) {
			if l["msg"] == "request" {
				access = append(access, l)
			}
		}
		if len(access) != 1 {
			t.Fatalf("%s: %d access lines:\n%s", tc.path, len(access), buf.String())
		}
		l := access[0]
		if l["level"] != "INFO" || l["method"] != "GET" || l["route"] != tc.route || l["status"] != float64(tc.status) ||
			l["request_id"] != id || l["client"] != "192.0.2.1" {
			t.Errorf("%s: access line %v", tc.path, l)
		}
		if b, ok := l["bytes"].(float64); !ok || int(b) != rec.Body.Len() {
			t.Errorf("%s: bytes %v, body %d", tc.path, l["bytes"], rec.Body.Len())
		}
		if d, ok := l["duration_ms"].(float64); !ok || d < 0 {
			t.Errorf("%s: duration_ms %v", tc.path, l["duration_ms"])
		}
	}

	// Off: no access line, the internal error still logged.
	buf.Reset()
	quiet := observedServer(&buf, api.Config{NoAccessLog: true})
	quiet.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/v1/test/fail/1", nil))
	lines := logLines(t, &buf)
	if len(lines) != 1 || lines[0]["msg"] != "internal error" {
		t.Errorf("NoAccessLog: log %v", lines)
	}
}
