package layerconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maillage/maillage/data"
)

func TestParseTOMLKeepsTheIssueKeys(t *testing.T) {
	cfg, err := Parse(filepath.Join("testdata", "layers.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Layers) != 1 || cfg.Dir != "testdata" {
		t.Fatalf("config %+v", cfg)
	}
	l := cfg.Layers[0]
	want := Columns{ID: "identifiant", Name: "nom_site", Lat: "lat", Lon: "lon", Commune: "code_commune"}
	if l.Name != "fs-renamed" || l.Path != "will-be-replaced.csv" || l.Format != FormatCSV || l.Vintage != "2025-09" ||
		l.Title != "France Services (renamed columns)" || l.Columns == nil || *l.Columns != want {
		t.Errorf("layer %+v columns %+v", l, l.Columns)
	}
}

func TestParseYAML(t *testing.T) {
	cfg, err := Parse(filepath.Join("testdata", "layers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Layers) != 2 || cfg.Layers[0].Programme != "*" || cfg.Layers[0].Format != FormatMediation ||
		cfg.Layers[1].Name != "points" || cfg.Layers[1].Format != FormatAuto {
		t.Errorf("config %+v", cfg)
	}
}

func TestParseErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		name, path string
		want       []string
	}{
		{"misspelt key", filepath.Join("testdata", "typo.toml"), []string{"fromat"}},
		{"toml syntax", write("bad.toml", "[[layer]]\nname = \"x\npath = 1\n"), []string{"line 2"}},
		{"yaml unknown key", write("bad.yaml", "layer:\n  - name: x\n    path: x.csv\n    colour: red\n"), []string{"colour"}},
		{"empty", write("empty.toml", "# nothing\n"), []string{"no layer declared"}},
		{"every problem listed", write("two.toml", "[[layer]]\nname = \"a b\"\npath = \"\"\nformat = \"shp\"\n[[layer]]\nname = \"c\"\npath = \"c.csv\"\nformat = \"geojson\"\n[layer.columns]\nid = \"x\"\n"),
			[]string{`name "a b"`, "path is required", `format "shp"`, "columns only apply", "lat and lon are required"}},
		{"duplicate names", write("dup.toml", "[[layer]]\nname = \"a\"\npath = \"a.csv\"\n[[layer]]\nname = \"a\"\npath = \"b.csv\"\n"), []string{"already declared"}},
		{"missing file", filepath.Join(dir, "none.toml"), []string{"none.toml"}},
	} {
		_, err := Parse(c.path)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.name, err, w)
			}
		}
	}
}

func TestParseFlag(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Layer
		err  string
	}{
		{in: "fs-2025=liste.csv", want: Layer{Name: "fs-2025", Path: "liste.csv"}},
		{in: "fs-2025=liste.csv,format=csv,vintage=2025-09,title=France Services 2025",
			want: Layer{Name: "fs-2025", Path: "liste.csv", Format: "csv", Vintage: "2025-09", Title: "France Services 2025"}},
		{in: "ac=lieux.json,format=mediation-standard,programme=Aidants Connect",
			want: Layer{Name: "ac", Path: "lieux.json", Format: FormatMediation, Programme: "Aidants Connect"}},
		{in: "liste.csv", err: "want name=PATH"},
		{in: "a=b.csv,colour=red", err: `unknown key "colour"`},
		{in: "a=b.csv,csv", err: "not key=value"},
		{in: "a=b.csv,format=shp", err: `format "shp"`},
		{in: "a/b=b.csv", err: `name "a/b"`},
		{in: "a=b.csv,format=csv,programme=X", err: "programme only applies"},
	} {
		got, err := ParseFlag(c.in)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: error %v, want %q", c.in, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("%q: %v", c.in, err)
		case c.err == "" && (got.Name != c.want.Name || got.Path != c.want.Path || got.Format != c.want.Format ||
			got.Vintage != c.want.Vintage || got.Title != c.want.Title || got.Programme != c.want.Programme):
			t.Errorf("%q: %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestWithReplacesAndAdds(t *testing.T) {
	def := Default("somewhere")
	cfg, err := def.With(Layer{Name: data.LayerFranceServices, Path: "new.csv"}, Layer{Name: "extra", Path: "/abs/x.geojson"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Layers) != 4 || cfg.Layers[0].Name != data.LayerFranceServices || !filepath.IsAbs(cfg.Layers[0].Path) ||
		filepath.Base(cfg.Layers[0].Path) != "new.csv" || cfg.Layers[3].Path != "/abs/x.geojson" {
		t.Errorf("config %+v", cfg.Layers)
	}
	if len(def.Layers) != 3 || def.Layers[0].Path != data.FranceServices2024File {
		t.Errorf("With changed its receiver: %+v", def.Layers)
	}
}
