package coverage

import (
	"math"
	"sync"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/matching/internal/par"
	"github.com/maillage/maillage/matching/internal/sphere"
)

// chunkSize is the number of items a worker takes at a time in element-wise
// parallel loops.
const chunkSize = 1 << 14

// nearestPoints finds, for every point, its nearest site and writes the
// great-circle distance (geo.DistanceM) and site index to dist and site.
// Points are visited in groups of nearby points: group k is
// points[order[starts[k]:starts[k+1]]] (order nil means the identity).
//
// For each group, with c its normalised mean direction and R its angular
// radius around c, let d0 be the distance from c to its nearest site. Every
// point of the group has a site within R + d0, and by the triangle inequality
// a site farther than d0 + 2R from c is farther than that from every point of
// the group; only sites within d0 + 2R of c are candidates. Each point then
// scans its candidates by chord, so the result equals a brute-force scan
// (ties to the lowest site index).
func nearestPoints(points []orb.Point, order, starts []int32, sites []orb.Point, dist []float32, site []int32, workers int) {
	if len(sites) == 0 || len(starts) < 2 {
		return
	}
	sv := make([]sphere.Vec3, len(sites))
	for i, p := range sites {
		sv[i] = sphere.UnitVec(p)
	}
	groups := len(starts) - 1
	perChunk := 16
	var pool sync.Pool
	pool.New = func() any {
		return &nearestScratch{s2: make([]float64, len(sites))}
	}
	par.Chunks(workers, (groups+perChunk-1)/perChunk, func(c int) {
		w := pool.Get().(*nearestScratch)
		for k := c * perChunk; k < min(groups, (c+1)*perChunk); k++ {
			w.group(points, order, int(starts[k]), int(starts[k+1]), sites, sv, dist, site)
		}
		pool.Put(w)
	})
}

// nearestScratch is one worker's reusable buffers.
type nearestScratch struct {
	vec  []sphere.Vec3
	s2   []float64 // squared chord from the group centre to every site
	cand []int32
}

func (w *nearestScratch) group(points []orb.Point, order []int32, lo, hi int, sites []orb.Point, sv []sphere.Vec3, dist []float32, site []int32) {
	idx := func(k int) int {
		if order == nil {
			return k
		}
		return int(order[k])
	}
	w.vec = w.vec[:0]
	var c sphere.Vec3
	for k := lo; k < hi; k++ {
		v := sphere.UnitVec(points[idx(k)])
		w.vec = append(w.vec, v)
		c[0], c[1], c[2] = c[0]+v[0], c[1]+v[1], c[2]+v[2]
	}
	if n := math.Sqrt(c[0]*c[0] + c[1]*c[1] + c[2]*c[2]); n > 1e-12 {
		c[0], c[1], c[2] = c[0]/n, c[1]/n, c[2]/n
	} else {
		c = w.vec[0]
	}
	var r2 float64
	for _, v := range w.vec {
		r2 = math.Max(r2, sphere.Chord2(c, v))
	}
	best := math.Inf(1)
	for s := range sv {
		d2 := sphere.Chord2(c, sv[s])
		w.s2[s] = d2
		best = math.Min(best, d2)
	}
	limit := sphere.ChordAngle(best) + 2*sphere.ChordAngle(r2) + sphere.AngleSlack
	w.cand = w.cand[:0]
	if limit >= math.Pi {
		for s := range sv {
			w.cand = append(w.cand, int32(s))
		}
	} else {
		l := 2 * math.Sin(limit/2)
		l2 := l * l
		for s, d2 := range w.s2 {
			if d2 <= l2 {
				w.cand = append(w.cand, int32(s))
			}
		}
	}
	for k := lo; k < hi; k++ {
		v := w.vec[k-lo]
		bs, bd := int32(-1), math.Inf(1)
		for _, s := range w.cand {
			if d2 := sphere.Chord2(v, sv[s]); d2 < bd {
				bs, bd = s, d2
			}
		}
		i := idx(k)
		site[i] = bs
		dist[i] = float32(geo.DistanceM(points[i], sites[bs]))
	}
}
