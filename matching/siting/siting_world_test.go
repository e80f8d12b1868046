package siting

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/siteindex"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/internal/tinyworld"
)

// sitingWorld is a random territory for siting tests: the res-7 cells of an
// H3 disk of radius 12 around a point of central France (469 cells, about
// 2.3 km apart, 28 km across the disk's radius), grouped into communes by
// their res-6 parent (about 70 communes). Communes west of the centre are in
// département "01" (région "84"), the others in "02" (région "32"). Each
// cell holds 0 to 200 inhabitants of the commune owning it (a quarter of
// the cells are empty). The default layer holds nSites random cell centres.
type sitingWorld struct {
	e     *matching.Engine
	reach coverage.Reach
	unc   []bool // cached by uncovered
}

func newSitingWorld(t testing.TB, seed uint64, nSites int, reachKm float64) *sitingWorld {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	const res = 7
	lat := 46.8 + rng.Float64()*0.2
	origin := geo.CellAt(orb.Point{2.2 + rng.Float64()*0.2, lat}, res)
	cells := geo.Disk(origin, 12)
	g := &geo.Grid{Resolution: res, Cells: cells, Centers: make([]orb.Point, len(cells)),
		Population: make([]float64, len(cells)), Commune: make([]int32, len(cells)), AreaKm2: make([]float64, len(cells))}
	// Communes by parent, sorted by parent (the code order).
	var parents []geo.Cell
	for i, c := range cells {
		g.Centers[i] = geo.CellCenter(c)
		g.AreaKm2[i] = geo.CellAreaKm2(c)
		parents = append(parents, c.Parent(6))
	}
	slices.Sort(parents)
	parents = slices.Compact(parents)
	centre := geo.CellCenter(origin)
	communes := make([]data.Commune, len(parents))
	members := make([][]int32, len(parents))
	for i, c := range cells {
		ci, _ := slices.BinarySearch(parents, c.Parent(6))
		g.Commune[i] = int32(ci)
		members[ci] = append(members[ci], int32(i))
		if rng.IntN(4) > 0 {
			g.Population[i] = float64(rng.IntN(201))
		}
	}
	g.ShareStart = []int32{0}
	for ci := range communes {
		first := g.Centers[members[ci][0]]
		dep, reg := "01", "84"
		if first[0] > centre[0] {
			dep, reg = "02", "32"
		}
		pop := 0
		for _, i := range members[ci] {
			g.Shares = append(g.Shares, geo.CellShare{Cell: i, Population: g.Population[i]})
			pop += int(g.Population[i])
		}
		g.ShareStart = append(g.ShareStart, int32(len(g.Shares)))
		shape := tinyworld.Square(first, 0.01)
		communes[ci] = data.Commune{Code: fmt.Sprintf("%s%03d", dep, ci), Name: fmt.Sprintf("Commune %d", ci),
			Departement: dep, Region: reg, Zone: "metro", Population: pop, Shape: shape, Bound: shape.Bound(),
			Rep: first, AreaKm2: float64(len(members[ci])) * g.AreaKm2[members[ci][0]]}
	}
	// Codes must sort like the communes: "01…" before "02…" is not the
	// parent order, so sort communes by code and remap.
	order := make([]int, len(communes))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if communes[a].Code < communes[b].Code {
			return -1
		}
		return 1
	})
	newID := make([]int32, len(communes))
	sorted := make([]data.Commune, len(communes))
	for n, old := range order {
		newID[old] = int32(n)
		sorted[n] = communes[old]
	}
	var shares []geo.CellShare
	starts := []int32{0}
	for _, old := range order {
		shares = append(shares, g.Shares[g.ShareStart[old]:g.ShareStart[old+1]]...)
		starts = append(starts, int32(len(shares)))
	}
	g.Shares, g.ShareStart = shares, starts
	for i := range g.Commune {
		g.Commune[i] = newID[g.Commune[i]]
	}
	terr := &data.Territory{Communes: sorted,
		Departements: []data.Departement{{Code: "01", Name: "Ouest", Region: "84", Zone: "metro"}, {Code: "02", Name: "Est", Region: "32", Zone: "metro"}},
		Regions:      []data.Region{{Code: "32", Name: "Nord", Zone: "metro"}, {Code: "84", Name: "Sud", Zone: "metro"}}}

	var sites []data.Site
	var pts []orb.Point
	for s := 0; s < nSites; s++ {
		i := rng.IntN(len(cells))
		sites = append(sites, data.Site{ID: fmt.Sprintf("FS%d", s), Name: fmt.Sprintf("France Services %d", s),
			Kind: data.KindFranceServices, Layer: matching.DefaultLayer, Point: g.Centers[i]})
		pts = append(pts, g.Centers[i])
	}
	layer := &data.Layer{Name: matching.DefaultLayer, Sites: sites, Index: siteindex.New(pts)}
	e := matching.New(matching.Parts{Territory: terr, Grid: g, Layers: map[string]*data.Layer{matching.DefaultLayer: layer}}, matching.Options{Workers: 2})
	return &sitingWorld{e: e, reach: coverage.ReachKm(reachKm)}
}

// cellsWithin returns, by brute force, the grid cells whose centre is
// within reach of p (the coverage rule: float32 haversine ≤ MaxM).
func (w *sitingWorld) cellsWithin(p orb.Point) []int {
	var out []int
	for i, c := range w.e.Grid().Centers {
		if float64(float32(geo.DistanceM(c, p))) <= w.reach.MaxM {
			out = append(out, i)
		}
	}
	return out
}

// uncovered returns, by brute force, whether each grid cell is out of reach
// of every site of the default layer.
func (w *sitingWorld) uncovered() []bool {
	if w.unc != nil {
		return w.unc
	}
	out := make([]bool, len(w.e.Grid().Cells))
	for i, c := range w.e.Grid().Centers {
		out[i] = true
		for _, s := range w.e.Layer(matching.DefaultLayer).Sites {
			if float64(float32(geo.DistanceM(c, s.Point))) <= w.reach.MaxM {
				out[i] = false
			}
		}
	}
	w.unc = out
	return out
}

// value returns, by brute force, the population of the cells out of reach
// of the existing sites and within reach of some point of pts.
func (w *sitingWorld) value(pts []orb.Point) int {
	unc := w.uncovered()
	hit := make([]bool, len(unc))
	v := 0
	for _, p := range pts {
		for _, i := range w.cellsWithin(p) {
			if unc[i] && !hit[i] {
				hit[i] = true
				v += int(w.e.Grid().Population[i])
			}
		}
	}
	return v
}
