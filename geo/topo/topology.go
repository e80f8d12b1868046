package topo

import (
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// Topology is a set of polygonal shapes (the communes) cut into arcs: the
// pieces of boundary between two junctions, each stored once however many
// rings run along it (the TopoJSON / mapshaper model). Simplifying the arcs
// rather than each shape on its own keeps neighbours meeting exactly: both
// sides of a shared border are made of the same simplified points.
//
// A junction is a vertex where the rings using it stop running together: a
// vertex shared by rings that reach it from different neighbouring vertices
// (three communes meeting, or a border leaving the coast). A ring with no
// junction (an island, an enclave) is one closed arc starting at its
// smallest point, so that the enclave and the hole around it give the same
// arc.
//
// Neighbours must share their vertices bit for bit: BuildTopology snaps every
// coordinate to a grid of SnapDeg first, which merges the copies of a
// vertex that rounding moved apart. A Topology is read-only once built and
// safe for concurrent use.
type Topology struct {
	arcs   []orb.LineString // each arc's points while BuildTopology runs, then nil
	packed packedLines      // each arc's points, its endpoints junctions (equal for a closed arc)
	// pointStart[i] is the number of points of the arcs before arc i: the
	// first bit of arc i in a level's kept mask (TopoLevel.kept).
	pointStart []uint32
	shapes     [][][]arcRing // per shape, per polygon, per ring (exterior first): its arcs in order
	uses       [][]int32     // per arc, the shapes whose rings run along it (ascending, no repeats)
	points     int           // vertices of all arcs
}

// arcRing is a ring as its arcs in order, with the sign of its area as
// read (a simplified ring whose sign flips has turned inside out).
type arcRing struct {
	arcs []arcRef
	ccw  bool
}

// arcRef names an arc and the direction a ring runs along it: i for arc i
// as stored, ^i for arc i reversed.
type arcRef int32

// index returns the arc's index and whether the ring runs along it reversed.
func (r arcRef) index() (int, bool) {
	if r < 0 {
		return int(^r), true
	}
	return int(r), false
}

// SnapDeg is the grid, in degrees (about 1 cm), on which BuildTopology
// rounds every coordinate so that copies of a shared vertex are
// bit-identical.
const SnapDeg = 1e-7

// BuildTopology cuts shapes (lon/lat MultiPolygons, valid, one per feature;
// nil or empty shapes are allowed) into arcs. Rings are read without their
// closing point and without consecutive repeats; a ring of fewer than 3
// distinct positions is an error naming the shape.
func BuildTopology(shapes []orb.MultiPolygon) (*Topology, error) {
	rings, err := snapRings(shapes)
	if err != nil {
		return nil, err
	}
	junction := findJunctions(rings)
	t := &Topology{shapes: make([][][]arcRing, len(shapes))}
	byKey := make(map[[2]orb.Point]int32)
	for s, polys := range rings {
		t.shapes[s] = make([][]arcRing, len(polys))
		for p, poly := range polys {
			t.shapes[s][p] = make([]arcRing, len(poly))
			for k, r := range poly {
				t.shapes[s][p][k] = t.cutRing(r, junction, byKey)
			}
		}
	}
	t.uses = make([][]int32, len(t.arcs))
	for s, polys := range t.shapes {
		for _, poly := range polys {
			for _, r := range poly {
				for _, ref := range r.arcs {
					i, _ := ref.index()
					if u := t.uses[i]; len(u) == 0 || u[len(u)-1] != int32(s) {
						t.uses[i] = append(u, int32(s))
					}
				}
			}
		}
	}
	t.pointStart = make([]uint32, len(t.arcs)+1)
	for i, a := range t.arcs {
		t.points += len(a)
		t.pointStart[i+1] = uint32(t.points)
	}
	// Held packed: the topology of the communes keeps a million points
	// for as long as the server runs, and reads them only to simplify.
	t.packed = packLines(t.arcs)
	t.arcs = nil
	return t, nil
}

// NumArcs is the number of arcs.
func (t *Topology) NumArcs() int { return len(t.packed.off) }

// NumPoints is the number of vertices of all arcs (a junction counts once
// per arc ending there).
func (t *Topology) NumPoints() int { return t.points }

// NumShapes is the number of shapes the topology was built from.
func (t *Topology) NumShapes() int { return len(t.shapes) }

// snapRings returns every ring of shapes snapped to SnapDeg, open (no
// closing point) and without consecutive repeats.
func snapRings(shapes []orb.MultiPolygon) ([][][][]orb.Point, error) {
	out := make([][][][]orb.Point, len(shapes))
	for s, mp := range shapes {
		out[s] = make([][][]orb.Point, len(mp))
		for p, poly := range mp {
			out[s][p] = make([][]orb.Point, len(poly))
			for k, r := range poly {
				q := make([]orb.Point, 0, len(r))
				for _, pt := range r {
					if math.IsNaN(pt[0]) || math.IsNaN(pt[1]) || math.IsInf(pt[0], 0) || math.IsInf(pt[1], 0) {
						return nil, fmt.Errorf("topology: shape %d polygon %d ring %d: coordinate not finite", s, p, k)
					}
					pt = orb.Point{snap(pt[0]), snap(pt[1])}
					if n := len(q); n > 0 && q[n-1] == pt {
						continue
					}
					q = append(q, pt)
				}
				for len(q) > 1 && q[0] == q[len(q)-1] {
					q = q[:len(q)-1]
				}
				if len(q) < 3 {
					return nil, fmt.Errorf("topology: shape %d polygon %d ring %d: fewer than 3 distinct positions", s, p, k)
				}
				out[s][p][k] = q
			}
		}
	}
	return out, nil
}

// snap rounds v to the SnapDeg grid.
func snap(v float64) float64 {
	return math.Round(v/SnapDeg) * SnapDeg
}

// neighbours are the two vertices around a vertex of a ring, in ascending
// order so that a ring and its reverse give the same pair.
type neighbours [2]orb.Point

// findJunctions returns the vertices where rings using them do not all come
// from and go to the same two vertices.
func findJunctions(rings [][][][]orb.Point) map[orb.Point]bool {
	seen := make(map[orb.Point]neighbours)
	junction := make(map[orb.Point]bool)
	for _, polys := range rings {
		for _, poly := range polys {
			for _, r := range poly {
				n := len(r)
				for i, v := range r {
					a, b := r[(i+n-1)%n], r[(i+1)%n]
					if lessPoint(b, a) {
						a, b = b, a
					}
					nb := neighbours{a, b}
					if old, ok := seen[v]; !ok {
						seen[v] = nb
					} else if old != nb {
						junction[v] = true
					}
				}
			}
		}
	}
	return junction
}

// lessPoint orders points by x then y.
func lessPoint(a, b orb.Point) bool {
	return a[0] < b[0] || a[0] == b[0] && a[1] < b[1]
}

// cutRing cuts the open ring r at its junctions, storing each new arc in t
// (byKey finds an arc by its first two points in either direction), and
// returns the ring's arcs in order.
func (t *Topology) cutRing(r []orb.Point, junction map[orb.Point]bool, byKey map[[2]orb.Point]int32) arcRing {
	n := len(r)
	start := -1
	for i, v := range r {
		if junction[v] {
			start = i
			break
		}
	}
	if start < 0 {
		// No junction: one closed arc from the smallest point, so that every
		// ring running along it (an enclave, the hole around it) starts there.
		start = 0
		for i, v := range r {
			if lessPoint(v, r[start]) {
				start = i
			}
		}
	}
	out := arcRing{ccw: openRingArea(r) > 0}
	arc := orb.LineString{r[start]}
	for k := 1; k <= n; k++ {
		v := r[(start+k)%n]
		arc = append(arc, v)
		if k == n || junction[v] {
			out.arcs = append(out.arcs, t.addArc(arc, byKey))
			arc = orb.LineString{v}
		}
	}
	return out
}

// addArc returns the reference to arc, stored if no ring stored it before
// in either direction. Two arcs leaving a junction along the same edge are
// the same arc (they run together up to the next junction), so an arc is
// found by its first two points: byKey holds i under an arc's first two
// points and ^i under its last two reversed.
func (t *Topology) addArc(arc orb.LineString, byKey map[[2]orb.Point]int32) arcRef {
	n := len(arc)
	if i, ok := byKey[[2]orb.Point{arc[0], arc[1]}]; ok {
		return arcRef(i)
	}
	i := int32(len(t.arcs))
	t.arcs = append(t.arcs, slices.Clone(arc))
	byKey[[2]orb.Point{arc[0], arc[1]}] = i
	if back := [2]orb.Point{arc[n-1], arc[n-2]}; back != [2]orb.Point{arc[0], arc[1]} {
		byKey[back] = ^i
	}
	return arcRef(i)
}

// openRingArea is the shoelace area of a ring given without its closing
// point, positive when counter-clockwise.
func openRingArea(r []orb.Point) float64 {
	a := 0.0
	for i, p := range r {
		q := r[(i+1)%len(r)]
		a += p[0]*q[1] - q[0]*p[1]
	}
	return a / 2
}
