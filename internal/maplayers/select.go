package maplayers

import (
	"slices"

	"github.com/paulmach/orb"
)

// Select returns the features of src matching f, ascending, and
// their number; with no filter ids is nil and every feature matches.
func Select(src Source, f Filter) (ids []int, matched int) {
	switch {
	case f.Departement != "":
		ids = src.InDepartement(f.Departement)
		if f.HasBBox {
			ids = slices.DeleteFunc(ids, func(i int) bool {
				b, ok := src.Bound(i)
				return !ok || !BoundsMeet(b, f.BBox)
			})
		}
		if ids == nil {
			ids = []int{}
		}
		return ids, len(ids)
	case f.HasBBox:
		ids = []int{}
		src.Search(f.BBox, func(i int) bool {
			if b, ok := src.Bound(i); ok && BoundsMeet(b, f.BBox) {
				ids = append(ids, i)
			}
			return true
		})
		slices.Sort(ids)
		return ids, len(ids)
	}
	return nil, src.Len()
}

// Page returns the window [offset, offset+limit) of a selection.
func Page(ids []int, matched, limit, offset int) []int {
	lo := min(offset, matched)
	hi := min(matched, lo+limit)
	if ids != nil {
		return ids[lo:hi]
	}
	out := make([]int, hi-lo)
	for k := range out {
		out[k] = lo + k
	}
	return out
}

// BoundsMeet reports whether two boxes intersect, edges included.
func BoundsMeet(a, b orb.Bound) bool {
	return a.Min[0] <= b.Max[0] && a.Max[0] >= b.Min[0] && a.Min[1] <= b.Max[1] && a.Max[1] >= b.Min[1]
}
