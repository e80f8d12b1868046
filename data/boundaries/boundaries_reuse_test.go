package boundaries

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestLoadReusing loads a collection, then versions of it: features of the
// same bytes are taken from the previous load (the same shape arrays),
// changed ones are parsed, and the result always equals Load's.
func TestLoadReusing(t *testing.T) {
	const a = `{"type": "Feature", "properties": {"code": "01001", "nom": "A"}, "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}`
	const b = `{"type": "Feature", "properties": {"code": "01002", "nom": "B"}, "geometry": {"type": "Polygon", "coordinates": [[[1, 0], [2, 0], [2, 1], [1, 0]]]}}`
	const c = `{"type": "Feature", "properties": {"code": "01003", "nom": "C"}, "geometry": {"type": "Polygon", "coordinates": [[[2, 0], [3, 0], [3, 1], [2, 0]]]}}`
	coll := func(fs ...string) string {
		return `{"type": "FeatureCollection", "features": [` + "\n" + strings.Join(fs, ",\n  ") + "]}"
	}
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "c.geojson")
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first, f0, err := LoadReusing(write(coll(a, b)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if f0.Reused() != 0 || f0.Len() != 2 {
		t.Fatalf("first load: reused %d of %d", f0.Reused(), f0.Len())
	}
	moved := strings.Replace(b, "[2, 1]", "[2, 1.5]", 1)
	tests := []struct {
		name   string
		file   string
		reused int
	}{
		{"same features, other layout", coll(b, a), 2},
		{"one moved, one new", coll(a, moved, c), 1},
		{"nothing in common", coll(c), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := write(tc.file)
			got, f, err := LoadReusing(path, f0)
			if err != nil {
				t.Fatal(err)
			}
			want, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
			if f.Reused() != tc.reused || f.Len() != len(want) {
				t.Errorf("reused %d of %d, want %d of %d", f.Reused(), f.Len(), tc.reused, len(want))
			}
			for _, g := range got {
				if g.Code == "01001" && &g.Shape[0][0][0] != &first[0].Shape[0][0][0] {
					t.Error("feature 01001 of the same bytes was parsed again")
				}
			}
		})
	}
}
