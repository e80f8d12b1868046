package matching

import (
	"math"
	"slices"
	"sync"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/fca"
	"github.com/maillage/maillage/matching/internal/par"
	"github.com/maillage/maillage/matching/internal/sphere"
)

// Pairs of grid cells and supply points within reach, the input of 2SFCA
// (access.go). They do not depend on the threshold below the radius they
// were listed for, nor on the demand or the decay: the engine lists them
// once per supply for a radius of at least accessCacheMinutes and keeps
// them, each cell's by distance, so that a new threshold, demand or decay
// only walks the table again, and stops at each cell's first pair beyond
// the threshold.

// accessCacheMinutes is the smallest radius, in minutes under the default
// travel model (23.1 km), the pairs of a supply are listed for: the
// default threshold and every shorter one share one table; a longer
// threshold lists the pairs again for its radius, which then serves every
// shorter one.
const accessCacheMinutes = coverage.DefaultMaxMinutes

// maxAccessEntries bounds the supplies whose pair tables the engine keeps
// (each holds 6 bytes a pair, fca.Table: 3.3 million pairs, 20 MB, for the
// 2021 host structures at 30 minutes).
const maxAccessEntries = 4

// accessCache holds the pair tables of the engine by supply key.
type accessCache struct {
	mu      sync.Mutex
	entries map[string]*accessEntry
	order   []string // keys, oldest first
}

// accessEntry is the pair table of one supply for one radius, built once.
type accessEntry struct {
	once    sync.Once
	radiusM float64
	table   *fca.Table
	err     error // a table that fails its check: a bug, reported not cached
}

// AccessTable returns the cached pair table of the supply key (points
// given) holding every pair within radiusM, building it when the cache has
// none or only for a smaller radius. The second result says whether it was
// cached.
func (e *Engine) AccessTable(key string, points []orb.Point, radiusM float64) (*fca.Table, bool, error) {
	c := &e.access
	c.mu.Lock()
	en := c.entries[key]
	hit := en != nil && en.radiusM >= radiusM
	if !hit {
		listM := max(radiusM, coverage.ReachMinutes(accessCacheMinutes, coverage.TravelModel{}).MaxM)
		en = &accessEntry{radiusM: listM}
		if c.entries == nil {
			c.entries = map[string]*accessEntry{}
		}
		if _, ok := c.entries[key]; !ok {
			c.order = append(c.order, key)
		}
		c.entries[key] = en
		if len(c.order) > maxAccessEntries {
			delete(c.entries, c.order[0])
			c.order = slices.Delete(c.order, 0, 1)
		}
	}
	c.mu.Unlock()
	en.once.Do(func() { en.table, en.err = CellPairs(e.grid, points, en.radiusM, e.workers) })
	if en.err != nil {
		e.ForgetAccessTable(key)
		return nil, false, en.err
	}
	return en.table, hit, nil
}

// ForgetCoverageCache drops the cached nearest-site distances of layer and
// of every union holding it (coverage.Cache.Forget), and its 2SFCA pair
// table, to measure or bound the memory they take (an engine's layers
// never change: a new engine replaces them).
func (e *Engine) ForgetCoverageCache(layer string) {
	e.ForgetAccessTable(AccessLayerKey(layer))
	e.cov.Forget(layer)
}

// ForgetAccessTable drops the pair table of key.
func (e *Engine) ForgetAccessTable(key string) {
	c := &e.access
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, k := range c.order {
		if k == key {
			delete(c.entries, k)
			c.order = slices.Delete(c.order, i, i+1)
			return
		}
	}
}

// AccessLayerKey is the cache key of a layer used as supply; dataset keys
// are their ids, which never start with "layer:".
func AccessLayerKey(layer string) string { return "layer:" + layer }

