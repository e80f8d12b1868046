package topo

import (
	"math"
	"testing"

	"github.com/maillage/maillage/geo/valid"
	"github.com/paulmach/orb"
)

func square(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
}

// TestCoalesce: a row of a large square, a tiny one and a large one of the
// same class, and a tiny one of another class: the tiny one of the same
// class joins the neighbour with which it shares the longest border, the
// other tiny one stays alone, and the merged outline covers both.
func TestCoalesce(t *testing.T) {
	shapes := []orb.MultiPolygon{
		{{{{0, 0}, {1, 0}, {1, 0.5}, {1, 0.55}, {1, 1}, {0, 1}, {0, 0}}}}, // 0: large, noded where 1, 3 and 4 meet it
		square(1, 0, 1.05, 0.5), // 1: tiny, borders 0 on 0.5 and 2 on 0.5, 3 on 0.05
		square(1.05, 0, 2, 0.5), // 2: large-ish
		square(1, 0.5, 2, 0.55), // 3: thin strip of another class above 1 and 2
		square(1, 0.55, 2, 1),   // 4: large, class 1
	}
	topo, err := BuildTopology(shapes)
	if err != nil {
		t.Fatal(err)
	}
	l := topo.Simplify(0)
	l.TolDeg = 0.01 // one "pixel" of 0.01°: areas are in 10⁻⁴ deg²
	class := []int32{0, 0, 0, 1, 1}
	for _, tc := range []struct {
		minPx float64
		want  []int32
	}{
		{0, []int32{0, 1, 2, 3, 4}},   // nothing small
		{300, []int32{0, 0, 2, 3, 4}}, // 1 (250 px) joins 0 (same border as with 2, lower index); 3 (500 px) stays
		{600, []int32{0, 0, 2, 4, 4}}, // 3 joins 4, its only neighbour of its class
		{1e9, []int32{0, 0, 0, 4, 4}}, // everything merges within its class
		{-1, []int32{0, 1, 2, 3, 4}},
	} {
		rep := l.Coalesce(class, tc.minPx)
		for s := range rep {
			if rep[s] != tc.want[s] {
				t.Errorf("minPx %g: representatives %v, want %v", tc.minPx, rep, tc.want)
				break
			}
		}
		out, split := l.Coalesced(rep)
		if split != 0 {
			t.Errorf("minPx %g: %d groups split back", tc.minPx, split)
		}
		for s, mp := range out {
			if rep[s] != int32(s) {
				if mp != nil {
					t.Errorf("minPx %g: shape %d is not a representative but has an outline", tc.minPx, s)
				}
				continue
			}
			if err := valid.ValidateShape(mp); err != nil {
				t.Errorf("minPx %g: group %d invalid: %v", tc.minPx, s, err)
			}
			want := 0.0
			for u, r := range rep {
				if r == int32(s) {
					want += mpArea(shapes[u])
				}
			}
			if got := mpArea(mp); math.Abs(got-want) > 1e-12 {
				t.Errorf("minPx %g: group %d area %g, want %g", tc.minPx, s, got, want)
			}
		}
	}
}
