package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/matching/registry"
)

// TestLogFormatJSON checks --log-format json: the access log line of a
// request is one JSON object carrying the id echoed in X-Request-Id.
func TestLogFormatJSON(t *testing.T) {
	var buf bytes.Buffer
	log, err := newLogger("json", &buf)
	if err != nil {
		t.Fatal(err)
	}
	s := api.New(registry.New(nil, nil), api.Config{Logger: log})
	req := httptest.NewRequest(http.MethodGet, "/readyz", nil)
	req.Header.Set("X-Request-Id", "lb-7f3a")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if got := rec.Header().Get("X-Request-Id"); got != "lb-7f3a" {
		t.Fatalf("X-Request-Id %q, want the client's lb-7f3a", got)
	}
	var line map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &line); err != nil {
		t.Fatalf("log line is not one JSON object: %v: %q", err, buf.String())
	}
	if line["msg"] != "request" || line["request_id"] != "lb-7f3a" || line["route"] != "/readyz" || line["status"] != float64(200) {
		t.Errorf("access log line %v", line)
	}
}

func TestLogFormatFlag(t *testing.T) {
	var buf bytes.Buffer
	log, err := newLogger("text", &buf)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("x", "k", 1)
	if !strings.Contains(buf.String(), "k=1") {
		t.Errorf("text log %q", buf.String())
	}
	err = runServe([]string{"--addr", "127.0.0.1:0", "--log-format", "yaml"}, &buf, &buf)
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "text or json") {
		t.Errorf("--log-format yaml: %v, want a usage error naming text or json", err)
	}
}
