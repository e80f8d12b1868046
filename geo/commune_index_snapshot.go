package geo

import (
	"fmt"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/internal/flatbin"
)

// Encode appends the index to w, without the shapes' points (which the
// caller stores with the shapes, and DecodeCommuneIndex takes back) nor
// the R-tree (rebuilt from the parts' boxes, in milliseconds).
func (ix *CommuneIndex) Encode(w *flatbin.Writer) {
	n := len(ix.parts)
	ids, starts, ends := make([]int32, n), make([]int32, n), make([]int32, n)
	bounds := make([]orb.Bound, n)
	for i, pt := range ix.parts {
		ids[i], starts[i], ends[i], bounds[i] = pt.id, pt.ringStart, pt.ringEnd, pt.bound
	}
	flatbin.Put(w, ids)
	flatbin.Put(w, starts)
	flatbin.Put(w, ends)
	flatbin.PutBounds(w, bounds)
	flatbin.Put(w, ix.partStart)
	m := len(ix.rings)
	rb := make([]orb.Bound, m)
	y0, scale := make([]float64, m), make([]float64, m)
	slabLen, edgeLen := make([]uint32, m), make([]uint32, m)
	var slabs []int32
	var edges []uint16
	for i := range ix.rings {
		r := &ix.rings[i]
		rb[i], y0[i], scale[i] = r.bound, r.y0, r.scale
		slabLen[i], edgeLen[i] = uint32(len(r.slab)), uint32(len(r.edges))
		slabs = append(slabs, r.slab...)
		edges = append(edges, r.edges...)
	}
	flatbin.PutBounds(w, rb)
	flatbin.Put(w, y0)
	flatbin.Put(w, scale)
	flatbin.Put(w, slabLen)
	flatbin.Put(w, edgeLen)
	flatbin.Put(w, slabs)
	flatbin.Put(w, edges)
	g := &ix.grid
	flatbin.Put(w, []float64{g.lon0, g.lat0, g.lon1, g.lat1})
	flatbin.Put(w, []int64{int64(g.nx), int64(g.ny), int64(g.cpd), int64(ix.count)})
	flatbin.Put(w, g.block)
	flatbin.Put(w, g.start)
	flatbin.Put(w, g.cand)
}

