package siteindex

import (
	"cmp"
	"math"
	"slices"
	"sync"

	"github.com/maillage/maillage/geo"
	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Neighbor is one result of an Index query: the id of a point and its
// great-circle distance from the query point.
type Neighbor struct {
	ID        int     `json:"id"`
	DistanceM float64 `json:"distance_m"`
}

// Index answers exact great-circle k-nearest and radius queries over a
// fixed set of lon/lat points (service sites). Ids are indexes in the slice
// given to New.
//
// The points sit in an R-tree. Nearest takes a radius sure to hold the k
// nearest points from seed cells (seeds.go: the sites nearest to the
// centre of the query's cell, whose k-th distance from the query bounds its
// k-th nearest), searches the lon/lat box holding that circle (geo.BoundAround)
// and ranks the points found by their chord on the unit sphere (a strictly
// increasing function of the great-circle distance, from precomputed unit
// vectors). Queries outside every seed cell try growing boxes, then fall
// back to a best-first walk of the tree (rtree.Nearby) that orders boxes by
// an exact lower bound of their great-circle distance, not by the planar
// degree distance rtree uses by default, which ranks neighbours wrongly away
// from the equator. The walk is only a fallback because Nearby pushes every
// child of every visited node on a heap: about 5 µs per query on 2,800
// sites, against well under 1 µs for a box search.
//
// Reported distances are geo.DistanceM (haversine) and ties are broken by id, so
// results equal a brute-force scan sorted by (DistanceM, id).
//
// A Index is safe for concurrent use by several goroutines.
type Index struct {
	tree  rtree.RTreeG[int32]
	pts   []orb.Point
	vec   [][3]float64 // unit vector of each point
	cos   []float64    // cosine of each point's latitude, for geo.DistanceMCos
	seedM float64      // first search radius for k = 1 without seeds, from the sites' spacing

	seeds [len(seedLevels)]seedGrid // seeds.go
	seedK int                       // ids per seed cell: min(seedK, number of points)
	pool  sync.Pool                 // *siteQuery
}

// chordSlack is added to the chord (in Earth radii) of the k-th candidate
// before deciding a point cannot be in the result: it absorbs the rounding
// differences between the chord used for ranking and the haversine used for
// reporting (6 µm on the ground, far above both rounding errors).
const chordSlack = 1e-12

// boxRounds is how many box searches Nearest tries before walking the tree.
const boxRounds = 3

// New indexes points; the id of a point is its index in points. The
// index keeps points (it does not copy it): do not modify it afterwards.
func New(points []orb.Point) *Index {
	ix := &Index{pts: points, vec: make([][3]float64, len(points)), cos: make([]float64, len(points))}
	for i, p := range points {
		ix.vec[i] = geo.UnitVector(p)
		ix.cos[i] = math.Cos(p[1] * degToRad)
		ix.tree.Insert(p, p, int32(i))
	}
	ix.pool.New = func() any {
		q := &siteQuery{ix: ix}
		q.distFn = q.dist
		q.iterK = q.collectK
		q.iter1 = q.collect1
		q.boxK = q.boxCollectK
		q.box1 = q.boxCollect1
		q.within = q.withinFn
		q.withinChord = q.withinChordFn
		return q
	}
	ix.seedM = ix.spacingM()
	ix.buildSeeds()
	return ix
}

// spacingM returns the median distance from a site to its nearest other
// site, over a sample of at most 256 sites (at least 100 m): the first radius
// Nearest tries.
func (ix *Index) spacingM() float64 {
	n := len(ix.pts)
	if n < 2 {
		return 10000
	}
	step := max(1, n/256)
	var ds []float64
	buf := make([]Neighbor, 0, 8)
	for i := 0; i < n; i += step {
		buf = ix.walkNearest(ix.pts[i], 2, buf)
		ds = append(ds, buf[len(buf)-1].DistanceM)
	}
	slices.Sort(ds)
	return max(ds[len(ds)/2], 100)
}

// Len returns the number of indexed points.
func (ix *Index) Len() int { return len(ix.pts) }

// Point returns the point of id.
func (ix *Index) Point(id int) orb.Point { return ix.pts[id] }

// Nearest appends to dst[:0] the k points nearest to p, ordered by
// great-circle distance then id, and returns it. Fewer than k are returned
// when the index holds fewer points; none when k <= 0.
func (ix *Index) Nearest(p orb.Point, k int, dst []Neighbor) []Neighbor {
	dst = dst[:0]
	if k <= 0 || len(ix.pts) == 0 {
		return dst
	}
	k = min(k, len(ix.pts))
	q := ix.getQuery(p)
	q.dst = dst
	done := false
	r, ok := ix.seedRadius(q, k)
	if !ok {
		r = ix.seedM * math.Sqrt(float64(k))
	}
	for round := 0; round < boxRounds && !done; round++ {
		q.dst = q.dst[:0]
		b := geo.BoundAround(p, r)
		ix.tree.Search(b.Min, b.Max, q.boxK)
		// Keep the points inside the radius, less the slack: every point
		// within the slack of them is inside the radius, hence in the box.
		c := chordOfM(r) - chordSlack
		c2 := c * c
		in := 0
		for _, nb := range q.dst {
			if nb.DistanceM <= c2 {
				in++
			}
		}
		switch {
		case in >= k:
			done = true
		case len(q.dst) >= k:
			// The k-th chord in the box bounds the k-th nearest: one more
			// round with that radius is the last.
			r = mOfChord2(selectKth(q.dst, k))*(1+1e-9) + 1e-3
		default:
			r *= 4
		}
	}
	dst = q.dst
	q.dst = nil
	ix.pool.Put(q)
	if !done {
		return ix.walkNearest(p, k, dst)
	}
	return finishNearest(ix, p, k, dst)
}

// walkNearest is Nearest by a best-first walk of the whole tree.
func (ix *Index) walkNearest(p orb.Point, k int, dst []Neighbor) []Neighbor {
	q := ix.getQuery(p)
	q.k, q.dst = k, dst[:0]
	ix.tree.Nearby(q.distFn, q.iterK)
	dst = q.dst
	q.dst = nil
	ix.pool.Put(q)
	return finishNearest(ix, p, k, dst)
}

// finishNearest turns candidates holding squared chords into the result:
// it keeps those within the slack of the k-th chord, measures them in
// haversine metres, sorts them by (distance, id) and keeps k.
func finishNearest(ix *Index, p orb.Point, k int, dst []Neighbor) []Neighbor {
	if len(dst) > k {
		c := math.Sqrt(selectKth(dst, k)) + chordSlack
		n := 0
		for _, nb := range dst {
			if nb.DistanceM <= c*c {
				dst[n] = nb
				n++
			}
		}
		dst = dst[:n]
	}
	for i := range dst {
		dst[i].DistanceM = geo.DistanceM(p, ix.pts[dst[i].ID])
	}
	slices.SortFunc(dst, compareNeighbors)
	return dst[:min(k, len(dst))]
}

// selectKth returns the k-th smallest DistanceM of s (1 <= k <= len(s)),
// reordering s (quickselect, median-of-three pivots).
func selectKth(s []Neighbor, k int) float64 {
	lo, hi, want := 0, len(s)-1, k-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		a, b, c := s[lo].DistanceM, s[mid].DistanceM, s[hi].DistanceM
		pivot := max(min(a, b), min(max(a, b), c))
		i, j := lo, hi
		for i <= j {
			for s[i].DistanceM < pivot {
				i++
			}
			for s[j].DistanceM > pivot {
				j--
			}
			if i <= j {
				s[i], s[j] = s[j], s[i]
				i++
				j--
			}
		}
		switch {
		case want <= j:
			hi = j
		case want >= i:
			lo = i
		default:
			return s[want].DistanceM
		}
	}
	return s[want].DistanceM
}

