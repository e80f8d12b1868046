package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The README's figures are documentation tests: every number it quotes from
// the program sits between <!-- fig:NAME --> and <!-- /fig --> and is
// recomputed here by the figure NAME of readmeFigures (readme_figures_test.go)
// over the real data, so that a change moving a figure fails this test until
// the README is updated. MAILLAGE_UPDATE_README=1 rewrites the README with the
// program's values instead of failing.
//
// Figures from outside the program are plain text, listed in the README's
// comment "external figures" (published coverage rates, travel-model
// constants, the map's browser-test figures, timings, which live in
// BENCHMARKS.md with their commands).

// readmePath is the README, relative to this package.
var readmePath = filepath.Join("..", "..", "README.md")

// updateReadmeEnv names the variable that makes TestReadmeFigures rewrite the
// README instead of failing.
const updateReadmeEnv = "MAILLAGE_UPDATE_README"

// figureMark matches one marked figure: its name and its text, which may
// span lines (tables).
var figureMark = regexp.MustCompile(`(?s)<!-- fig:([a-z0-9-]+) -->(.*?)<!-- /fig -->`)

// figureMismatch is a figure whose README text differs from the program's.
type figureMismatch struct {
	name, readme, program string
}

// String names the figure and both values; for a table, only the rows
// that differ.
func (m figureMismatch) String() string {
	readme, program := m.readme, m.program
	if strings.Contains(readme, "\n") || strings.Contains(program, "\n") {
		r, p := strings.Split(readme, "\n"), strings.Split(program, "\n")
		var rs, ps []string
		for i := 0; i < max(len(r), len(p)); i++ {
			var a, b string
			if i < len(r) {
				a = r[i]
			}
			if i < len(p) {
				b = p[i]
			}
			if a != b {
				rs, ps = append(rs, a), append(ps, b)
			}
		}
		readme, program = strings.Join(rs, "\n"), strings.Join(ps, "\n")
	}
	return fmt.Sprintf("figure %q: README says %q, the program says %q", m.name, readme, program)
}

// checkFigures compares every marked figure of text with compute's value and
// returns the text with the program's values, the mismatches, and an error
// for a mark no figure computes. compute is called once per name.
func checkFigures(text string, compute func(name string) (string, error)) (string, []figureMismatch, error) {
	values := map[string]string{}
	var mismatches []figureMismatch
	var firstErr error
	out := figureMark.ReplaceAllStringFunc(text, func(m string) string {
		sub := figureMark.FindStringSubmatch(m)
		name, got := sub[1], sub[2]
		want, ok := values[name]
		if !ok {
			var err error
			if want, err = compute(name); err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("figure %q: %w", name, err)
				}
				return m
			}
			values[name] = want
		}
		if got != want {
			mismatches = append(mismatches, figureMismatch{name, got, want})
		}
		return "<!-- fig:" + name + " -->" + want + "<!-- /fig -->"
	})
	return out, mismatches, firstErr
}

// markedNames lists the distinct figure names marked in text.
func markedNames(text string) map[string]bool {
	names := map[string]bool{}
	for _, m := range figureMark.FindAllStringSubmatch(text, -1) {
		names[m[1]] = true
	}
	return names
}

func TestReadmeFigures(t *testing.T) {
	needData(t)
	raw, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	figs := readmeFigures()

	// Every figure is quoted, so none is computed for nothing.
	marked := markedNames(text)
	var unused []string
	for name := range figs {
		if !marked[name] {
			unused = append(unused, name)
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Errorf("figures computed but not marked in the README: %s", strings.Join(unused, ", "))
	}

	d := newDocData(sharedEngine(t))
	fixed, mismatches, err := checkFigures(text, func(name string) (string, error) {
		f, ok := figs[name]
		if !ok {
			return "", fmt.Errorf("no such figure in readmeFigures")
		}
		return f(d)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(mismatches) == 0 {
		return
	}
	if os.Getenv(updateReadmeEnv) == "1" {
		if err := os.WriteFile(readmePath, []byte(fixed), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, m := range mismatches {
			t.Logf("updated %s", m)
		}
		return
	}
	for _, m := range mismatches {
		t.Errorf("%s", m)
	}
	t.Errorf("%d README figure(s) differ from the program: update the README (%s=1 go test ./cmd/maillage -run TestReadmeFigures)",
		len(mismatches), updateReadmeEnv)
}

// TestCheckFigures checks the mechanism on a small text: a drifted figure is
// reported with both values and rewritten, a right one is left alone, and an
// unknown name is an error.
func TestCheckFigures(t *testing.T) {
	compute := func(name string) (string, error) {
		switch name {
		case "share":
			return "92.01 %", nil
		case "table":
			return "\n\n| a |\n|---|\n| 2 |\n\n", nil
		}
		return "", fmt.Errorf("unknown")
	}
	text := "covers <!-- fig:share -->91.99 %<!-- /fig --> (again <!-- fig:share -->92.01 %<!-- /fig -->)\n" +
		"<!-- fig:table -->\n\n| a |\n|---|\n| 1 |\n\n<!-- /fig -->\n"
	fixed, mm, err := checkFigures(text, compute)
	if err != nil {
		t.Fatal(err)
	}
	want := []figureMismatch{{"share", "91.99 %", "92.01 %"}, {"table", "\n\n| a |\n|---|\n| 1 |\n\n", "\n\n| a |\n|---|\n| 2 |\n\n"}}
	if fmt.Sprint(mm) != fmt.Sprint(want) {
		t.Errorf("mismatches %v, want %v", mm, want)
	}
	if !strings.Contains(mm[0].String(), `README says "91.99 %", the program says "92.01 %"`) {
		t.Errorf("message %q", mm[0])
	}
	if got := mm[1].String(); got != `figure "table": README says "| 1 |", the program says "| 2 |"` {
		t.Errorf("table message %q", got)
	}
	again, mm, err := checkFigures(fixed, compute)
	if err != nil || len(mm) != 0 || again != fixed {
		t.Errorf("rewritten text still differs: %v %v\n%s", err, mm, fixed)
	}
	if _, _, err := checkFigures("<!-- fig:nope -->1<!-- /fig -->", compute); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown figure: err %v", err)
	}
	if names := markedNames(text); len(names) != 2 || !names["share"] || !names["table"] {
		t.Errorf("names %v", names)
	}
}
