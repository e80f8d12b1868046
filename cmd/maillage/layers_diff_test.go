package main

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestLayersDiffUsage(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "france-services.csv")
	if err := os.WriteFile(file, []byte("id,lat,lon\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"layers", "diff", "a"}, "want two lists"},
		{[]string{"layers", "diff", "a", "b", "c"}, "got 3"},
		{[]string{"layers", "diff", "--format", "xml", "a", "b"}, "format: want one of"},
		{[]string{"layers", "diff", "a", "b", "--max-km", "0"}, "max_km"},
		{[]string{"layers", "diff", "a", "b", "--departement", "01", "--region", "84"}, "not both"},
		{[]string{"layers", "diff", "no/such/file.csv", "b"}, "not a file nor a layer name"},
		{[]string{"layers", "diff", "--layer", "x", "a", "b"}, "want name=PATH"},
	} {
		var out, errw bytes.Buffer
		if code := run(c.args, &out, &errw); code != 2 || !strings.Contains(errw.String(), c.want) {
			t.Errorf("%v: code %d, stderr %q, want %q", c.args, code, errw.String(), c.want)
		}
	}
	// A file becomes a layer named after it, renamed when the name is a
	// shipped layer's; flags may follow the lists.
	var c layersDiffCmd
	if err := c.parse([]string{file, "france-services-2020", "--by", "changes"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if c.from != "france-services-a" || c.to != "france-services-2020" || c.by != "changes" || len(c.layers) != 1 ||
		c.layers[0].Name != "france-services-a" || c.layers[0].Path != file {
		t.Errorf("parsed %+v", c)
	}
}

// TestLayersDiffCommand diffs the 2020 and 2024 France Services lists by
// département: the rows add up to the README's national figures.
func TestLayersDiffCommand(t *testing.T) {
	var out, errw bytes.Buffer
	if err := execNetwork(t, &layersDiffCmd{}, []string{"--by", "departement", "--format", "csv", "france-services-2020", "france-services"}, &out, &errw); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"code", "sites_from", "sites_to", "opened", "closed", "moved", "renamed", "unchanged"}
	if strings.Join(rows[0], ",") != strings.Join(want, ",") {
		t.Fatalf("header %v", rows[0])
	}
	sum := make([]int, len(want))
	for _, r := range rows[1:] {
		for i := 1; i < len(r); i++ {
			sum[i] += atoi(t, r[i])
		}
	}
	if got := sum[1:]; got[0] != 908 || got[1] != 2845 || got[2] != 1948 || got[3] != 11 || got[4] != 59 || got[5] != 361 || got[6] != 501 {
		t.Errorf("national sums %v", got)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return v
}

// TestLayerFlags: --layers replaces the shipped layers, --layer adds to or
// replaces them; with neither, the shipped layers are declared.
func TestLayerFlags(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "layers.toml")
	if err := os.WriteFile(file, []byte("[[layer]]\nname = \"fs-2025\"\npath = \"fs.csv\"\nformat = \"csv\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	names := func(args ...string) []string {
		t.Helper()
		var f engineFlags
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		f.register(fs)
		f.registerLayersFile(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		cfg, err := f.layerConfig()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range cfg.Layers {
			out = append(out, l.Name+"="+filepath.Base(l.Path))
		}
		return out
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "france-services=france-services-2024-08.csv france-services-2020=france-services-2020.geojson cnfs-permanences=cnfs-permanences-2022.json"},
		{[]string{"--layers", file}, "fs-2025=fs.csv"},
		{[]string{"--layers-file", file, "--layer", "ac=ac.json,format=mediation-standard,programme=Aidants Connect"}, "fs-2025=fs.csv ac=ac.json"},
		{[]string{"--layer", "france-services=new.csv", "--layer", "x=x.geojson"},
			"france-services=new.csv france-services-2020=france-services-2020.geojson cnfs-permanences=cnfs-permanences-2022.json x=x.geojson"},
	} {
		if got := strings.Join(names(c.args...), " "); got != c.want {
			t.Errorf("%v: %s, want %s", c.args, got, c.want)
		}
	}
}
