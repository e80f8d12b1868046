package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/maillage/maillage/matching/registry"
)

func TestMatchUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"match"}, "--candidates FILE is required"},
		{[]string{"match", "--candidates", "c.csv", "--algorithm", "best"}, `--algorithm "best"`},
		{[]string{"match", "--candidates", "c.csv", "--phase", "3"}, "--phase 3: want 1, 2, or 0 for both"},
		{[]string{"match", "--candidates", "c.csv", "--caps", filepath.Join(t.TempDir(), "none.csv")}, "none.csv"},
	}
	for _, tc := range cases {
		var out, errw bytes.Buffer
		if code := run(tc.args, &out, &errw); code != 1 || !strings.Contains(errw.String(), tc.want) {
			t.Errorf("%v: code %d, stderr %q, want %q", tc.args, code, errw.String(), tc.want)
		}
	}
}

// tableValue returns the value of column col in the first data row of the
// table starting at the line holding header.
func tableValue(t *testing.T, out, header, col string, row int) string {
	t.Helper()
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if !strings.Contains(l, header) {
			continue
		}
		h := strings.Fields(l)
		v := strings.Fields(lines[i+1+row])
		for j, name := range h {
			if name == col && j < len(v) {
				return v[j]
			}
		}
	}
	t.Fatalf("no column %s under %q in:\n%s", col, header, out)
	return ""
}

func TestMatchCommandSynth(t *testing.T) {
	needData(t)
	dir := t.TempDir()
	cache := filepath.Join(os.TempDir(), "maillage-test-cache")
	var out, errw bytes.Buffer
	if code := run([]string{"synth", "--data", testData, "--candidates", "3000", "--structures", "400", "--seed", "3", "-o", dir}, &out, &errw); code != 0 {
		t.Fatalf("synth: code %d: %s", code, errw.String())
	}
	caps := filepath.Join(dir, "caps.csv")
	if err := os.WriteFile(caps, []byte("departement,cap\n75,2\n13,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := filepath.Join(dir, "out.json")
	out.Reset()
	errw.Reset()
	args := []string{"match", "--data", testData, "--cache", cache,
		"--candidates", filepath.Join(dir, "synth-candidates.csv"), "--structures", filepath.Join(dir, "synth-structures.csv"),
		"--algorithm", "both", "--caps", caps, "--top", "5", "-o", res}
	if code := run(args, &out, &errw); code != 0 {
		t.Fatalf("match: code %d: %s", code, errw.String())
	}
	b, err := os.ReadFile(res)
	if err != nil {
		t.Fatal(err)
	}
	var r registry.MatchResult
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.Summary.Candidates != 3000 || r.Comparison == nil || len(r.Assignments) != r.Summary.PostsFilled ||
		len(r.Assignments)+len(r.Unmatched) != 3000 || r.DepartementCaps["75"] != 2 {
		t.Fatalf("result: summary %+v, comparison %v, %d assignments", r.Summary, r.Comparison, len(r.Assignments))
	}
	for _, bal := range r.Balance {
		if (bal.Departement == "75" && bal.PostsFilled > 2) || (bal.Departement == "13" && bal.PostsFilled > 1) {
			t.Fatalf("cap exceeded: %+v", bal)
		}
	}
	// The printed table carries the same figures.
	o := out.String()
	if got := tableValue(t, o, "algorithm", "filled", 0); got != strconv.Itoa(r.Comparison.Optimal.PostsFilled) {
		t.Errorf("table filled %s, want %d:\n%s", got, r.Comparison.Optimal.PostsFilled, o)
	}
	if got := tableValue(t, o, "algorithm", "filled", 1); got != strconv.Itoa(r.Comparison.Greedy.PostsFilled) {
		t.Errorf("table greedy filled %s, want %d:\n%s", got, r.Comparison.Greedy.PostsFilled, o)
	}
	if !strings.Contains(o, "optimal − greedy:") || !strings.Contains(o, "départements with the most unfilled posts (5 of") {
		t.Errorf("output:\n%s", o)
	}

	// The built-in structures, greedy, no output file.
	out.Reset()
	errw.Reset()
	args = []string{"match", "--data", testData, "--cache", cache, "--candidates", filepath.Join(dir, "synth-candidates.csv"),
		"--algorithm", "greedy"}
	if code := run(args, &out, &errw); code != 0 {
		t.Fatalf("match built-in: code %d: %s", code, errw.String())
	}
	if got := tableValue(t, out.String(), "algorithm", "posts", 0); got != "2129" {
		t.Errorf("built-in posts %s, want 2129:\n%s", got, out.String())
	}

	// A bad file is rejected with its line numbers.
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("id,lon,lat\nA,1.87,46.17\nB,1.87,abc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	errw.Reset()
	args = []string{"match", "--data", testData, "--cache", cache, "--candidates", bad}
	if code := run(args, &out, &errw); code != 1 || !strings.Contains(errw.String(), "bad.csv: line 3: column lat") {
		t.Fatalf("bad file: code %d, stderr %q", code, errw.String())
	}
}
