package siteindex

import (
	"github.com/maillage/maillage/geo"
	"github.com/paulmach/orb"
)

// WithinUnsorted is Within without the final sort: it appends to dst[:0]
// every point whose great-circle distance from p is at most radiusM, in the
// index's own order (the same for the same index and query), and returns
// it. Callers that order the points their own way (matching's assignment
// graph) save the sort, about half the cost of a 30 km query.
func (ix *Index) WithinUnsorted(p orb.Point, radiusM float64, dst []Neighbor) []Neighbor {
	dst = dst[:0]
	if !(radiusM >= 0) || len(ix.pts) == 0 {
		return dst
	}
	b := geo.BoundAround(p, radiusM)
	q := ix.getQuery(p)
	q.dst, q.radiusM = dst, radiusM
	c := chordOfM(radiusM) + chordSlack
	q.stop = c * c
	ix.tree.Search(b.Min, b.Max, q.within)
	dst = q.dst
	q.dst = nil
	ix.pool.Put(q)
	return dst
}

// ChordToleranceM bounds, up to 1,000 km, the difference between the
// distances WithinChordUnsorted reports and geo.DistanceM, and how far
// beyond the radius its extra points lie: 0.1 mm, orders of magnitude
// above both formulas' rounding errors (about a nanometre).
const ChordToleranceM = 1e-4

// WithinChordUnsorted is WithinUnsorted with each distance taken from the
// chord between the unit vectors the index holds (2R·asin(c/2)) rather
// than the haversine: a square root and an arcsine per point instead of
// two sines, two cosines, a square root and an arcsine. The distances are
// within ChordToleranceM of geo.DistanceM, and the result holds every point
// WithinUnsorted returns plus, possibly, points less than ChordToleranceM
// beyond radiusM. Callers needing geo.DistanceM's exact value (matching
// rounds it to the metre) compute it only where the two could differ.
func (ix *Index) WithinChordUnsorted(p orb.Point, radiusM float64, dst []Neighbor) []Neighbor {
	dst = dst[:0]
	if !(radiusM >= 0) || len(ix.pts) == 0 {
		return dst
	}
	b := geo.BoundAround(p, radiusM)
	q := ix.getQuery(p)
	q.dst = dst
	c := chordOfM(radiusM) + chordSlack
	q.stop = c * c
	ix.tree.Search(b.Min, b.Max, q.withinChord)
	dst = q.dst
	q.dst = nil
	ix.pool.Put(q)
	return dst
}