// DecodeCommuneIndex reads an index written by Encode over the very shapes
// it was built from (NewCommuneIndex(shapes)): its rings point into them,
// as a built index's do. Broken invariants (counts, ranges) are reported
// through r.Fail and give nil, so that a corrupt file cannot make a lookup
// panic.
func DecodeCommuneIndex(r *flatbin.Reader, shapes []orb.MultiPolygon) *CommuneIndex {
	ids, starts, ends := flatbin.Get[int32](r), flatbin.Get[int32](r), flatbin.Get[int32](r)
	bounds := flatbin.GetBounds(r)
	partStart := flatbin.Get[int32](r)
	rb := flatbin.GetBounds(r)
	y0, scale := flatbin.Get[float64](r), flatbin.Get[float64](r)
	slabLen, edgeLen := flatbin.Get[uint32](r), flatbin.Get[uint32](r)
	slabs, edges := flatbin.Get[int32](r), flatbin.Get[uint16](r)
	gf := flatbin.Get[float64](r)
	gi := flatbin.Get[int64](r)
	block, start, cand := flatbin.Get[int32](r), flatbin.Get[int32](r), flatbin.Get[int32](r)
	if r.Err() != nil {
		return nil
	}
	fail := func(format string, args ...any) *CommuneIndex {
		r.Fail(fmt.Errorf("commune index: "+format, args...))
		return nil
	}
	n, m := len(ids), len(rb)
	if len(starts) != n || len(ends) != n || len(bounds) != n || len(partStart) != len(shapes)+1 ||
		len(y0) != m || len(scale) != m || len(slabLen) != m || len(edgeLen) != m || len(gf) != 4 || len(gi) != 4 {
		return fail("array lengths do not match (%d parts, %d rings, %d shapes)", n, m, len(shapes))
	}
	ix := &CommuneIndex{partStart: partStart, parts: make([]communePart, n), rings: make([]indexedRing, 0, m), count: int(gi[3])}
	// The rings, in the order newCommuneIndex adds them.
	for _, mp := range shapes {
		for _, poly := range mp {
			if len(poly) == 0 || len(poly[0]) < 3 {
				continue
			}
			for _, ring := range poly {
				if len(ring) < 3 {
					continue
				}
				if len(ix.rings) == m {
					return fail("shapes hold more than %d rings", m)
				}
				ix.rings = append(ix.rings, indexedRing{pts: ring})
			}
		}
	}
	if len(ix.rings) != m {
		return fail("shapes hold %d rings, index %d", len(ix.rings), m)
	}
	so, eo := 0, 0
	for i := range ix.rings {
		ir := &ix.rings[i]
		ns, ne := int(slabLen[i]), int(edgeLen[i])
		if ns > len(slabs)-so || ne > len(edges)-eo || ns == 1 {
			return fail("ring %d: slabs out of range", i)
		}
		ir.bound, ir.y0, ir.scale = rb[i], y0[i], scale[i]
		ir.wide = len(ir.pts) > 1<<16 // as newIndexedRing decides it
		per := 1
		if ir.wide {
			per = 2
		}
		if ns > 0 {
			ir.slab = slabs[so : so+ns : so+ns]
			if ir.slab[0] != 0 || per*int(ir.slab[ns-1]) != ne {
				return fail("ring %d: slabs do not span its edges", i)
			}
			for s := 1; s < ns; s++ {
				if ir.slab[s] < ir.slab[s-1] {
					return fail("ring %d: slab %d decreases", i, s)
				}
			}
		}
		if ns == 0 && ne != 0 {
			return fail("ring %d: edges without slabs", i)
		}
		ir.edges = edges[eo : eo+ne : eo+ne]
		for k := 0; k < ne; k += per {
			e := int(ir.edges[k])
			if ir.wide {
				e |= int(ir.edges[k+1]) << 16
			}
			if e >= len(ir.pts) {
				return fail("ring %d: edge %d out of range", i, e)
			}
		}
		so, eo = so+ns, eo+ne
	}
	for k := range ix.parts {
		if ids[k] < 0 || int(ids[k]) >= len(shapes) || starts[k] < 0 || starts[k] >= ends[k] || int(ends[k]) > m {
			return fail("part %d out of range", k)
		}
		ix.parts[k] = communePart{id: ids[k], bound: bounds[k], ringStart: starts[k], ringEnd: ends[k]}
		ix.tree.Insert(bounds[k].Min, bounds[k].Max, int32(k))
	}
	for id := range shapes {
		if partStart[id] < 0 || partStart[id] > partStart[id+1] || int(partStart[id+1]) > n {
			return fail("parts of commune %d out of range", id)
		}
	}
	g := partGrid{lon0: gf[0], lat0: gf[1], lon1: gf[2], lat1: gf[3], nx: int(gi[0]), ny: int(gi[1]), cpd: int(gi[2]),
		block: block, start: start, cand: cand}
	if err := g.check(n, len(shapes)); err != nil {
		r.Fail(fmt.Errorf("commune index: %w", err))
		return nil
	}
	ix.grid = g
	return ix
}

// check verifies the ranges candidates relies on: blocks within the cut
// blocks' cells, cell starts non-decreasing within the candidates, parts
// and communes in range.
func (g *partGrid) check(parts, communes int) error {
	if parts == 0 {
		if g.block != nil || g.start != nil || g.cand != nil {
			return fmt.Errorf("grid over no part")
		}
		return nil
	}
	if g.nx <= 0 || g.ny <= 0 || g.cpd <= 0 || g.cpd > maxCellsPerDeg || g.nx*g.ny != len(g.block) || len(g.start) == 0 {
		return fmt.Errorf("grid of %d×%d blocks, %d cells per degree, %d blocks", g.nx, g.ny, g.cpd, len(g.block))
	}
	if mx, my := g.cellXY(orb.Point{g.lon1, g.lat1}); !(g.lon1 >= g.lon0 && g.lat1 >= g.lat0) || mx/g.cpd >= g.nx || my/g.cpd >= g.ny {
		return fmt.Errorf("grid box beyond its %d×%d blocks", g.nx, g.ny)
	}
	cells := len(g.start) - 1
	for _, b := range g.block {
		if b < -1 || (b >= 0 && (int(b)+1)*g.cpd*g.cpd > cells) {
			return fmt.Errorf("grid block %d out of range", b)
		}
	}
	if g.start[0] != 0 || int(g.start[cells]) != len(g.cand) {
		return fmt.Errorf("grid cells do not span the candidates")
	}
	for c := 1; c <= cells; c++ {
		if g.start[c] < g.start[c-1] {
			return fmt.Errorf("grid cell %d decreases", c)
		}
	}
	for _, k := range g.cand {
		if k >= int32(parts) || k < -int32(communes) {
			return fmt.Errorf("grid candidate %d out of range", k)
		}
	}
	return nil
}
