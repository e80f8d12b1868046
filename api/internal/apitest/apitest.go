// Package apitest holds what the tests of api and of its route families
// share: servers over the real data (loaded once per test binary) and over
// the small world built in code, requests and their decoding, and checks
// of GeoJSON answers.
package apitest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/internal/testworld"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/registry"
)

// TestData is the shared real-data folder (../shared/data beside the
// repository), found from this file so that tests of any package reach it.
var TestData = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "shared", "data")
}()

// loaded holds the engine shared by this package's tests (loaded once).
type loaded struct {
	once sync.Once
	srv  *api.Server
	err  error
}

var shared loaded

// Real returns a server over the real data, skipping when absent.
func Real(t testing.TB) *api.Server {
	t.Helper()
	if _, err := os.Stat(TestData); err != nil {
		t.Skipf("real data not found at %s (clone next to ../shared): %v", TestData, err)
	}
	shared.once.Do(func() {
		e, err := matching.Load(matching.Config{DataDir: TestData,
			CacheDir: filepath.Join(os.TempDir(), "maillage-test-cache")})
		if err != nil {
			shared.err = err
			return
		}
		shared.srv = api.New(registry.New(nil, e), api.Config{})
	})
	if shared.err != nil {
		t.Fatalf("load engine: %v", shared.err)
	}
	return shared.srv
}

// Get performs a GET against the server and decodes a JSON body into out
// (when out is not nil), returning the status code.
func Get(t testing.TB, s *api.Server, url string, out any) int {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	s.Handler().ServeHTTP(rec, req)
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("GET %s: status %d, body not JSON: %v: %.300s", url, rec.Code, err, rec.Body.String())
		}
	}
	return rec.Code
}

// ErrorBody is the JSON shape of every API error.
type ErrorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// Small is a server over the small world built in code
// (internal/testworld): no data files, built in milliseconds.
func Small(t testing.TB) *api.Server {
	t.Helper()
	e, err := testworld.New()
	if err != nil {
		t.Fatal(err)
	}
	return api.New(registry.New(nil, e), api.Config{InsecureOpen: true})
}
