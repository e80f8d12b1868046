package geo

import (
	"fmt"

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
	// CellShare has padding between its fields: stored as two arrays.
	cells, pops := make([]int32, len(g.Shares)), make([]float64, len(g.Shares))
	for i, s := range g.Shares {
		cells[i], pops[i] = s.Cell, s.Population
	}
	flatbin.Put(w, cells)
	flatbin.Put(w, pops)
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
	cells, pops := flatbin.Get[int32](r), flatbin.Get[float64](r)
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
		len(cells) != len(pops) || len(g.ShareStart) == 0 || (g.Weighted != nil && len(g.Weighted) != len(g.ShareStart)-1) {
		r.Fail(fmt.Errorf("grid: array lengths do not match (%d cells)", n))
		return nil
	}
	g.Shares = make([]CellShare, len(cells))
	for i := range cells {
		g.Shares[i] = CellShare{Cell: cells[i], Population: pops[i]}
	}
	if err := g.validate(); err != nil {
		r.Fail(fmt.Errorf("grid: %w", err))
		return nil
	}
	return g
}
