package admin_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/boltstore"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/internal/access"
	"github.com/maillage/maillage/internal/metrics"
	"github.com/maillage/maillage/matching/registry"
)

func TestBackup(t *testing.T) {
	st, err := boltstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	want := &data.Dataset{Meta: data.DatasetMeta{ID: "cand-1", Kind: data.KindCandidates, Rows: 1, Departements: []string{"23"}},
		Candidates: []people.Candidate{{ID: "a", Departement: "23", MaxKm: 30}}}
	if err := st.Put(want); err != nil {
		t.Fatal(err)
	}
	nat, _ := access.NewToken()
	dep, _ := access.NewToken()
	tokens := access.NewTokenSet([]access.Token{{Hash: access.HashToken(nat), Scope: access.Scope{National: true}, Name: "n"},
		{Hash: access.HashToken(dep), Scope: access.Scope{Departements: []string{"23"}}, Name: "d"}})
	// The store as serve gives it: timed by the metrics, the backup
	// reaching the bbolt store under the decorator.
	m := metrics.New()
	s := api.New(registry.New(m.Store(st), nil), api.Config{Tokens: tokens, Metrics: m})

	if rec := apitest.Do(t, s, "GET", "/v1/backup", "", ""); rec.Code != http.StatusUnauthorized {
		t.Fatalf("no token: %d", rec.Code)
	}
	if rec := apitest.Do(t, s, "GET", "/v1/backup", dep, ""); rec.Code != http.StatusForbidden {
		t.Fatalf("scoped token: %d", rec.Code)
	}
	rec := apitest.Do(t, s, "GET", "/v1/backup", nat, "")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Disposition") == "" {
		t.Fatalf("national token: %d %v", rec.Code, rec.Header())
	}
	// The copy opens as a state folder holding the dataset.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, boltstore.File), rec.Body.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	restored, err := boltstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	got, err := restored.Get("cand-1")
	if err != nil || len(got.Candidates) != 1 || got.Candidates[0].ID != "a" {
		t.Fatalf("restored backup: %+v, %v", got, err)
	}

	mem := api.New(registry.New(data.NewMemoryStore(), nil), api.Config{Tokens: tokens})
	if rec := apitest.Do(t, mem, "GET", "/v1/backup", nat, ""); rec.Code != http.StatusNotFound {
		t.Fatalf("memory store backup: %d", rec.Code)
	}
}
