package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/siting"
)

// networkEngine is the engine the tests of layers, compare and
// articulation share, loaded once through the commands' own flags.
var networkEngine struct {
	once sync.Once
	e    *matching.Engine
	err  error
}

// execNetwork parses args with c and runs it over the shared engine.
func execNetwork(t *testing.T, c networkCmd, args []string, stdout, stderr io.Writer) error {
	t.Helper()
	needData(t)
	args = append(args, "--data", testData, "--cache", filepath.Join(os.TempDir(), "maillage-test-cache"))
	if err := c.parse(args, stderr); err != nil {
		return err
	}
	networkEngine.once.Do(func() { networkEngine.e, networkEngine.err = c.flags().load(slog.New(slog.DiscardHandler), nil) })
	if networkEngine.err != nil {
		t.Fatal(networkEngine.err)
	}
	return c.exec(networkEngine.e, stdout, stderr)
}

func TestNetworkCommandUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"compare", "--format", "xml"}, "format: want one of"},
		{[]string{"compare", "--by", "epci"}, "by: want one of"},
		{[]string{"compare", "--format", "geojson"}, "--by commune"},
		{[]string{"compare", "extra"}, "unexpected argument"},
		{[]string{"articulation", "--max-km", "10", "--max-minutes", "20"}, "not both"},
		{[]string{"articulation", "--format", "geojson", "--by", "departement"}, "--by item"},
		{[]string{"layers", "--format", "geojson"}, "--format"},
	} {
		var out, errw bytes.Buffer
		if code := run(c.args, &out, &errw); code == 0 || !strings.Contains(errw.String(), c.want) {
			t.Errorf("%v: code %d, stderr %q, want %q", c.args, code, errw.String(), c.want)
		}
	}
}

func TestCompareCommand(t *testing.T) {
	var out, errw bytes.Buffer
	if err := execNetwork(t, &compareCmd{}, []string{"--by", "departement", "--format", "csv", "--max-minutes", "20"}, &out, &errw); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	sitesBefore, sitesAfter := 0, 0
	for _, r := range rows[1:] {
		n := func(name string) int { v, _ := strconv.Atoi(r[col[name]]); return v }
		// Four figures, each fractional inhabitants rounded once: at most 2 apart.
		if d := n("covered_population_after") - n("covered_population_before") - (n("gained_population") - n("lost_population")); d < -2 || d > 2 {
			t.Errorf("%s: row %v does not add up", r[col["code"]], r)
		}
		sitesBefore += n("sites_before")
		sitesAfter += n("sites_after")
	}
	if len(rows) < 100 || sitesBefore != 908 || sitesAfter != 2845 {
		t.Errorf("%d départements, %d → %d sites", len(rows)-1, sitesBefore, sitesAfter)
	}
	if !strings.Contains(errw.String(), "france-services-2020 (908 sites)") {
		t.Errorf("summary %q", errw.String())
	}
	out.Reset()
	if err := execNetwork(t, &compareCmd{}, []string{"--by", "commune", "--format", "geojson", "--departement", "23"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties struct {
				Change string `json:"change"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(out.Bytes(), &fc); err != nil || len(fc.Features) == 0 || fc.Features[0].Properties.Change == "" {
		t.Errorf("geojson: %v, %d features", err, len(fc.Features))
	}
	// The text table of the communes names its columns as the CSV does
	// (a commune's name is "nom").
	out.Reset()
	if err := execNetwork(t, &compareCmd{}, []string{"--by", "commune", "--departement", "23"}, &out, io.Discard); err != nil {
		t.Fatalf("text table of the communes: %v", err)
	}
	if head, _, _ := strings.Cut(out.String(), "\n"); !strings.Contains(head, "code") || !strings.Contains(head, "nom") {
		t.Errorf("text table header %q, want code and nom", head)
	}
}

func TestArticulationCommand(t *testing.T) {
	var out, errw bytes.Buffer
	if err := execNetwork(t, &articulationCmd{}, []string{"--format", "json", "--by", "departement"}, &out, &errw); err != nil {
		t.Fatal(err)
	}
	var a struct {
		National siting.ArticulationArea   `json:"national"`
		Items    []siting.ArticulationArea `json:"items"`
	}
	if err := json.Unmarshal(out.Bytes(), &a); err != nil {
		t.Fatal(err)
	}
	places, added := 0, 0
	for _, d := range a.Items {
		places += d.Places
		added += d.AddedPopulation
	}
	if a.National.Places != 2733 || places != a.National.Places || added != a.National.AddedPopulation {
		t.Errorf("national %+v; départements: %d places, %d added", a.National, places, added)
	}
	if !strings.Contains(errw.String(), "2733 places") {
		t.Errorf("summary %q", errw.String())
	}
}

func TestLayersCommand(t *testing.T) {
	var out bytes.Buffer
	if err := execNetwork(t, &layersCmd{}, []string{"--format", "csv"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string][]string{}
	for _, r := range rows[1:] {
		names[r[0]] = r
	}
	for name, want := range map[string]string{"france-services": "2845", "france-services-2020": "908",
		"cnfs-permanences": "2733", "cnfs-structures-2021": "1450", "zrr-communes-2021.csv": "34965"} {
		if r, ok := names[name]; !ok || r[4] != want {
			t.Errorf("%s: row %v, want read %s", name, r, want)
		}
	}
	out.Reset()
	if err := execNetwork(t, &layersCmd{}, []string{"--rejects", "--format", "json"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var rj []rejectRow
	if err := json.Unmarshal(out.Bytes(), &rj); err != nil || len(rj) != 9 { // 7 structures, 2 fragility rows without total
		t.Errorf("rejects: %v, %d: %+v", err, len(rj), rj)
	}
	for _, r := range rj {
		if r.File == "" || r.Line == 0 || r.Reason == "" {
			t.Errorf("reject without file, line or reason: %+v", r)
		}
	}
}
