package topo_test

import (
	"slices"
	"testing"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/valid"
)

// TestCoalesceFrance coalesces the real communes at the z3–z5 tolerances,
// within their département and a mixed class (as a map's colour classes
// are): every merged outline is valid, far fewer features remain, and over
// Creuse and its neighbours the outlines still cover the land without
// overlap (≥ 99.5 %, ≤ 0.5 %).
func TestCoalesceFrance(t *testing.T) {
	if testing.Short() {
		t.Skip("real data: skipped in -short")
	}
	communes, shapes, tp := franceTopology(t)
	dept := map[string]int32{}
	class := make([]int32, len(communes))
	for i, c := range communes {
		d, ok := dept[c.Departement]
		if !ok {
			d = int32(len(dept))
			dept[c.Departement] = d
		}
		class[i] = d*3 + int32(c.Code[len(c.Code)-1]-'0')%3 // classes in patches, as coverage classes are
	}
	rural := []string{"23", "03", "19", "36", "63", "87"}
	var ids []int
	for i, c := range communes {
		if slices.Contains(rural, c.Departement) {
			ids = append(ids, i)
		}
	}
	for _, z := range []int{3, 5} {
		l := tp.Simplify(geo.ZoomToleranceDeg(z))
		rep := l.Coalesce(class, 8)
		out, split := l.Coalesced(rep)
		groups, invalid := 0, 0
		for s, mp := range out {
			if rep[s] != int32(s) {
				if mp != nil {
					t.Fatalf("z%d: shape %d has an outline but is not a representative", z, s)
				}
				continue
			}
			if class[rep[s]] != class[s] {
				t.Fatalf("z%d: classes mixed", z)
			}
			groups++
			if len(mp) > 0 {
				if err := valid.ValidateShape(mp); err != nil {
					invalid++
					if invalid <= 3 {
						n := 0
						for u, r := range rep {
							if int(r) == s && u != s {
								n++
							}
						}
						t.Logf("z%d: group of %s (%d merged) invalid: %v", z, communes[s].Code, n, err)
					}
				}
			}
		}
		for s, r := range rep {
			if class[r] != class[s] {
				t.Fatalf("z%d: commune %s merged into %s of another class", z, communes[s].Code, communes[r].Code)
			}
		}
		cov, over := seams(shapes, out, ids, geo.ZoomToleranceDeg(z)/8)
		t.Logf("z%d: %d communes → %d features (%d groups split back), %d invalid; Creuse and neighbours covered %.3f %%, overlap %.3f %%",
			z, len(communes), groups, split, invalid, 100*cov, 100*over)
		if invalid > 0 {
			t.Errorf("z%d: %d invalid merged outlines", z, invalid)
		}
		if groups > len(communes)/2 {
			t.Errorf("z%d: %d features left of %d communes, want at most half", z, groups, len(communes))
		}
		if cov < 0.995 || over > 0.005 {
			t.Errorf("z%d: covered %.3f %% (want ≥ 99.5), overlap %.3f %% (want ≤ 0.5)", z, 100*cov, 100*over)
		}
	}
}
