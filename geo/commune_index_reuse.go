package geo

import "github.com/paulmach/orb"

// NewCommuneIndexReusing is NewCommuneIndex for shapes that mostly are
// those of prev (a reload of the communes where a few changed): a ring that
// is the very same array as one of prev's keeps prev's edge buckets, which
// depend only on the ring; the rest (the tree, the point grid, new rings)
// is built as NewCommuneIndex does, so the index is the one it would build.
// It returns how many rings were taken from prev. prev is only read: its
// buckets are shared, never modified.
func NewCommuneIndexReusing(shapes []orb.MultiPolygon, prev *CommuneIndex) (*CommuneIndex, int) {
	if prev == nil {
		return NewCommuneIndex(shapes), 0
	}
	byStart := make(map[*orb.Point]int32, len(prev.rings))
	for i := range prev.rings {
		if r := prev.rings[i].pts; len(r) > 0 {
			byStart[&r[0]] = int32(i)
		}
	}
	taken := 0
	ix := newCommuneIndex(shapes, func(r orb.Ring) indexedRing {
		if i, ok := byStart[&r[0]]; ok && len(prev.rings[i].pts) == len(r) {
			taken++
			return prev.rings[i]
		}
		return newIndexedRing(r)
	})
	return ix, taken
}