// Nearest1 returns the point nearest to p and its great-circle distance (ties
// broken by the lowest id); ok is false when the index is empty. It does not
// allocate.
func (ix *Index) Nearest1(p orb.Point) (id int, distM float64, ok bool) {
	if len(ix.pts) == 0 {
		return 0, 0, false
	}
	q := ix.getQuery(p)
	done := false
	r, ok := ix.seedRadius(q, 1)
	if !ok {
		r = ix.seedM
	}
	for round := 0; round < boxRounds && !done; round++ {
		q.best, q.bestC2 = -1, math.Inf(1)
		b := geo.BoundAround(p, r)
		ix.tree.Search(b.Min, b.Max, q.box1)
		c := chordOfM(r) - chordSlack
		switch {
		case q.bestC2 <= c*c:
			done = true
		case q.best >= 0:
			r = mOfChord2(q.bestC2)*(1+1e-9) + 1e-3
		default:
			r *= 4
		}
	}
	if !done {
		ix.walkNearest1(q)
	}
	id = int(q.best)
	ix.pool.Put(q)
	return id, geo.DistanceM(p, ix.pts[id]), true
}

// walkNearest1 sets q.best to the point nearest to q.p by a best-first walk
// of the whole tree.
func (ix *Index) walkNearest1(q *siteQuery) {
	q.best, q.bestM, q.stop = -1, math.Inf(1), math.Inf(1)
	ix.tree.Nearby(q.distFn, q.iter1)
}

// Within appends to dst[:0] every point whose great-circle distance from p is
// at most radiusM, sorted by distance then id, and returns it.
func (ix *Index) Within(p orb.Point, radiusM float64, dst []Neighbor) []Neighbor {
	dst = ix.WithinUnsorted(p, radiusM, dst)
	slices.SortFunc(dst, compareNeighbors)
	return dst
}

