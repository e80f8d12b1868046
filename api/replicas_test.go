package api_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/pgstore"
	"github.com/maillage/maillage/data/pgstore/pgtest"
	"github.com/maillage/maillage/internal/access"
	"github.com/maillage/maillage/internal/metrics"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/registry"
)

// TestTwoReplicasOnePostgres runs two servers, each with its own engine
// and connection pool, on one PostgreSQL schema, as two replicas behind a
// load balancer: a dataset uploaded through A is listed, readable (in its
// scope) and matchable through B, B's match result is readable through A,
// and once A deletes the dataset B no longer serves it, although B had it
// cached (matching checks a shared store's version at each use).
func TestTwoReplicasOnePostgres(t *testing.T) {
	url := pgtest.URL(t)
	if _, err := os.Stat(apitest.TestData); err != nil {
		t.Skipf("real data not found at %s (clone next to ../shared): %v", apitest.TestData, err)
	}
	national, err := access.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	dep23, err := access.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	scope23, err := access.ParseScope("departement:23")
	if err != nil {
		t.Fatal(err)
	}
	tokens := []access.Token{{Hash: access.HashToken(national), Scope: access.Scope{National: true}, Name: "anct"},
		{Hash: access.HashToken(dep23), Scope: scope23, Name: "prefet 23"}}
	replica := func() *api.Server {
		st, _, err := pgstore.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		e, err := matching.Load(matching.Config{DataDir: apitest.TestData,
			CacheDir: filepath.Join(os.TempDir(), "maillage-test-cache")})
		if err != nil {
			t.Fatal(err)
		}
		// One tokens file read by every replica; the store timed by the
		// metrics as serve does, which must keep its version checks.
		m := metrics.New()
		return api.New(registry.New(m.Store(st), e), api.Config{Tokens: access.NewTokenSet(tokens), Metrics: m})
	}
	a, b := replica(), replica()

	var info registry.DatasetInfo
	apitest.Decode(t, apitest.Send(t, a, "POST", "/v1/datasets?kind=candidates", "text/csv", national, strings.NewReader(apitest.CandidatesCSV)), http.StatusCreated, &info)

	var list struct {
		Items []registry.DatasetInfo `json:"items"`
	}
	apitest.Decode(t, apitest.Send(t, b, "GET", "/v1/datasets", "", national, nil), 200, &list)
	listed := func(l struct {
		Items []registry.DatasetInfo `json:"items"`
	}) bool {
		for _, it := range l.Items {
			if it.ID == info.ID {
				return true
			}
		}
		return false
	}
	if !listed(list) {
		t.Fatalf("B does not list %s uploaded through A", info.ID)
	}
	var rows struct {
		Total int                `json:"total"`
		Items []people.Candidate `json:"items"`
	}
	apitest.Decode(t, apitest.Send(t, b, "GET", "/v1/datasets/"+info.ID, "", national, nil), 200, &rows)
	if rows.Total != 4 {
		t.Fatalf("B reads %d rows, want 4", rows.Total)
	}
	// The same scope on B: the prefect of the Creuse sees its three rows
	// (not C, in Paris).
	apitest.Decode(t, apitest.Send(t, b, "GET", "/v1/datasets/"+info.ID, "", dep23, nil), 200, &rows)
	if rows.Total != 3 {
		t.Fatalf("B, scope 23: %d rows, want 3 (A, B, D)", rows.Total)
	}

	body := `{"candidates":"` + info.ID + `","structures":"` + matching.BuiltinStructuresDataset + `"}`
	// matchAnswer is what this test reads of a match.
	type matchAnswer struct {
		ID      string                `json:"id"`
		Summary registry.MatchSummary `json:"summary"`
	}
	var m matchAnswer
	apitest.Decode(t, apitest.Send(t, b, "POST", "/v1/match", "application/json", national, strings.NewReader(body)), http.StatusCreated, &m)
	if m.Summary.Candidates != 4 {
		t.Fatalf("match on B: %d candidates, want 4", m.Summary.Candidates)
	}
	var again matchAnswer
	apitest.Decode(t, apitest.Send(t, a, "GET", "/v1/match/"+m.ID, "", national, nil), 200, &again)
	if again.ID != m.ID || again.Summary != m.Summary {
		t.Fatalf("A reads B's match %s as %+v, want %+v", m.ID, again.Summary, m.Summary)
	}

	apitest.Decode(t, apitest.Send(t, a, "DELETE", "/v1/datasets/"+info.ID, "", national, nil), http.StatusNoContent, nil)
	var e apitest.ErrorBody
	apitest.Decode(t, apitest.Send(t, b, "GET", "/v1/datasets/"+info.ID, "", national, nil), http.StatusNotFound, &e)
	apitest.Decode(t, apitest.Send(t, b, "POST", "/v1/match", "application/json", national, strings.NewReader(body)), http.StatusNotFound, &e)
	apitest.Decode(t, apitest.Send(t, b, "GET", "/v1/datasets", "", national, nil), 200, &list)
	if listed(list) {
		t.Fatalf("B still lists %s deleted through A", info.ID)
	}
	apitest.Decode(t, apitest.Send(t, b, "DELETE", "/v1/datasets/"+info.ID, "", national, nil), http.StatusNotFound, &e)

	// GET /v1/backup copies a bbolt file; the database is backed up by its operators.
	apitest.Decode(t, apitest.Send(t, a, "GET", "/v1/backup", "", national, nil), http.StatusNotFound, &e)
	if !strings.Contains(e.Message, "pg_dump") {
		t.Errorf("backup with PostgreSQL: %q, want advice naming pg_dump", e.Message)
	}
}
