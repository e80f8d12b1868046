package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// fakeReplica answers the few routes of a communes+datasets workload,
// counting requests and the dataset reads that came without the token.
type fakeReplica struct {
	hits, datasetReads, noToken atomic.Int64
}

func (f *fakeReplica) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.hits.Add(1)
	switch {
	case r.URL.Path == "/v1/sites":
		w.Write([]byte(`{"features":[{"geometry":{"coordinates":[2.35,48.85]},"properties":{"departement":"75"}}]}`))
	case r.URL.Path == "/v1/communes/at":
		w.Write([]byte(`{}`))
	case r.URL.Path == "/v1/datasets" || strings.HasPrefix(r.URL.Path, "/v1/datasets/") || strings.HasPrefix(r.URL.Path, "/v1/match/"):
		f.datasetReads.Add(1)
		if r.Header.Get("Authorization") != "Bearer mlg_test" {
			f.noToken.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte(`{"items":[{"id":"cnfs","kind":"structures","rows":9,"builtin":true},` +
			`{"id":"cand_1","kind":"candidates","rows":500},{"id":"match_1","kind":"match_result","rows":20}],"total":3}`))
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// TestReplicasAndDatasets drives two servers at once: every worker sticks
// to one of them, both get requests, and the dataset reads carry the token.
func TestReplicasAndDatasets(t *testing.T) {
	a, b := &fakeReplica{}, &fakeReplica{}
	sa, sb := httptest.NewServer(a), httptest.NewServer(b)
	defer sa.Close()
	defer sb.Close()
	tok := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tok, []byte("mlg_test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := run([]string{"-addr", sa.URL + "," + sb.URL, "-token-file", tok, "-mix", "communes=1,datasets=1",
		"-duration", "300ms", "-concurrency", "4", "-json"}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if a.hits.Load() < 10 || b.hits.Load() < 10 {
		t.Errorf("hits a=%d b=%d: both replicas should be loaded", a.hits.Load(), b.hits.Load())
	}
	if a.datasetReads.Load()+b.datasetReads.Load() < 10 || a.noToken.Load()+b.noToken.Load() != 0 {
		t.Errorf("dataset reads a=%d b=%d, without token %d", a.datasetReads.Load(), b.datasetReads.Load(), a.noToken.Load()+b.noToken.Load())
	}
	if !strings.Contains(out.String(), `"replicas": 2`) {
		t.Errorf("report without the replica count: %s", out.String())
	}
}

func TestDatasetsNeedToken(t *testing.T) {
	s := httptest.NewServer(&fakeReplica{})
	defer s.Close()
	err := run([]string{"-addr", s.URL, "-mix", "datasets=1", "-duration", "100ms"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "-token-file") {
		t.Errorf("datasets without a token: %v", err)
	}
}

func TestDatasetPath(t *testing.T) {
	stored := []storedDataset{{ID: "cand_1", Kind: "candidates", Rows: 500}, {ID: "m", Kind: "match_result", Rows: 20}}
	p := newPicker(1)
	seen := map[string]bool{}
	for range 200 {
		u := datasetPath(stored, p)
		switch {
		case u == "/v1/datasets":
			seen["list"] = true
		case strings.HasPrefix(u, "/v1/datasets/cand_1?limit=100&offset="):
			seen["page"] = true
		case u == "/v1/match/m?limit=100&offset=0":
			seen["match"] = true
		default:
			t.Fatalf("unexpected path %q", u)
		}
	}
	if len(seen) != 3 {
		t.Errorf("paths drawn: %v", seen)
	}
}
