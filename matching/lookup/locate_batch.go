package lookup

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/internal/par"
)

// batchChunk is the number of points a worker takes at a time in batch
// lookups.
const batchChunk = 2048

// CommunesAt returns, for every point, the commune containing it
// (Territory.At, the rule of GET /v1/communes/at), nil when none, in the
// order of points, on the engine's workers. Points are looked up in
// spatial order (spatialOrder), so that consecutive lookups read the same
// boundaries from the CPU caches.
func CommunesAt(e *matching.Engine, points []orb.Point) []*data.Commune {
	out := make([]*data.Commune, len(points))
	order := spatialOrder(points)
	par.Chunks(e.Workers(), (len(points)+batchChunk-1)/batchChunk, func(c int) {
		for _, i := range order[c*batchChunk : min(len(points), (c+1)*batchChunk)] {
			if com, ok := e.Territory().At(points[i]); ok {
				out[i] = com
			}
		}
	})
	return out
}

// NearestSitesEach returns NearestSites(p, k, layers) for every point, in
// the order of points, on the engine's workers, looked up in spatial order.
func NearestSitesEach(e *matching.Engine, points []orb.Point, k int, layers []string) [][]SiteHit {
	out := make([][]SiteHit, len(points))
	order := spatialOrder(points)
	par.Chunks(e.Workers(), (len(points)+batchChunk-1)/batchChunk, func(c int) {
		for _, i := range order[c*batchChunk : min(len(points), (c+1)*batchChunk)] {
			out[i] = NearestSites(e, points[i], k, layers)
		}
	})
	return out
}

// spatialTileDeg is the side of the tiles spatialOrder groups points by
// (about 1 km).
const spatialTileDeg = 0.01

// spatialOrder returns the indexes of points sorted by the Z-order (Morton)
// key of their lon/lat tile: nearby points come together.
func spatialOrder(points []orb.Point) []int32 {
	type keyed struct {
		key uint64
		i   int32
	}
	ks := make([]keyed, len(points))
	for i, p := range points {
		x := uint32(math.Floor((p[0] + 180) / spatialTileDeg))
		y := uint32(math.Floor((p[1] + 90) / spatialTileDeg))
		ks[i] = keyed{interleave(x) | interleave(y)<<1, int32(i)}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return cmp.Compare(a.key, b.key) })
	order := make([]int32, len(points))
	for k, kv := range ks {
		order[k] = kv.i
	}
	return order
}

// interleave spreads the bits of v over the even bits of a uint64.
func interleave(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	x = (x | x<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	return x
}
