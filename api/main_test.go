package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/maillage/maillage/matching"
)

// testData is the shared real-data folder, relative to this package.
var testData = filepath.Join("..", "..", "shared", "data")

// loaded holds the engine shared by this package's tests (loaded once).
type loaded struct {
	once sync.Once
	srv  *Server
	err  error
}

var shared loaded

// testServer returns a server over the real data, skipping when absent.
func testServer(t testing.TB) *Server {
	t.Helper()
	if _, err := os.Stat(testData); err != nil {
		t.Skipf("real data not found at %s (clone next to ../shared): %v", testData, err)
	}
	shared.once.Do(func() {
		e, err := matching.Load(matching.Config{DataDir: testData,
			CacheDir: filepath.Join(os.TempDir(), "maillage-test-cache")})
		if err != nil {
			shared.err = err
			return
		}
		shared.srv = New(matching.NewRegistry(nil, e), Config{})
	})
	if shared.err != nil {
		t.Fatalf("load engine: %v", shared.err)
	}
	return shared.srv
}

// get performs a GET against the server and decodes a JSON body into out
// (when out is not nil), returning the status code.
func get(t testing.TB, s *Server, url string, out any) int {
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

// errorBody is the JSON shape of every API error.
type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}
