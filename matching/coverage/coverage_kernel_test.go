package coverage

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
)

// TestNearestPointsBruteForce compares the grouped candidate search with a
// scan of every site, on random groups of nearby points and random sites
// (some groups far from every site, some sites duplicated).
func TestNearestPointsBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name          string
		sites, groups int
		groupDeg      float64
	}{
		{"dense sites", 500, 200, 0.2},
		{"sparse sites", 12, 100, 0.5},
		{"one site", 1, 50, 1},
		{"wide groups", 300, 20, 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sites := make([]orb.Point, tc.sites)
			for i := range sites {
				sites[i] = orb.Point{-5 + 14*rng.Float64(), 41 + 10*rng.Float64()}
			}
			if len(sites) > 3 {
				sites[3] = sites[2] // a tie: the lower index must win
			}
			var pts []orb.Point
			starts := []int32{0}
			for g := 0; g < tc.groups; g++ {
				c := orb.Point{-8 + 20*rng.Float64(), 38 + 16*rng.Float64()}
				for k := 0; k < 1+rng.IntN(60); k++ {
					pts = append(pts, orb.Point{c[0] + tc.groupDeg*(rng.Float64()-0.5), c[1] + tc.groupDeg*(rng.Float64()-0.5)})
				}
				starts = append(starts, int32(len(pts)))
			}
			dist := make([]float32, len(pts))
			site := make([]int32, len(pts))
			nearestPoints(pts, nil, starts, sites, dist, site, 2)
			for i, p := range pts {
				best, bd := -1, math.Inf(1)
				for s, q := range sites {
					if d := geo.DistanceM(p, q); d < bd {
						best, bd = s, d
					}
				}
				if math.Abs(float64(dist[i])-bd) > 1e-3*math.Max(1, bd/1e4) {
					t.Fatalf("point %d %v: %.3f m to site %d, brute force %.3f m to site %d", i, p, dist[i], site[i], bd, best)
				}
				if got := geo.DistanceM(p, sites[site[i]]); math.Abs(got-bd) > 1e-6 {
					t.Fatalf("point %d: site %d at %.6f m, brute force %d at %.6f m", i, site[i], got, best, bd)
				}
			}
		})
	}
}
