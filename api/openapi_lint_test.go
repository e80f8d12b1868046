package api_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
)

// redoclyDir holds the pinned Redocly CLI (tools/redocly/package.json and
// package-lock.json) and its configuration.
var redoclyDir = filepath.Join("..", "tools", "redocly")

// redoclyInstall says how to get the linter.
const redoclyInstall = "npm ci --prefix tools/redocly (Node.js ≥ 20.19; .ci/run does it)"

// TestOpenAPILint lints the document the server serves with Redocly CLI's
// "recommended" ruleset (tools/redocly/redocly.yaml): no error and no
// warning. It runs offline once the tool is installed.
func TestOpenAPILint(t *testing.T) {
	bin, err := filepath.Abs(filepath.Join(redoclyDir, "node_modules", ".bin", "redocly"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("Redocly CLI not installed at %s: run %s", bin, redoclyInstall)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skipf("Node.js not found: install it (Debian: apt-get install nodejs npm), then run %s", redoclyInstall)
	}
	// The document as served (an address GIS clients would use, not
	// localhost, which the no-server-example.com rule flags).
	s := api.New(nil, api.Config{PublicURL: "http://127.0.0.1:8080"})
	rec := apitest.MapGet(t, s, "/openapi.json")
	if rec.Code != 200 {
		t.Fatalf("GET /openapi.json: %d", rec.Code)
	}
	spec := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(spec, rec.Body.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "lint", spec, "--config", filepath.Join(redoclyDir, "redocly.yaml"), "--format=json")
	// No telemetry, no update check: the lint needs no network.
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, runErr := cmd.Output() // exits 1 when it finds errors: the report says which
	var report struct {
		Totals   struct{ Errors, Warnings int }
		Version  string
		Problems []struct {
			RuleID   string `json:"ruleId"`
			Severity string
			Message  string
			Location []struct{ Pointer string }
		}
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("redocly lint: %v (%v): %s\n%s", err, runErr, out, stderr.String())
	}
	for _, p := range report.Problems {
		where := ""
		if len(p.Location) > 0 {
			where = p.Location[0].Pointer
		}
		t.Errorf("%s %s at %s: %s", p.Severity, p.RuleID, where, p.Message)
	}
	if report.Totals.Errors+report.Totals.Warnings > 0 || len(report.Problems) > 0 {
		t.Fatalf("Redocly %s: %d errors, %d warnings", report.Version, report.Totals.Errors, report.Totals.Warnings)
	}
	t.Logf("Redocly %s: 0 errors, 0 warnings", report.Version)
}
