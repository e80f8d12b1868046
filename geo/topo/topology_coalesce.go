package topo

import (
	"cmp"
	"math"
	"slices"

	"github.com/maillage/maillage/geo/valid"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Coalesce merges the shapes too small to be seen at this level into a
// neighbour of the same class, as tippecanoe's coalescing does for
// low-zoom tiles: a shape whose group covers less than minPx squares of
// the level's tolerance (one pixel of the map it was simplified for, see
// ZoomToleranceDeg) joins the neighbour group of the same class with which
// it shares the longest border, smallest shapes first. class[s] < 0 keeps
// shape s on its own; shapes of different classes never merge, so a map
// coloured by class looks the same.
//
// It returns, per shape, the representative of its group: the group's
// largest shape, itself for a shape left alone. Groups(rep, len(rep))
// gives the merged outlines (Coalesced).
func (l *TopoLevel) Coalesce(class []int32, minPx float64) []int32 {
	n := len(l.topo.shapes)
	area := make([]float64, n) // in squared tolerances, Mercator-like (divided by cos φ)
	tol2 := l.TolDeg * l.TolDeg
	for s := range n {
		if tol2 == 0 {
			break
		}
		mp := l.Shape(s)
		if len(mp) == 0 {
			continue
		}
		c := mp.Bound().Center()
		area[s] = planar.Area(mp) / tol2 / math.Max(math.Cos(c[1]*math.Pi/180), 0.01)
	}
	parent := make([]int32, n) // union-find; a root is its group's largest shape
	groupArea := slices.Clone(area)
	for s := range parent {
		parent[s] = int32(s)
	}
	find := func(s int32) int32 {
		for parent[s] != s {
			parent[s] = parent[parent[s]]
			s = parent[s]
		}
		return s
	}
	order := make([]int32, n)
	for s := range order {
		order[s] = int32(s)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(area[a], area[b]) })
	border := map[int32]float64{}
	var buf []orb.Point // an arc as read, decoded
	for _, s := range order {
		g := find(s)
		if int(s) >= len(class) || class[s] < 0 || groupArea[g] >= minPx {
			continue
		}
		clear(border)
		for _, poly := range l.topo.shapes[s] {
			for _, r := range poly {
				for _, ref := range r.arcs {
					i, _ := ref.index()
					buf = l.topo.packed.line(buf[:0], i)
					length := planar.Length(orb.LineString(buf))
					for _, u := range l.topo.uses[i] {
						if int(u) >= len(class) || class[u] != class[s] {
							continue
						}
						if h := find(u); h != g {
							border[h] += length
						}
					}
				}
			}
		}
		best, bestLen := int32(-1), 0.0
		for h, length := range border {
			if length > bestLen || (length == bestLen && h < best) {
				best, bestLen = h, length
			}
		}
		if best < 0 {
			continue
		}
		root, other := best, g
		if area[g] > area[best] || (area[g] == area[best] && g < best) {
			root, other = g, best
		}
		parent[other] = root
		groupArea[root] += groupArea[other]
	}
	rep := make([]int32, n)
	for s := range rep {
		rep[s] = find(int32(s))
	}
	return rep
}

// Coalesced returns the outline of each group of Coalesce's answer rep,
// indexed by representative (nil for the other shapes): the groups'
// shapes assembled from this level's arcs, as Groups does, a shape alone
// keeping its own. A group whose assembled outline is not valid (its
// outline touches itself away from a junction) is split back into its
// shapes, each its own representative again: rep is updated in place,
// and the number of groups split back is returned.
func (l *TopoLevel) Coalesced(rep []int32) ([]orb.MultiPolygon, int) {
	groupOf := make([]int, len(rep))
	size := make([]int32, len(rep))
	for s, r := range rep {
		groupOf[s] = int(r)
		size[r]++
	}
	for s, r := range rep {
		if size[r] == 1 {
			groupOf[s] = -1 // alone: its own shape, not re-assembled
		}
	}
	out := l.Groups(groupOf, len(rep))
	var v valid.ShapeValidator
	split := 0
	for r, mp := range out {
		if size[r] == 1 {
			out[r] = l.Shape(r)
			continue
		}
		if mp == nil || v.Validate(mp) == nil {
			continue
		}
		split++
		for s := range rep {
			if rep[s] == int32(r) {
				rep[s] = int32(s)
				out[s] = l.Shape(s)
			}
		}
	}
	return out, split
}
