package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var testData = filepath.Join("..", "..", "..", "shared", "data")

func needData(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(testData); err != nil {
		t.Skipf("real data not found at %s: %v", testData, err)
	}
}

func TestRunUsage(t *testing.T) {
	var out, errw bytes.Buffer
	if code := run(nil, &out, &errw); code != 2 || !strings.Contains(errw.String(), "coverage") {
		t.Fatalf("no args: code %d, stderr %q", code, errw.String())
	}
	errw.Reset()
	if code := run([]string{"nope"}, &out, &errw); code != 2 || !strings.Contains(errw.String(), `unknown command "nope"`) {
		t.Fatalf("unknown: code %d, stderr %q", code, errw.String())
	}
	errw.Reset()
	if code := run([]string{"coverage", "--data", t.TempDir()}, &out, &errw); code != 1 || !strings.Contains(errw.String(), "not found") {
		t.Fatalf("bad data dir: code %d, stderr %q", code, errw.String())
	}
}

func TestCoverageCommandCSV(t *testing.T) {
	needData(t)
	var out, errw bytes.Buffer
	args := []string{"coverage", "--data", testData, "--cache", filepath.Join(os.TempDir(), "maillage-test-cache"),
		"--by", "departement", "--max-minutes", "30", "--format", "csv"}
	if code := run(args, &out, &errw); code != 0 {
		t.Fatalf("code %d: %s", code, errw.String())
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 100 || rows[0][1] != "code" {
		t.Fatalf("want a header and ≥ 100 départements, got %d rows: %v", len(rows), rows[0])
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, r := range rows[1:] {
		pop, _ := strconv.Atoi(r[col["population"]])
		cov, _ := strconv.Atoi(r[col["covered_population"]])
		unc, _ := strconv.Atoi(r[col["uncovered_population"]])
		unl, _ := strconv.Atoi(r[col["population_unlocated"]])
		if cov+unc+unl != pop {
			t.Fatalf("département %s: covered %d + uncovered %d + unlocated %d ≠ population %d", r[col["code"]], cov, unc, unl, pop)
		}
	}
}
