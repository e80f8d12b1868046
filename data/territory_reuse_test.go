package data

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// copyDir copies the files of src into a new temporary folder, replacing
// in each the pairs of edit (old, new) found in it.
func copyDir(t *testing.T, src string, edit ...string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for i := 0; i+1 < len(edit); i += 2 {
			s = strings.ReplaceAll(s, edit[i], edit[i+1])
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// checkSameTerritory fails unless got (built reusing a previous
// territory) holds what want (built cold from the same files) holds:
// communes with their shapes, measures and parts, report, and the commune
// found at every point of a lattice over the shapes.
func checkSameTerritory(t *testing.T, got, want *Territory) {
	t.Helper()
	if len(got.Communes) != len(want.Communes) {
		t.Fatalf("%d communes, cold load %d", len(got.Communes), len(want.Communes))
	}
	var all orb.Bound
	for i := range want.Communes {
		g, w := &got.Communes[i], &want.Communes[i]
		gp, wp := fmt.Sprint(g.parts, g.dissolveErr), fmt.Sprint(w.parts, w.dissolveErr)
		if g.Code != w.Code || g.Name != w.Name || g.Population != w.Population ||
			!reflect.DeepEqual(g.FormerCodes, w.FormerCodes) || !reflect.DeepEqual(g.Shape, w.Shape) ||
			g.Bound != w.Bound || g.Rep != w.Rep || g.AreaKm2 != w.AreaKm2 || gp != wp {
			t.Errorf("commune %d:\n got %+v\nwant %+v", i, *g, *w)
		}
		if w.HasShape() {
			all = all.Union(w.Bound)
		}
	}
	if !reflect.DeepEqual(got.Report, want.Report) {
		t.Errorf("report:\n got %+v\nwant %+v", got.Report, want.Report)
	}
	const steps = 60
	for i := 0; i <= steps; i++ {
		for j := 0; j <= steps; j++ {
			p := orb.Point{all.Min[0] + (all.Max[0]-all.Min[0])*float64(i)/steps, all.Min[1] + (all.Max[1]-all.Min[1])*float64(j)/steps}
			gi, gok := got.Index.At(p)
			wi, wok := want.Index.At(p)
			if gi != wi || gok != wok {
				t.Fatalf("commune at %v: %d %v, cold load %d %v", p, gi, gok, wi, wok)
			}
		}
	}
}

// TestLoadTerritoryReusing reloads a territory over changed files and
// checks that the result equals a cold load of the same files, and that
// what depends only on unchanged geometry was taken, not recomputed: the
// counts fail if nothing is reused.
func TestLoadTerritoryReusing(t *testing.T) {
	before := filepath.Join("testdata", "territory")
	merge := filepath.Join("testdata", "merge")
	// Beta (01002, part of Beta-Gamma) moves a corner: its feature's
	// bytes change.
	moved := copyDir(t, merge, "[[[3, 45], [4, 45], [4, 46], [3, 46], [3, 45]]]", "[[[3, 45], [4.3, 45], [4.3, 46.2], [3, 46], [3, 45]]]")
	tests := []struct {
		name, prev, next string
		want             TerritoryReuse
	}{
		// Same bytes: everything is taken, the index whole.
		// (Delta, 01004, is in no release: unmatched.)
		{"unchanged", before, before, TerritoryReuse{Features: 6, Dissolved: 1, Measured: 4, IndexWhole: true, Geometry: true}},
		// Alpha and Epsilon merge on 1 January (new COG release): the
		// boundaries are the same bytes, Alpha-Epsilon is dissolved and
		// measured again, its rings (those of Alpha and Epsilon as read)
		// are new to the index; Beta-Gamma's dissolved shape is taken.
		// Zeta-Eta's two rings and Beta-Gamma's one are taken.
		{"communes merge", before, merge, TerritoryReuse{Features: 6, Dissolved: 1, Measured: 2, IndexRings: 3}},
		// A commune's shape moves: its feature is parsed again and
		// Beta-Gamma dissolved and measured again; Alpha-Epsilon (three
		// squares) and Zeta-Eta (two rings) are taken.
		{"a shape moves", merge, moved, TerritoryReuse{Features: 5, Dissolved: 1, Measured: 2, IndexRings: 5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prev, err := LoadTerritory(tc.prev)
			if err != nil {
				t.Fatal(err)
			}
			got, err := LoadTerritoryReusing(tc.next, prev)
			if err != nil {
				t.Fatal(err)
			}
			cold, err := LoadTerritory(tc.next)
			if err != nil {
				t.Fatal(err)
			}
			checkSameTerritory(t, got, cold)
			if r := got.Reused(); r != tc.want {
				t.Errorf("reused %+v, want %+v", r, tc.want)
			}
			if r := cold.Reused(); r != (TerritoryReuse{}) {
				t.Errorf("cold load reused %+v", r)
			}
			if got.prev != nil {
				t.Error("the reloaded territory keeps the previous one")
			}
		})
	}
}