// CellPairs lists, cell by cell, the supply points within radiusM of each
// grid cell centre with their great-circle distance, each cell's by
// ascending distance. Cells are visited by the grid's groups
// (Grid.Groups): for a group of centre c and angular radius R, only the
// points within radius + R of c can be within radius of one of its cells,
// so each cell checks those candidates alone. A first pass counts the
// pairs of every cell, a second writes them in place: no slice grows.
func CellPairs(g *geo.Grid, points []orb.Point, radiusM float64, workers int) (*fca.Table, error) {
	groups := g.Groups()
	nGroups := len(groups) - 1
	sv := make([]sphere.Vec3, len(points))
	for i, p := range points {
		sv[i] = sphere.UnitVec(p)
	}
	rad := radiusM / geo.EarthRadiusM
	lim2 := sphere.ChordOfAngle(rad)
	start := make([]int32, len(g.Cells)+1)
	const perChunk = 8
	nChunks := (nGroups + perChunk - 1) / perChunk
	// One pass: each chunk of groups (a run of consecutive cells) lists
	// its pairs in cell order, then the runs are laid end to end (the
	// distances are computed once, not counted first and listed after).
	type run struct {
		sup  []int32
		dist []float32
	}
	runs := make([]run, nChunks)
	par.Chunks(workers, nChunks, func(ci int) {
		var vec []sphere.Vec3
		var cand []int32
		var buf []cellPair
		var r run
		for k := ci * perChunk; k < min(nGroups, (ci+1)*perChunk); k++ {
			lo, hi := int(groups[k]), int(groups[k+1])
			vec = groupVectors(g.Centers[lo:hi], vec[:0])
			cand = groupCandidates(vec, sv, rad, cand[:0])
			for i := lo; i < hi; i++ {
				v := vec[i-lo]
				buf = buf[:0]
				for _, s := range cand {
					if d2 := sphere.Chord2(v, sv[s]); d2 <= lim2 {
						buf = append(buf, cellPair{s, float32(chordM(d2))})
					}
				}
				slices.SortFunc(buf, compareCellPairs)
				start[i+1] = int32(len(buf))
				for _, p := range buf {
					r.sup, r.dist = append(r.sup, p.supply), append(r.dist, p.distM)
				}
			}
		}
		runs[ci] = r
	})
	for i := range g.Cells {
		start[i+1] += start[i]
	}
	sup, dist := make([]int32, start[len(g.Cells)]), make([]float32, start[len(g.Cells)])
	off := 0
	for _, r := range runs {
		copy(sup[off:], r.sup)
		copy(dist[off:], r.dist)
		off += len(r.sup)
	}
	return fca.NewTable(start, sup, dist, len(points), true)
}

// cellPair is one pair of a cell being listed.
type cellPair struct {
	supply int32
	distM  float32
}

// compareCellPairs orders pairs by distance, then supply index.
func compareCellPairs(a, b cellPair) int {
	if a.distM != b.distM {
		if a.distM < b.distM {
			return -1
		}
		return 1
	}
	return int(a.supply - b.supply)
}

// groupVectors appends to dst the unit vectors of pts.
func groupVectors(pts []orb.Point, dst []sphere.Vec3) []sphere.Vec3 {
	for _, p := range pts {
		dst = append(dst, sphere.UnitVec(p))
	}
	return dst
}

// groupCandidates appends to dst the supply points (unit vectors sv) that
// may lie within rad radians of one of the vectors vec: those within rad +
// R of their normalised mean, R their largest angle from it.
func groupCandidates(vec []sphere.Vec3, sv []sphere.Vec3, rad float64, dst []int32) []int32 {
	var c sphere.Vec3
	for _, v := range vec {
		c[0], c[1], c[2] = c[0]+v[0], c[1]+v[1], c[2]+v[2]
	}
	if n := math.Sqrt(c[0]*c[0] + c[1]*c[1] + c[2]*c[2]); n > 1e-12 {
		c[0], c[1], c[2] = c[0]/n, c[1]/n, c[2]/n
	} else {
		c = vec[0]
	}
	var r2 float64
	for _, v := range vec {
		r2 = max(r2, sphere.Chord2(c, v))
	}
	gl2 := sphere.ChordOfAngle(rad + sphere.ChordAngle(r2) + sphere.AngleSlack)
	for s := range sv {
		if sphere.Chord2(c, sv[s]) <= gl2 {
			dst = append(dst, int32(s))
		}
	}
	return dst
}

// chordM converts a squared chord (Earth radius 1) to great-circle metres:
// 2 asin(c/2) by its series, exact to far below a millimetre for chords
// under 1/50 (127 km), math.Asin beyond.
func chordM(c2 float64) float64 {
	x := math.Sqrt(c2) / 2
	if x < 0.01 {
		x2 := x * x
		return 2 * geo.EarthRadiusM * x * (1 + x2*(1.0/6+x2*(3.0/40+x2*5.0/112)))
	}
	return geo.EarthRadiusM * sphere.ChordAngle(c2)
}
