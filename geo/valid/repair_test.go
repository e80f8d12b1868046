package valid

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestRepairGridShape(t *testing.T) {
	// Commune 01404 in tile 5/16/11 once rounded to the grid: its ring
	// folds over itself near (1989, 1480).
	folded := orb.MultiPolygon{{{{1974, 1510}, {1989, 1481}, {1989, 1480}, {1988, 1501}, {1979, 1512}, {1974, 1510}}}}
	square := orb.MultiPolygon{{{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}}}
	tests := []struct {
		name string
		in   orb.MultiPolygon
		want int // points of the first ring, 0 for nil
	}{
		{"valid kept", square, 5},
		{"fold loses one vertex", folded, 5},
		{"bow tie loses a vertex", orb.MultiPolygon{{{{0, 0}, {1, 1}, {0, 1}, {1, 0}, {0, 0}}}}, 4},
		{"pentagram dropped", orb.MultiPolygon{{{{0, 3}, {2, -3}, {-3, 1}, {3, 1}, {-2, -3}, {0, 3}}}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ValidateShape(tt.in) == nil && tt.name != "valid kept" {
				t.Fatal("the fixture is valid: it does not tell")
			}
			var v ShapeValidator
			got := v.RepairGridShape(tt.in)
			n := 0
			if got != nil {
				n = len(got[0][0])
				if err := ValidateShape(got); err != nil {
					t.Fatalf("repaired shape invalid: %v", err)
				}
			}
			if n != tt.want {
				t.Errorf("got %v, want a ring of %d points", got, tt.want)
			}
		})
	}
}
