package geo

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
)

// scanChunk is the number of coarse cells a worker takes at a time.
const scanChunk = 4

// cellScan holds, in ascending cell order, the fine cells whose centre a
// locate call put in a commune.
type cellScan struct {
	cells   []h3.Cell
	centers []orb.Point
	commune []int32
	areaKm2 []float64
}

func (s *cellScan) reset() {
	s.cells, s.centers, s.commune, s.areaKm2 = s.cells[:0], s.centers[:0], s.commune[:0], s.areaKm2[:0]
}

func (s *cellScan) clone() cellScan {
	if len(s.cells) == 0 {
		return cellScan{}
	}
	return cellScan{slices.Clone(s.cells), slices.Clone(s.centers), slices.Clone(s.commune), slices.Clone(s.areaKm2)}
}

func (s *cellScan) add(c h3.Cell, p orb.Point, id int32, areaKm2 float64) {
	s.cells = append(s.cells, c)
	s.centers = append(s.centers, p)
	s.commune = append(s.commune, id)
	s.areaKm2 = append(s.areaKm2, areaKm2)
}

// scanner resolves the centres of the res-res descendants of coarse cells.
type scanner struct {
	res    int
	tables []*childTable // tables[k]: descendants from res k to res res
	shapes []orb.MultiPolygon
	locate func(orb.Point) (int, bool)
	reuse  *scanReuse // coarse cells whose cells are taken from a previous grid (nil: none)
}

// newScanner prepares descendant tables for every coarse resolution in
// [k, res).
func newScanner(shapes []orb.MultiPolygon, locate func(orb.Point) (int, bool), k, res int) *scanner {
	s := &scanner{res: res, shapes: shapes, locate: locate, tables: make([]*childTable, res)}
	for lv := k; lv < res; lv++ {
		s.tables[lv] = newChildTable(lv, res)
	}
	return s
}

// scanAll scans the res-k coarse cells (ascending) on workers goroutines and
// returns the owned fine cells in ascending order.
func (s *scanner) scanAll(coarse []h3.Cell, k, workers int) (cellScan, error) {
	nChunks := (len(coarse) + scanChunk - 1) / scanChunk
	parts := make([]cellScan, nChunks)
	errs := make([]error, nChunks)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(workers, nChunks)) {
		wg.Go(func() {
			var buf cellScan // reused; each chunk keeps an exact-size copy
			for {
				ci := int(next.Add(1) - 1)
				if ci >= nChunks {
					return
				}
				buf.reset()
				for _, c := range coarse[ci*scanChunk : min(len(coarse), (ci+1)*scanChunk)] {
					if s.reuse.take(c, k, s.res, &buf) {
						continue
					}
					if err := s.scanCell(c, k, &buf); err != nil {
						errs[ci] = err
						break
					}
				}
				parts[ci] = buf.clone()
			}
		})
	}
	wg.Wait()
	total := 0
	for ci := range parts {
		if errs[ci] != nil {
			return cellScan{}, errs[ci]
		}
		total += len(parts[ci].cells)
	}
	out := cellScan{
		cells:   make([]h3.Cell, 0, total),
		centers: make([]orb.Point, 0, total),
		commune: make([]int32, 0, total),
		areaKm2: make([]float64, 0, total),
	}
	for _, p := range parts {
		out.cells = append(out.cells, p.cells...)
		out.centers = append(out.centers, p.centers...)
		out.commune = append(out.commune, p.commune...)
		out.areaKm2 = append(out.areaKm2, p.areaKm2...)
	}
	for i := 1; i < len(out.cells); i++ {
		if out.cells[i] <= out.cells[i-1] {
			return cellScan{}, fmt.Errorf("grid scan: cells out of order at %d (%v after %v)", i, out.cells[i], out.cells[i-1])
		}
	}
	return out, nil
}

// scanCell appends the owned res-res descendants of the res-k cell c. It uses
// the fitted gnomonic frame when it applies, else splits c into its children
// and, one level above res, falls back to exact h3 calls per cell.
func (s *scanner) scanCell(c h3.Cell, k int, out *cellScan) error {
	if k < s.res {
		t := s.tables[k]
		if f, ok := fitChildFrame(t, c); ok {
			base := uint64(c)&^t.clear | uint64(t.r)<<h3ResShift
			for _, o := range t.offsets {
				lon, lat, area := f.centre(o)
				if err := s.resolve(h3.Cell(base|o.bits), orb.Point{lon, lat}, area, out); err != nil {
					return err
				}
			}
			return nil
		}
		if k+1 < s.res && !c.Parent(0).IsPentagon() {
			for _, ch := range c.Children(k + 1) {
				if err := s.scanCell(ch, k+1, out); err != nil {
					return err
				}
			}
			return nil
		}
	}
	cells := []h3.Cell{c}
	if k < s.res {
		cells = c.Children(s.res)
	}
	for _, ch := range cells {
		ll := h3.CellToLatLng(ch)
		if err := s.resolve(ch, orb.Point{ll.Lng, ll.Lat}, -1, out); err != nil {
			return err
		}
	}
	return nil
}

// resolve locates the centre p of cell c and records c when a commune owns
// it. areaKm2 < 0 asks for the exact h3 area.
func (s *scanner) resolve(c h3.Cell, p orb.Point, areaKm2 float64, out *cellScan) error {
	id, ok, known := s.reuse.owner(c, p)
	if !known {
		id, ok = s.locate(p)
	}
	if !ok {
		return nil
	}
	if id < 0 || id >= len(s.shapes) || s.shapes[id] == nil {
		return fmt.Errorf("grid scan: locate(%v) returned commune %d, which has no shape", p, id)
	}
	if areaKm2 < 0 {
		areaKm2 = h3.CellAreaKm2(c)
	}
	out.add(c, p, int32(id), areaKm2)
	return nil
}
