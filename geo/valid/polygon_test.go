package valid

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/paulmach/orb"
)

func TestValidatePolygon(t *testing.T) {
	square := orb.Ring{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}
	hole := orb.Ring{{2, 2}, {2, 4}, {4, 4}, {4, 2}, {2, 2}}
	cases := []struct {
		name string
		p    orb.Polygon
		want error
	}{
		{"square", orb.Polygon{square}, nil},
		{"square with hole", orb.Polygon{square, hole}, nil},
		{"triangle", orb.Polygon{{{0, 0}, {1, 0}, {0, 1}, {0, 0}}}, nil},
		{"clockwise exterior", orb.Polygon{{{0, 0}, {0, 10}, {10, 10}, {10, 0}, {0, 0}}}, ErrRingWinding},
		{"counter-clockwise hole", orb.Polygon{square, {{2, 2}, {4, 2}, {4, 4}, {2, 4}, {2, 2}}}, ErrRingWinding},
		{"open", orb.Polygon{{{0, 0}, {10, 0}, {10, 10}, {0, 10}}}, ErrRingOpen},
		{"short", orb.Polygon{{{0, 0}, {10, 0}, {0, 0}}}, ErrRingShort},
		{"flat", orb.Polygon{{{0, 0}, {5, 0}, {10, 0}, {0, 0}}}, ErrRingEmpty},
		{"no rings", orb.Polygon{}, ErrRingShort},
		{"bow tie", orb.Polygon{{{0, 0}, {10, 10}, {10, 0}, {0, 10}, {0, 0}}}, ErrRingEmpty},
		{"crossing", orb.Polygon{{{0, 0}, {10, 0}, {10, 10}, {4, -2}, {0, 10}, {0, 0}}}, ErrRingsMeet},
		{"spike", orb.Polygon{{{0, 0}, {10, 0}, {10, 10}, {5, 10}, {5, 15}, {5, 10}, {0, 10}, {0, 0}}}, ErrRingsMeet},
		{"pinch at a vertex", orb.Polygon{{{0, 0}, {10, 0}, {5, 5}, {10, 10}, {0, 10}, {5, 5}, {0, 0}}}, ErrRingsMeet},
		{"hole crossing exterior", orb.Polygon{square, {{8, 2}, {8, 4}, {12, 4}, {12, 2}, {8, 2}}}, ErrRingsMeet},
		{"hole touching exterior", orb.Polygon{square, {{0, 2}, {2, 4}, {2, 2}, {0, 2}}}, ErrRingsMeet},
		{"hole outside", orb.Polygon{square, {{12, 2}, {12, 4}, {14, 4}, {14, 2}, {12, 2}}}, ErrHoleOutside},
		{"hole in hole", orb.Polygon{square, {{1, 1}, {1, 9}, {9, 9}, {9, 1}, {1, 1}}, hole}, ErrHoleOutside},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ValidatePolygon(c.p)
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("ValidatePolygon = %v, want %v", err, c.want)
			}
		})
	}
}

// bruteMeet checks every pair of edges of r, as checkEdges should.
func bruteMeet(r orb.Ring) bool {
	n := len(r) - 1
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			a, b, c, d := r[i], r[i+1], r[j], r[j+1]
			switch {
			case j == i+1:
				if Backtracks(a, b, d) {
					return true
				}
			case i == 0 && j == n-1:
				if Backtracks(c, d, b) {
					return true
				}
			default:
				if SegmentsMeet(a, b, c, d) {
					return true
				}
			}
		}
	}
	return false
}

// TestCheckEdgesBruteForce compares the sweep with the O(n²) check on
// random rings, most of them self-intersecting, on a coarse grid so that
// touching and collinear edges happen.
func TestCheckEdgesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	meets := 0
	for it := 0; it < 3000; it++ {
		n := 3 + rng.Intn(12)
		r := make(orb.Ring, 0, n+1)
		for len(r) < n {
			p := orb.Point{float64(rng.Intn(8)), float64(rng.Intn(8))}
			if len(r) > 0 && r[len(r)-1] == p {
				continue
			}
			r = append(r, p)
		}
		if r[0] == r[len(r)-1] {
			continue
		}
		r = append(r, r[0])
		want := bruteMeet(r)
		got := checkEdges(orb.Polygon{r}, len(r)-1) != nil
		if got != want {
			t.Fatalf("ring %v: sweep says meet=%v, brute force %v", r, got, want)
		}
		if want {
			meets++
		}
	}
	if meets == 0 || meets == 3000 {
		t.Fatalf("degenerate sample: %d of 3000 rings meet themselves", meets)
	}
}
