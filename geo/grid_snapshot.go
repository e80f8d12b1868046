package geo

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"

	"github.com/maillage/maillage/internal/flatbin"
)

// Encode appends the grid to w as flat arrays (the engine snapshot,
// data/snapshot). Unlike Save's cache file it holds no key: the snapshot
// keys everything it stores.
func (g *Grid) Encode(w *flatbin.Writer) {
	w.Uint64(uint64(g.Resolution))
	flatbin.Put(w, g.Cells)
	flatbin.Put(w, g.Centers)
	flatbin.Put(w, g.Population)
	flatbin.Put(w, g.Commune)
	flatbin.Put(w, g.AreaKm2)
	// The shares are stored in CellShare's own layout (the cell in the low
	// four bytes of the first eight, the padding zero, then the
	// population), so that DecodeGrid hands out the mapped array instead of
	// building a 17 MB copy at every start.
	raw := make([][2]float64, len(g.Shares))
	for i, s := range g.Shares {
		raw[i] = [2]float64{math.Float64frombits(uint64(uint32(s.Cell))), s.Population}
	}
	flatbin.Put(w, raw)
	flatbin.Put(w, g.ShareStart)
	weighted := make([]uint8, len(g.Weighted))
	for i, v := range g.Weighted {
		if v {
			weighted[i] = 1
		}
	}
	w.Uint64(uint64(len(g.Weighted)))
	if len(g.Weighted) > 0 {
		flatbin.Put(w, weighted)
	}
}

// DecodeGrid reads a grid written by Encode, checked as LoadGrid checks a
// cache file (sorted cells, communes and shares in range, populations
// equal to their shares' sums); a failure is reported through r.Fail and
// gives nil.
func DecodeGrid(r *flatbin.Reader) *Grid {
	res := r.Int(h3.MaxResolution)
	g := &Grid{Resolution: res, Cells: flatbin.Get[h3.Cell](r)}
	g.Centers = flatbin.Get[orb.Point](r)
	g.Population, g.Commune, g.AreaKm2 = flatbin.Get[float64](r), flatbin.Get[int32](r), flatbin.Get[float64](r)
	raw := flatbin.Get[[2]float64](r)
	g.ShareStart = flatbin.Get[int32](r)
	if r.Int(1<<31) > 0 {
		w := flatbin.Get[uint8](r)
		g.Weighted = make([]bool, len(w))
		for i, v := range w {
			g.Weighted[i] = v != 0
		}
	}
	if r.Err() != nil {
		return nil
	}
	n := len(g.Cells)
	if len(g.Centers) != n || len(g.Population) != n || len(g.Commune) != n || len(g.AreaKm2) != n ||
		len(g.ShareStart) == 0 || (g.Weighted != nil && len(g.Weighted) != len(g.ShareStart)-1) {
		r.Fail(fmt.Errorf("grid: array lengths do not match (%d cells)", n))
		return nil
	}
	g.Shares = sharesOf(raw)
	if err := g.validate(); err != nil {
		r.Fail(fmt.Errorf("grid: %w", err))
		return nil
	}
	return g
}

// sharesOf returns the shares stored in raw by Encode, aliasing it.
func sharesOf(raw [][2]float64) []CellShare {
	if len(raw) == 0 {
		return nil
	}
	return unsafe.Slice((*CellShare)(unsafe.Pointer(unsafe.SliceData(raw))), len(raw))
}

// The shares' layout in the snapshot is CellShare's: 16 bytes, the cell
// first, the population at 8 (a compile error otherwise).
var (
	_ [16 - unsafe.Sizeof(CellShare{})]struct{}
	_ [unsafe.Sizeof(CellShare{}) - 16]struct{}
	_ [8 - unsafe.Offsetof(CellShare{}.Population)]struct{}
	_ [unsafe.Offsetof(CellShare{}.Population) - 8]struct{}
)
