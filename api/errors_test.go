package api_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/boltstore"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/internal/access"
	"github.com/maillage/maillage/matching/registry"
)

// Finding 6 of issue 13: a dataset whose stored bytes changed answered 500
// with the state file's path in the message. It is now an internal error:
// the client reads "internal error", the log has the detail.
func TestCorruptDatasetIsInternalError(t *testing.T) {
	dir := t.TempDir()
	st, err := boltstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cands := make([]people.Candidate, 500)
	for i := range cands {
		cands[i] = people.Candidate{ID: "row-" + strings.Repeat("x", i%7), Departement: "23", MaxKm: 30}
	}
	cands[250].ID = "needle"
	if err := st.Put(&data.Dataset{Meta: data.DatasetMeta{ID: "cand-1", Kind: data.KindCandidates, Rows: len(cands),
		Departements: []string{"23"}}, Candidates: cands}); err != nil {
		t.Fatal(err)
	}
	// Change one byte of the stored rows under the open store: bbolt maps the
	// file shared, so the next read sees it.
	b, err := os.ReadFile(st.Path())
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte("needle"))
	f, err := os.OpenFile(st.Path(), os.O_WRONLY, 0)
	if i < 0 || err != nil {
		t.Fatalf("needle at %d, %v", i, err)
	}
	_, err = f.WriteAt([]byte("N"), int64(i))
	f.Close()
	if err != nil {
		t.Fatal(err)
	}

	var log bytes.Buffer
	nat, _ := access.NewToken()
	s := api.New(registry.New(st, nil), api.Config{Logger: slog.New(slog.NewTextHandler(&log, nil)),
		Tokens: access.NewTokenSet([]access.Token{{Hash: access.HashToken(nat), Scope: access.Scope{National: true}, Name: "n"}})})
	rec := apitest.Do(t, s, "GET", "/v1/datasets/cand-1", nat, "")
	var e api.Error
	if rec.Code != http.StatusInternalServerError || json.Unmarshal(rec.Body.Bytes(), &e) != nil ||
		e.Code != httpx.CodeInternal || !strings.HasPrefix(e.Message, "internal error") {
		t.Fatalf("damaged dataset: %d %s, want 500 internal error", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), dir) {
		t.Fatalf("the answer names the state file: %s", rec.Body)
	}
	if !strings.Contains(log.String(), "checksum") || !strings.Contains(log.String(), st.Path()) {
		t.Fatalf("the log lacks the detail: %s", log.String())
	}
}
