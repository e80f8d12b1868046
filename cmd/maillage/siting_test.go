package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/maillage/maillage/matching"
)

// sitingEngine is the engine the siting command tests share, loaded once
// through the commands' own flags.
var sitingEngine struct {
	once sync.Once
	e    *matching.Engine
	err  error
}

// execSiting parses args with c and runs it over the shared engine.
func execSiting(t *testing.T, c sitingCmd, args []string, stdout, stderr io.Writer) error {
	t.Helper()
	needData(t)
	args = append(args, "--data", testData, "--cache", filepath.Join(os.TempDir(), "maillage-test-cache"))
	if err := c.parse(args, stderr); err != nil {
		return err
	}
	sitingEngine.once.Do(func() { sitingEngine.e, sitingEngine.err = c.base().load(slog.New(slog.DiscardHandler), nil) })
	if sitingEngine.err != nil {
		t.Fatal(sitingEngine.err)
	}
	return c.exec(sitingEngine.e, sitingProgress{step: func(string) {}, stop: func() {}}, stdout, stderr)
}

func TestSitingCommandUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"evaluate"}, "missing file"},
		{[]string{"evaluate", "a.csv", "b.csv"}, "one file expected"},
		{[]string{"evaluate", "a.csv", "--redundancy-km", "-2"}, "redundancy-km"},
		{[]string{"recommend", "--format", "xml"}, "format: want one of"},
		{[]string{"recommend", "extra"}, "unexpected argument"},
		{[]string{"recommend", "--max-km", "10", "--max-minutes", "20"}, "not both"},
		{[]string{"scenario", "--format", "geojson", "x.csv"}, "format: want one of"},
	} {
		var out, errw bytes.Buffer
		if code := run(c.args, &out, &errw); code == 0 || !strings.Contains(errw.String(), c.want) {
			t.Errorf("%v: code %d, stderr %q, want %q", c.args, code, errw.String(), c.want)
		}
	}
}

func TestRecommendCommand(t *testing.T) {
	var out, errw bytes.Buffer
	args := []string{"--departement", "36", "--layers", "france-services-2020", "--k", "5", "--format", "geojson"}
	if err := execSiting(t, &recommendCmd{}, args, &out, &errw); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string `json:"type"`
		Curve    []any  `json:"curve"`
		Features []struct {
			ID         string `json:"id"`
			Properties struct {
				Rank           int `json:"rank"`
				GainPopulation int `json:"gain_population"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(out.Bytes(), &fc); err != nil || fc.Type != "FeatureCollection" || len(fc.Features) != 5 || len(fc.Curve) != 6 {
		t.Fatalf("geojson: %v: %.300s", err, out.String())
	}
	for i, f := range fc.Features {
		if f.Properties.Rank != i+1 || f.Properties.GainPopulation <= 0 || !strings.HasPrefix(f.ID, "36") {
			t.Errorf("pick %d: %+v", i, f)
		}
	}
	if !strings.Contains(errw.String(), "Indre (36)") || !strings.Contains(errw.String(), "5 site(s) picked") {
		t.Errorf("summary: %q", errw.String())
	}

	// The picks as proposals: evaluate (flags after the file) then scenario.
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("id,commune\n")
	for _, f := range fc.Features {
		b.WriteString(f.ID + "," + f.ID + "\n")
	}
	path := filepath.Join(dir, "proposals.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errw.Reset()
	if err := execSiting(t, &evaluateCmd{}, []string{path, "--layers", "france-services-2020", "--format", "csv"}, &out, &errw); err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil || len(rows) != 6 || rows[0][0] != "id" {
		t.Fatalf("evaluate csv: %v: %v", err, rows)
	}
	out.Reset()
	errw.Reset()
	if err := execSiting(t, &scenarioCmd{}, []string{"--layers", "france-services-2020", "--changed", path}, &out, &errw); err != nil {
		t.Fatalf("scenario: %v", err)
	}
	rows, err = csv.NewReader(&out).ReadAll()
	if err != nil || len(rows) < 2 || !strings.Contains(errw.String(), "5 site(s)") {
		t.Fatalf("scenario csv: %v: %v, %s", err, rows, errw.String())
	}
}
