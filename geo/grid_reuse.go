package geo

import (
	"slices"
	"sync/atomic"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
)

// GridReuse is the grid in service that BuildGridReusing may take cells
// from, and how the communes it was built from map to the new ones.
type GridReuse struct {
	Prev       *Grid              // the grid in service, built at the same resolution by the same locate rule
	PrevShapes []orb.MultiPolygon // the shapes Prev was built from, by previous commune id
	// Same gives, for each new commune id, the previous id whose shape is
	// the same geometry, or -1 for a commune whose shape changed or is new.
	// The ids it maps must keep their order (communes sorted by code on
	// both sides), so that the lowest-id rule of locate picks the same
	// commune among unchanged ones.
	Same []int32
}

// GridReuseStats says what BuildGridReusing took from the previous grid.
type GridReuseStats struct {
	CoarseTaken   int `json:"coarse_taken"`   // coarse cells whose cells were taken
	CoarseScanned int `json:"coarse_scanned"` // coarse cells scanned again (near a changed shape)
	CellsTaken    int `json:"cells_taken"`    // fine cells taken with their commune, centre and area
	// CentresLocated are the centres of scanned coarse cells close to a
	// changed shape, located again; CentresTaken those away from every
	// changed shape, whose commune (or none) is the previous grid's.
	CentresLocated int `json:"centres_located"`
	CentresTaken   int `json:"centres_taken"`
}

// BuildGridReusing is BuildGridWeighted for a reload where few commune
// shapes changed. The cells are found by coarse cell (res-3) as
// BuildGridWeighted does; a coarse cell whose descendants' centres are all
// away from every changed shape (the previous shape of a commune changed or
// gone, the new shape of one changed or new) is not scanned: its cells and
// their communes are those of the previous grid, since the same unchanged
// shapes contain those centres, with ids renumbered by Same. In a coarse
// cell near a change, each centre away from the changed shapes' boxes takes
// the previous grid's answer the same way; only centres inside those boxes
// are located again. The representative-point cells and
// populations are computed for all, so the grid equals the one
// BuildGridWeighted builds from the same inputs. A reuse that does not fit
// (another resolution, lengths that disagree, ids out of order) is ignored:
// the grid is built whole.
func BuildGridReusing(reuse GridReuse, shapes []orb.MultiPolygon, reps []orb.Point, pops []int, points []PopulationPoint, locate func(orb.Point) (int, bool), res int, workers int) (*Grid, GridReuseStats, error) {
	r := newScanReuse(reuse, shapes, res)
	g, err := buildGrid(shapes, reps, pops, points, locate, res, workers, r)
	if err != nil || r == nil {
		return g, GridReuseStats{}, err
	}
	return g, GridReuseStats{CoarseTaken: int(r.taken.Load()), CoarseScanned: int(r.scanned.Load()), CellsTaken: int(r.cells.Load()),
		CentresLocated: int(r.located.Load()), CentresTaken: int(r.centres.Load())}, nil
}

// scanReuse takes the cells of clean coarse cells from a previous grid.
type scanReuse struct {
	prev      *Grid
	prevToNew []int32    // previous commune id → new id, -1 when its shape changed or it is gone
	dirty     *boundTree // bounds of the changed shapes, previous and new
	clear     uint64     // resolution field and digits k+1..res of a res-k cell
	k         int
	taken     atomic.Int64
	scanned   atomic.Int64
	cells     atomic.Int64
	located   atomic.Int64
	centres   atomic.Int64
}

