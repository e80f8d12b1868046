package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	h3 "github.com/uber/h3-go/v4"
)

// vertexQuantumDeg is the snapping step used to recognise the same H3 vertex
// computed from two neighbouring cells (they differ by ~1e-13°). Distinct
// vertices are at least ~0.5 m (5e-6°) apart even at res 15.
const vertexQuantumDeg = 1e-8

// CellsOutline returns the outline of a set of cells as lon/lat polygons:
// one polygon per connected group, with a counter-clockwise exterior ring
// and a clockwise ring per hole, all closed. Duplicate cells are ignored.
// (h3-go v4.1.0 does not implement CellsToMultiPolygon: the outline is
// traced here from the cell edges that are not shared by two cells.) Cells
// must not cross the antimeridian.
func CellsOutline(cells []h3.Cell) orb.MultiPolygon {
	set := slices.Clone(cells)
	slices.Sort(set)
	set = slices.Compact(set)
	if len(set) == 0 {
		return nil
	}
	vs := newVertexSet(len(set) * 3)
	type edge struct{ from, to int32 }
	var edges []edge
	count := map[[2]int32]int{}
	for _, c := range set {
		b := h3.CellToBoundary(c)
		first := vs.id(b[0])
		prev := first
		for i := 1; i <= len(b); i++ {
			cur := first
			if i < len(b) {
				cur = vs.id(b[i])
			}
			edges = append(edges, edge{prev, cur})
			count[[2]int32{min(prev, cur), max(prev, cur)}]++
			prev = cur
		}
	}
	// Edges met once are on the outline; at each outline vertex exactly one
	// outline edge leaves (three cells meet at every H3 vertex).
	next := map[int32]int32{}
	for _, e := range edges {
		if count[[2]int32{min(e.from, e.to), max(e.from, e.to)}] == 1 {
			next[e.from] = e.to
		}
	}
	starts := make([]int32, len(edges))
	for i, e := range edges {
		starts[i] = e.from
	}
	return AssembleRings(next, starts, vs.pts)
}

// AssembleRings chains directed outline edges (next[v] is the vertex after
// v; starts lists vertices to start from, in order) into closed rings over
// pts and groups them into polygons: counter-clockwise rings are exteriors,
// clockwise ones holes of the smallest exterior holding them. Rings of fewer
// than four points are dropped. next is consumed.
func AssembleRings(next map[int32]int32, starts []int32, pts []orb.Point) orb.MultiPolygon {
	var outers, holes []orb.Ring
	for _, start := range starts {
		if _, ok := next[start]; !ok {
			continue // already chained
		}
		ring := orb.Ring{pts[start]}
		for v := start; ; {
			w, ok := next[v]
			if !ok {
				break
			}
			delete(next, v)
			ring = append(ring, pts[w])
			v = w
			if v == start {
				break
			}
		}
		if !ring.Closed() {
			ring = append(ring, ring[0])
		}
		if len(ring) < 4 {
			continue
		}
		if RingSignedArea(ring) >= 0 {
			outers = append(outers, ring)
		} else {
			holes = append(holes, ring)
		}
	}
	mp := make(orb.MultiPolygon, len(outers))
	areas := make([]float64, len(outers))
	for i, r := range outers {
		mp[i] = orb.Polygon{r}
		areas[i] = RingSignedArea(r)
	}
	for _, h := range holes {
		best := -1
		for i, r := range outers {
			if (best < 0 || areas[i] < areas[best]) && r.Bound().Contains(h[0]) && planar.RingContains(r, h[0]) {
				best = i
			}
		}
		if best >= 0 {
			mp[best] = append(mp[best], h)
		}
	}
	return mp
}

// RingSignedArea is the shoelace area of a closed ring, positive when
// counter-clockwise.
func RingSignedArea(r orb.Ring) float64 {
	a := 0.0
	for i := 1; i < len(r); i++ {
		a += r[i-1][0]*r[i][1] - r[i][0]*r[i-1][1]
	}
	return a / 2
}

// vertexSet gives one id per distinct vertex, merging points closer than
// vertexQuantumDeg.
type vertexSet struct {
	ids map[[2]int64]int32
	pts []orb.Point
}

func newVertexSet(capacity int) *vertexSet {
	return &vertexSet{ids: make(map[[2]int64]int32, capacity), pts: make([]orb.Point, 0, capacity)}
}

// id returns the id of v, creating it if no known vertex is within one
// quantum.
func (s *vertexSet) id(v h3.LatLng) int32 {
	p := orb.Point{v.Lng, v.Lat}
	kx := int64(math.Round(p[0] / vertexQuantumDeg))
	ky := int64(math.Round(p[1] / vertexQuantumDeg))
	for dx := int64(-1); dx <= 1; dx++ {
		for dy := int64(-1); dy <= 1; dy++ {
			if id, ok := s.ids[[2]int64{kx + dx, ky + dy}]; ok {
				q := s.pts[id]
				if math.Abs(q[0]-p[0]) <= vertexQuantumDeg && math.Abs(q[1]-p[1]) <= vertexQuantumDeg {
					return id
				}
			}
		}
	}
	id := int32(len(s.pts))
	s.ids[[2]int64{kx, ky}] = id
	s.pts = append(s.pts, p)
	return id
}
