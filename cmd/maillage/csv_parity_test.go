package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/registry"
)

// TestCSVParity runs each analysis that both the CLI and the API offer as
// CSV through the subcommand's own code and through the HTTP handler over
// the same engine, and requires byte-identical answers: the two writers
// share one column list per result type (internal/present).
func TestCSVParity(t *testing.T) {
	needData(t)
	// Load the shared engine through a cheap siting command.
	var sink bytes.Buffer
	props := filepath.Join(t.TempDir(), "proposals.csv")
	body := "id,name,lon,lat,commune\nbourganeuf,Bourganeuf,1.7548,45.9533,\ncreuse,Guéret,,,23096\nfar,Somewhere,2.0712,46.2,\n"
	if err := os.WriteFile(props, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := execSiting(t, &evaluateCmd{}, []string{props, "--format", "csv"}, &sink, &sink); err != nil {
		t.Fatal(err)
	}
	e := sitingEngine.e
	srv := api.New(registry.New(nil, e), api.Config{InsecureOpen: true}) // evaluate needs a token otherwise

	// 15 minutes leaves gaps, rural mairies and room for new sites in the Creuse.
	coverageCSV := func(q coverage.Query, by string) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			r := coverage.ReachMinutes(15, coverage.DefaultTravelModel())
			q.Reach, q.Layers = &r, []string{matching.DefaultLayer}
			cv, err := coverage.Compute(e.Coverage(), q)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := writeCoverage(&b, e.Territory(), cv, by, "csv"); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		}
	}
	siting := func(c sitingCmd, args ...string) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			var out, errw bytes.Buffer
			if err := execSiting(t, c, args, &out, &errw); err != nil {
				t.Fatalf("%v: %v", args, err)
			}
			return out.Bytes()
		}
	}
	network := func(c networkCmd, args ...string) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			var out, errw bytes.Buffer
			if err := c.parse(args, &errw); err != nil {
				t.Fatalf("%v: %v", args, err)
			}
			if err := c.exec(e, &out, &errw); err != nil {
				t.Fatalf("%v: %v", args, err)
			}
			return out.Bytes()
		}
	}
	for _, c := range []struct {
		name, method, url, body string
		cli                     func(t *testing.T) []byte
	}{
		{"départements", "GET", "/v1/coverage/departements?format=csv&max_minutes=15", "",
			coverageCSV(coverage.Query{}, "departement")},
		{"communes of Creuse", "GET", "/v1/coverage/communes?format=csv&departement=23&max_minutes=15", "",
			coverageCSV(coverage.Query{Departement: "23"}, "commune")},
		{"rural mairies of Creuse", "GET", "/v1/coverage/rural-mairies?format=csv&departement=23&max_minutes=15", "",
			coverageCSV(coverage.Query{Departement: "23"}, "rural")},
		{"recommendations", "GET", "/v1/recommendations?format=csv&departement=23&k=3&max_minutes=15", "",
			siting(&recommendCmd{}, "--departement", "23", "--k", "3", "--format", "csv", "--max-minutes", "15")},
		{"proposals", "POST", "/v1/proposals/evaluate?format=csv&max_minutes=15", body,
			siting(&evaluateCmd{}, props, "--format", "csv", "--max-minutes", "15")},
		{"compare communes", "GET", "/v1/coverage/compare?format=csv&departement=23&max_minutes=15", "",
			network(&compareCmd{}, "--by", "commune", "--departement", "23", "--format", "csv", "--max-minutes", "15")},
		{"articulation items", "GET", "/v1/articulation?format=csv&departement=23&max_minutes=15", "",
			network(&articulationCmd{}, "--by", "item", "--departement", "23", "--format", "csv", "--max-minutes", "15")},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(c.method, c.url, strings.NewReader(c.body))
			if c.body != "" {
				req.Header.Set("Content-Type", "text/csv")
			}
			srv.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s %s: status %d: %.300s", c.method, c.url, rec.Code, rec.Body.String())
			}
			cli := c.cli(t)
			if bytes.Count(cli, []byte("\n")) < 2 {
				t.Fatalf("CLI answer has no data row:\n%s", cli)
			}
			if !bytes.Equal(rec.Body.Bytes(), cli) {
				a, b := strings.Split(rec.Body.String(), "\n"), strings.Split(string(cli), "\n")
				for i := 0; i < min(len(a), len(b)); i++ {
					if a[i] != b[i] {
						t.Fatalf("line %d differs:\nAPI %s\nCLI %s", i+1, a[i], b[i])
					}
				}
				t.Fatalf("API %d lines, CLI %d lines", len(a), len(b))
			}
		})
	}
}