// newScanReuse checks reuse against the new shapes and prepares it; nil
// when it does not fit.
func newScanReuse(reuse GridReuse, shapes []orb.MultiPolygon, res int) *scanReuse {
	prev := reuse.Prev
	k := max(0, res-coarseDepth)
	if prev == nil || prev.Resolution != res || k >= res || len(reuse.Same) != len(shapes) ||
		len(prev.ShareStart) != len(reuse.PrevShapes)+1 {
		return nil
	}
	r := &scanReuse{prev: prev, prevToNew: make([]int32, len(reuse.PrevShapes)), dirty: &boundTree{}, k: k, clear: h3ResMask}
	for lv := k + 1; lv <= res; lv++ {
		r.clear |= uint64(7) << ((h3MaxRes - lv) * h3DigitBits)
	}
	for i := range r.prevToNew {
		r.prevToNew[i] = -1
	}
	last := int32(-1)
	for id, p := range reuse.Same {
		if p < 0 {
			continue
		}
		if p <= last || int(p) >= len(reuse.PrevShapes) {
			return nil // not in order: the lowest-id rule could pick another commune
		}
		last, r.prevToNew[p] = p, int32(id)
	}
	// Each polygon's box, not the shape's: a point of the shape lies in one
	// of them, and a commune of far-apart parts marks only around them.
	mark := func(s orb.MultiPolygon) {
		for _, poly := range s {
			if b := shapeBound(orb.MultiPolygon{poly}); b.Min[0] <= b.Max[0] {
				r.dirty.tr.Insert(b.Min, b.Max, 0)
			}
		}
	}
	for p, id := range r.prevToNew {
		if id < 0 {
			mark(reuse.PrevShapes[p])
		}
	}
	for id, p := range reuse.Same {
		if p < 0 {
			mark(shapes[id])
		}
	}
	return r
}

// take appends to out the cells of the res-k coarse cell c found in the
// previous grid, when no changed shape comes near c (coverBound holds the
// centres of all its descendants), and reports whether it did.
func (r *scanReuse) take(c h3.Cell, k, res int, out *cellScan) bool {
	if r == nil || k != r.k {
		return false
	}
	if r.dirty.intersects(coverBound(c)) {
		r.scanned.Add(1)
		return false
	}
	// The res-res descendants of c are the cells from c's digits followed
	// by zeros to c's digits followed by sevens (excluded), in H3 order.
	lo := h3.Cell(uint64(c)&^r.clear | uint64(res)<<h3ResShift)
	hi := h3.Cell(uint64(c)&^h3ResMask | uint64(res)<<h3ResShift)
	g := r.prev
	start := len(out.cells)
	i, _ := slices.BinarySearch(g.Cells, lo)
	for ; i < len(g.Cells) && g.Cells[i] < hi; i++ {
		p := g.Commune[i]
		if p < 0 {
			continue // a representative-point cell: not a scan result
		}
		id := r.prevToNew[p]
		if id < 0 {
			// Owned by a changed commune, so near a changed shape: cannot
			// happen, but scanning is always right.
			out.cells, out.centers, out.commune, out.areaKm2 = out.cells[:start], out.centers[:start], out.commune[:start], out.areaKm2[:start]
			r.scanned.Add(1)
			return false
		}
		out.add(g.Cells[i], g.Centers[i], id, g.AreaKm2[i])
	}
	r.taken.Add(1)
	r.cells.Add(int64(len(out.cells) - start))
	return true
}

// owner returns the commune owning the centre p of cell c when p is away
// from every changed shape (known): the previous grid's owner renumbered,
// or none when the previous grid had no owner for c. Near a change, or
// without reuse, known is false and the caller locates p.
func (r *scanReuse) owner(c h3.Cell, p orb.Point) (id int, ok, known bool) {
	if r == nil {
		return 0, false, false
	}
	if r.dirty.intersects(orb.Bound{Min: p, Max: p}) {
		r.located.Add(1)
		return 0, false, false
	}
	g := r.prev
	i, found := slices.BinarySearch(g.Cells, c)
	if !found || g.Commune[i] < 0 {
		r.centres.Add(1)
		return 0, false, true // no commune held p before, and none of the new shapes is near it
	}
	if n := r.prevToNew[g.Commune[i]]; n >= 0 {
		r.centres.Add(1)
		return int(n), true, true
	}
	r.located.Add(1) // owned by a changed commune, so near a change: cannot happen
	return 0, false, false
}
