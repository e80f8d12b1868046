package matching

import (
	"math"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"

	"github.com/maillage/maillage/geo"
)

// GapOutline returns the outline of zone i of Gaps: the union of its cells
// as lon/lat polygons, one per connected group, each with a
// counter-clockwise exterior ring and a clockwise ring per hole (covered
// cells enclosed by the zone), all closed.
//
// Only the zone's border cells are looked at: an edge of a border cell is on
// the outline when the cell across it is not in the zone. The cell across an
// edge is the grid neighbour whose centre is nearest to the edge's midpoint
// (at the same distance as the cell's own centre, where the other neighbours
// are √3 times farther); when no neighbour is that close, the cell across is
// not in the grid. It costs one h3.CellToBoundary per border cell, against
// one per cell for geo.CellsOutline, which gives the same polygons.
func (cv *Coverage) GapOutline(i int) orb.MultiPolygon {
	if i < 0 || i >= len(cv.Gaps) {
		return nil
	}
	z := &cv.Gaps[i]
	g, nbT := cv.e.Grid, cv.ix.cellNb
	in := func(cell int32) bool {
		p := cv.sc.pos(cell)
		return p >= 0 && cv.gapOf[p] == int32(i)
	}
	vs := outlineVertices{ids: map[[2]int64]int32{}}
	next := map[int32]int32{} // outline edges: at every outline vertex exactly one leaves
	var first []int32         // the start vertex of every outline edge, in discovery order
	for _, cell := range z.cells {
		nb := nbT[6*cell : 6*cell+6]
		border := false
		for _, n := range nb {
			if n < 0 || !in(n) {
				border = true
				break
			}
		}
		if !border {
			continue
		}
		c := g.Centers[cell]
		kx := math.Cos(c[1] * math.Pi / 180) // local planar metric: lon scaled by cos(lat)
		d2 := func(a, b orb.Point) float64 {
			dx, dy := (a[0]-b[0])*kx, a[1]-b[1]
			return dx*dx + dy*dy
		}
		bd := h3.CellToBoundary(g.Cells[cell])
		for k := range bd {
			v0, v1 := bd[k], bd[(k+1)%len(bd)]
			m := orb.Point{(v0.Lng + v1.Lng) / 2, (v0.Lat + v1.Lat) / 2}
			across, best := int32(-1), math.Inf(1)
			for _, n := range nb {
				if n >= 0 {
					if d := d2(m, g.Centers[n]); d < best {
						across, best = n, d
					}
				}
			}
			if across >= 0 && best <= 1.44*d2(m, c) && in(across) {
				continue // shared with a cell of the zone
			}
			a, b := vs.id(v0), vs.id(v1)
			next[a] = b
			first = append(first, a)
		}
	}
	return geo.AssembleRings(next, first, vs.pts)
}

// outlineQuantumDeg merges the copies of one H3 vertex computed from
// different cells (they differ by about 1e-13°; distinct vertices of a res-8
// cell are 500 m apart).
const outlineQuantumDeg = 1e-8

// outlineVertices gives one id per distinct vertex.
type outlineVertices struct {
	ids map[[2]int64]int32
	pts []orb.Point
}

func (s *outlineVertices) id(v h3.LatLng) int32 {
	p := orb.Point{v.Lng, v.Lat}
	kx := int64(math.Round(p[0] / outlineQuantumDeg))
	ky := int64(math.Round(p[1] / outlineQuantumDeg))
	if id, ok := s.ids[[2]int64{kx, ky}]; ok {
		return id
	}
	for dx := int64(-1); dx <= 1; dx++ { // a copy rounded into the next bucket
		for dy := int64(-1); dy <= 1; dy++ {
			if id, ok := s.ids[[2]int64{kx + dx, ky + dy}]; ok {
				q := s.pts[id]
				if math.Abs(q[0]-p[0]) <= outlineQuantumDeg && math.Abs(q[1]-p[1]) <= outlineQuantumDeg {
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