func compareNeighbors(a, b Neighbor) int {
	if c := cmp.Compare(a.DistanceM, b.DistanceM); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

func (ix *Index) getQuery(p orb.Point) *siteQuery {
	q := ix.pool.Get().(*siteQuery)
	q.p = p
	q.pv = geo.UnitVector(p)
	q.cosLat = math.Cos(p[1] * degToRad)
	q.stop = math.Inf(1)
	return q
}

// siteQuery is the per-query state of a Index search. It is pooled, and
// its method values are bound once, so that queries do not allocate.
type siteQuery struct {
	ix     *Index
	p      orb.Point
	pv     [3]float64 // unit vector of p
	cosLat float64

	stop float64 // squared chord beyond which a point is not wanted

	k       int
	dst     []Neighbor // candidates; DistanceM holds squared chords until finishNearest
	radiusM float64

	best   int32
	bestC2 float64 // squared chord of best (box search)
	bestM  float64 // haversine distance of best (walk), +Inf while not computed

	distFn func(lo, hi [2]float64, id int32, item bool) float64
	iterK  func(lo, hi [2]float64, id int32, dist float64) bool
	iter1  func(lo, hi [2]float64, id int32, dist float64) bool
	boxK   func(lo, hi [2]float64, id int32) bool
	box1   func(lo, hi [2]float64, id int32) bool
	within func(lo, hi [2]float64, id int32) bool

	withinChord func(lo, hi [2]float64, id int32) bool
}

// chord2 returns the squared chord between p and point id.
func (q *siteQuery) chord2(id int32) float64 {
	v := &q.ix.vec[id]
	dx, dy, dz := v[0]-q.pv[0], v[1]-q.pv[1], v[2]-q.pv[2]
	return dx*dx + dy*dy + dz*dz
}

// boxCollectK records every point of a box search with its squared chord.
func (q *siteQuery) boxCollectK(_, _ [2]float64, id int32) bool {
	q.dst = append(q.dst, Neighbor{ID: int(id), DistanceM: q.chord2(id)})
	return true
}

// boxCollect1 keeps the nearest point of a box search. Chords within the
// slack of each other are compared in haversine metres, then by id.
func (q *siteQuery) boxCollect1(_, _ [2]float64, id int32) bool {
	c2 := q.chord2(id)
	if q.best < 0 {
		q.best, q.bestC2 = id, c2
		return true
	}
	c := math.Sqrt(q.bestC2)
	tol := 2*c*chordSlack + chordSlack*chordSlack
	switch {
	case c2 < q.bestC2-tol:
		q.best, q.bestC2 = id, c2
	case c2 <= q.bestC2+tol:
		m, bm := geo.DistanceM(q.p, q.ix.pts[id]), geo.DistanceM(q.p, q.ix.pts[q.best])
		if m < bm || (m == bm && id < q.best) {
			q.best, q.bestC2 = id, math.Min(c2, q.bestC2)
		}
	}
	return true
}

// dist is the rtree.Nearby distance: the squared chord (in Earth radii) to a
// point, and a lower bound of it for a box.
func (q *siteQuery) dist(lo, hi [2]float64, id int32, item bool) float64 {
	if item {
		return q.chord2(id)
	}
	return boxChord2LowerBound(q.p, q.cosLat, lo, hi)
}

// collectK gathers candidates for walkNearest: the first k points met, then
// any point within chordSlack of the k-th (possible ties once in metres).
func (q *siteQuery) collectK(_, _ [2]float64, id int32, d float64) bool {
	if d > q.stop {
		return false
	}
	q.dst = append(q.dst, Neighbor{ID: int(id), DistanceM: d})
	if len(q.dst) == q.k {
		c := math.Sqrt(d) + chordSlack
		q.stop = c * c
	}
	return true
}

// collect1 keeps the nearest point for the walk of Nearest1, comparing
// near-ties in haversine metres then by id.
func (q *siteQuery) collect1(_, _ [2]float64, id int32, d float64) bool {
	if d > q.stop {
		return false
	}
	if q.best < 0 {
		q.best = id
		c := math.Sqrt(d) + chordSlack
		q.stop = c * c
		return true
	}
	if math.IsInf(q.bestM, 1) {
		q.bestM = geo.DistanceM(q.p, q.ix.pts[q.best])
	}
	m := geo.DistanceM(q.p, q.ix.pts[id])
	if m < q.bestM || (m == q.bestM && id < q.best) {
		q.best, q.bestM = id, m
	}
	return true
}

// withinFn records the points of a Within box inside the radius; the chord
// test (q.stop) spares the haversine for the box's corners.
func (q *siteQuery) withinFn(_, _ [2]float64, id int32) bool {
	if q.chord2(id) > q.stop {
		return true
	}
	if d := geo.DistanceMCos(q.p, q.ix.pts[id], q.cosLat, q.ix.cos[id]); d <= q.radiusM {
		q.dst = append(q.dst, Neighbor{ID: int(id), DistanceM: d})
	}
	return true
}

// withinChordFn records the points of a WithinChordUnsorted box inside the
// radius's chord (with its slack), at their chord distance.
func (q *siteQuery) withinChordFn(_, _ [2]float64, id int32) bool {
	if c2 := q.chord2(id); c2 <= q.stop {
		q.dst = append(q.dst, Neighbor{ID: int(id), DistanceM: mOfChord2Near(c2)})
	}
	return true
}
