package data

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
)

func TestLoadAdminShapesRealData(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "data")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real data not found at %s: %v", dir, err)
	}
	s, err := LoadAdminShapes(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Departements) != 101 || len(s.Regions) != 18 {
		t.Fatalf("%d départements and %d régions, want 101 and 18", len(s.Departements), len(s.Regions))
	}
	byCode := map[string]string{}
	for i, d := range s.Departements {
		if i > 0 && s.Departements[i-1].Code >= d.Code {
			t.Fatalf("départements not sorted at %d: %q then %q", i, s.Departements[i-1].Code, d.Code)
		}
		byCode[d.Code] = d.Name
	}
	for code, name := range map[string]string{"23": "Creuse", "2A": "Corse-du-Sud", "976": "Mayotte", "01": "Ain"} {
		if byCode[code] != name {
			t.Errorf("département %s is %q, want %q", code, byCode[code], name)
		}
	}
	// Every département lies in exactly one région: its representative
	// point is inside one région shape.
	for _, d := range s.Departements {
		p := geo.RepresentativePoint(d.Shape)
		var in []string
		for _, r := range s.Regions {
			if r.Bound.Contains(p) && geo.MultiPolygonContains(r.Shape, p) {
				in = append(in, r.Code)
			}
		}
		if len(in) != 1 {
			t.Errorf("département %s (%v) is in régions %v", d.Code, p, in)
		}
		if d.Bound == (orb.Bound{}) {
			t.Errorf("département %s has no bound", d.Code)
		}
	}
}

func TestLoadAdminShapesMissing(t *testing.T) {
	if _, err := LoadAdminShapes(t.TempDir()); err == nil {
		t.Fatal("no error for an empty folder")
	}
}
