package coverage

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Names the external tests of this package read.

// ZRRCode is zrrCode: the rank of a ZRR class under RankByZRR.
var ZRRCode = zrrCode

// BuildIndex is buildCoverageIndex, for its benchmark.
var BuildIndex = buildCoverageIndex

// ComputeLayerNearest is computeLayerNearest, uncached, for its benchmark.
func (c *Cache) ComputeLayerNearest(name string) *NearestSet { return c.computeLayerNearest(name) }

// CellSite returns the layer and the index in it of cell i's nearest site.
func (ns *NearestSet) CellSite(i int) (layer string, site int32) {
	return ns.layers[ns.layerOf(ns.cellLayer, i)], ns.cellSite[i]
}

// ScopeOf returns the cells cv was computed over.
func (cv *Coverage) ScopeOf() *CellScope { return cv.sc }

// Fractional returns the fractional located and covered inhabitants of c,
// before rounding.
func (c *CommuneCoverage) Fractional() (located, covered float64) { return c.located, c.covered }

// BucketMismatch rebuilds the buckets of the default layer's population
// profile the way the profile held them before (each bucket's distances
// and prefix sums over all its shares, summed in the same order) and
// returns the first bucket and threshold at which the profile's covered
// population differs from them in any bit ("" when none). Thresholds: at,
// just below and just above every distance of every bucket.
func BucketMismatch(c *Cache) string {
	layers, _, _, ns, ix, err := c.resolve(Query{})
	if err != nil {
		return err.Error()
	}
	p := c.profileFor(layers, ns, ix)
	g := c.grid
	type cellPop struct {
		d   float32
		pop float64
	}
	cells := make([][]cellPop, len(p.buckets))
	for ci := range len(p.commune) {
		if p.start[ci] == p.start[ci+1] {
			continue
		}
		bi := p.bucketOf[[2]int32{ix.CommuneDep[ci], ix.CommuneReg[ci]}]
		for _, s := range g.Shares[g.ShareStart[ci]:g.ShareStart[ci+1]] {
			if s.Population > 0 {
				cells[bi] = append(cells[bi], cellPop{ns.CellDistM[s.Cell], s.Population})
			}
		}
	}
	for bi, cs := range cells {
		slices.SortStableFunc(cs, func(a, b cellPop) int { return cmp.Compare(a.d, b.d) })
		dist, cum := make([]float32, len(cs)), make([]float64, len(cs))
		var sum float64
		for k, c := range cs {
			sum += c.pop
			dist[k], cum[k] = c.d, sum
		}
		if len(cs) != len(p.buckets[bi].order) {
			return fmt.Sprintf("bucket %d: %d shares, want %d", bi, len(p.buckets[bi].order), len(cs))
		}
		for _, d := range dist {
			for _, m := range []float64{float64(d), math.Nextafter(float64(d), 0), math.Nextafter(float64(d), math.Inf(1))} {
				var want float64
				if k := coveredIn(dist, m); k > 0 {
					want = cum[k-1]
				}
				if got, _ := p.bucketCovered(&p.buckets[bi], m); math.Float64bits(got) != math.Float64bits(want) {
					return fmt.Sprintf("bucket %d at %v m: covered %v, want %v", bi, m, got, want)
				}
			}
		}
	}
	return ""
}

// ScopePopMismatch rebuilds the population of every département and
// région scope cell the way the scopes held it before (added share by share
// while walking the relation) and returns the first scope cell whose
// CellPop differs from it in any bit ("" when none).
func ScopePopMismatch(c *Cache) string {
	ix := c.Index()
	type held struct {
		cells []int32
		pop   []float64
	}
	deps, regs := make([]held, len(ix.Deps)), make([]held, len(ix.Regs))
	add := func(h *held, cell int32, pop float64) {
		if k := len(h.cells) - 1; k >= 0 && h.cells[k] == cell {
			h.pop[k] += pop
			return
		}
		h.cells, h.pop = append(h.cells, cell), append(h.pop, pop)
	}
	for i := range len(ix.CellCommStart) - 1 {
		for k := ix.CellCommStart[i]; k < ix.CellCommStart[i+1]; k++ {
			d := ix.CommuneDep[ix.CellComm[k]]
			if d < 0 {
				continue
			}
			add(&deps[d], int32(i), ix.CellCommPop[k])
			if r := ix.regOfDep[d]; r >= 0 {
				add(&regs[r], int32(i), ix.CellCommPop[k])
			}
		}
	}
	check := func(scopes []*CellScope, want []held) string {
		for si, s := range scopes {
			if s.Len() != len(want[si].cells) {
				return fmt.Sprintf("%s %s: %d cells, want %d", s.Level, s.Code, s.Len(), len(want[si].cells))
			}
			for k, p := range want[si].pop {
				if s.Cell(k) != int(want[si].cells[k]) || math.Float64bits(s.CellPop(k)) != math.Float64bits(p) {
					return fmt.Sprintf("%s %s cell %d: %d, %v inhabitants, want %d, %v", s.Level, s.Code, k, s.Cell(k), s.CellPop(k), want[si].cells[k], p)
				}
			}
		}
		return ""
	}
	if msg := check(ix.Deps, deps); msg != "" {
		return msg
	}
	return check(ix.Regs, regs)
}
