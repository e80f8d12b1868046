// Package tinyworld builds the hand-made territory the coverage, siting and
// accessibility tests of matching's packages work out by hand. It returns
// the engine's parts, not an engine, so that package matching's own tests
// can use it as well as those of the packages above it (through mtest).
package tinyworld

import (
	"fmt"
	"math"
	"slices"

	"github.com/maillage/maillage/data/indicators"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/siteindex"
	"github.com/paulmach/orb"
)

// World is a hand-built territory for coverage tests, at H3 res 8 near
// Bourges (2.4°E, 47.1°N):
//
//   - commune A "01001" (dép. 01, région 84): the 7 cells of the disk around
//     cell cA, 100 inhabitants each; its own site S1 sits at cA's centre;
//   - commune D "01002" (dép. 01): too small to own a cell, its 30
//     inhabitants sit in cell xD, a neighbour of cA owned by A;
//   - commune B "02001" (dép. 02, région 32): the 7 cells of the disk around
//     cB, 10 km east of cA, 10 inhabitants each, 9 km²; site S2 is 3 km east
//     of cB's centre;
//   - commune C "02002" (dép. 02): 50 inhabitants, no boundary.
//
// Layer "france-services" holds S1 and S2; layer "extra" holds S3 at cB's
// centre. Cell centres of neighbouring res-8 cells are about 0.9 km apart.
type World struct {
	Territory  *data.Territory
	Grid       *geo.Grid
	Layers     map[string]*data.Layer // defaultLayer, "extra" and "empty"
	Indicators indicators.Indicators
	CA, CB, XD geo.Cell
	DiskA      []geo.Cell // ascending
	DiskB      []geo.Cell
}

// Offset offsets p by east and north kilometres.
func Offset(p orb.Point, eastKm, northKm float64) orb.Point {
	const kmPerDegLat = 111.195 // EarthRadiusM × π / 180 / 1000
	lat := p[1] + northKm/kmPerDegLat
	return orb.Point{p[0] + eastKm/(kmPerDegLat*math.Cos(p[1]*math.Pi/180)), lat}
}

// Square is the square of half side halfDeg degrees centred on p.
func Square(p orb.Point, halfDeg float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{
		{p[0] - halfDeg, p[1] - halfDeg}, {p[0] + halfDeg, p[1] - halfDeg},
		{p[0] + halfDeg, p[1] + halfDeg}, {p[0] - halfDeg, p[1] + halfDeg}, {p[0] - halfDeg, p[1] - halfDeg},
	}}}
}

// New builds the tiny world, its France Services layer called
// defaultLayer (defaultLayer). An engine over it is calibrated
// on DifficultyTotal.
func New(defaultLayer string) (*World, error) {
	const res = 8
	base := orb.Point{2.4, 47.1}
	w := &World{}
	w.CA = geo.CellAt(base, res)
	pA := geo.CellCenter(w.CA)
	w.CB = geo.CellAt(orb.Point{Offset(pA, 10, 0)[0], pA[1]}, res)
	pB := geo.CellCenter(w.CB)
	w.DiskA = geo.Disk(w.CA, 1)
	w.DiskB = geo.Disk(w.CB, 1)
	if len(w.DiskA) != 7 || len(w.DiskB) != 7 {
		return nil, fmt.Errorf("tiny world: disks of %d and %d cells", len(w.DiskA), len(w.DiskB))
	}
	for _, c := range w.DiskA {
		if c != w.CA {
			w.XD = c
			break
		}
	}

	// Communes, sorted by code: A, D, B, C.
	communes := []data.Commune{
		{Code: "01001", Name: "A", Departement: "01", Region: "84", EPCI: "200000001", Zone: "metro",
			Population: 700, Shape: Square(pA, 0.02), Rep: pA, AreaKm2: 9},
		{Code: "01002", Name: "D", Departement: "01", Region: "84", Zone: "metro",
			Population: 30, Shape: Square(geo.CellCenter(w.XD), 0.001), Rep: geo.CellCenter(w.XD), AreaKm2: 0.1},
		{Code: "02001", Name: "B", Departement: "02", Region: "32", EPCI: "200000001", Zone: "metro",
			Population: 70, Shape: Square(pB, 0.02), Rep: pB, AreaKm2: 9},
		{Code: "02002", Name: "C", Departement: "02", Region: "32", Zone: "metro", Population: 50},
	}
	for i := range communes {
		communes[i].Bound = communes[i].Shape.Bound()
	}
	terr := &data.Territory{
		Communes: communes,
		Departements: []data.Departement{
			{Code: "01", Name: "Ain", Region: "84", Zone: "metro"},
			{Code: "02", Name: "Aisne", Region: "32", Zone: "metro"},
		},
		Regions: []data.Region{{Code: "32", Name: "Hauts-de-France", Zone: "metro"}, {Code: "84", Name: "Auvergne-Rhône-Alpes", Zone: "metro"}},
		EPCIs:   []data.EPCI{{Code: "200000001", Name: "CC Tiny", Members: []string{"01001", "02001"}}},
	}

	// Grid: the 14 cells, sorted.
	cells := append(slices.Clone(w.DiskA), w.DiskB...)
	slices.Sort(cells)
	g := &geo.Grid{Resolution: res, Cells: cells}
	idx := func(c geo.Cell) int32 { i, _ := slices.BinarySearch(cells, c); return int32(i) }
	g.Centers = make([]orb.Point, len(cells))
	g.AreaKm2 = make([]float64, len(cells))
	g.Commune = make([]int32, len(cells))
	for i, c := range cells {
		g.Centers[i] = geo.CellCenter(c)
		g.AreaKm2[i] = geo.CellAreaKm2(c)
		g.Commune[i] = 0 // A
		if slices.Contains(w.DiskB, c) {
			g.Commune[i] = 2 // B
		}
	}
	var sharesA, sharesB []geo.CellShare
	for i := range cells {
		if g.Commune[i] == 0 {
			sharesA = append(sharesA, geo.CellShare{Cell: int32(i), Population: 100})
		} else {
			sharesB = append(sharesB, geo.CellShare{Cell: int32(i), Population: 10})
		}
	}
	g.Shares = append(append(sharesA, geo.CellShare{Cell: idx(w.XD), Population: 30}), sharesB...)
	g.ShareStart = []int32{0, 7, 8, 15, 15}
	g.Population = make([]float64, len(cells))
	for _, s := range g.Shares {
		g.Population[s.Cell] += s.Population
	}

	site := func(id string, p orb.Point, layer string) data.Site {
		return data.Site{ID: id, Name: "site " + id, Kind: data.KindFranceServices, Layer: layer, Point: p}
	}
	l1 := &data.Layer{Name: defaultLayer, Sites: []data.Site{
		site("S1", pA, defaultLayer), site("S2", Offset(pB, 3, 0), defaultLayer)}}
	l2 := &data.Layer{Name: "extra", Sites: []data.Site{site("S3", pB, "extra")}}
	for _, l := range []*data.Layer{l1, l2} {
		pts := make([]orb.Point, len(l.Sites))
		for i := range l.Sites {
			pts[i] = l.Sites[i].Point
		}
		l.Index = siteindex.New(pts)
	}
	empty := &data.Layer{Name: "empty", Index: siteindex.New(nil)}
	w.Territory, w.Grid, w.Indicators = terr, g, Indicators()
	w.Layers = map[string]*data.Layer{defaultLayer: l1, "extra": l2, "empty": empty}
	return w, nil
}

// DifficultyTotal is the tiny world's people in difficulty. Calibrated on
// Σ population × index / 10 (A 700 × 0.6 + B 70 × 0.8 + C 50 × 0.2 = 486),
// the factor is 1 and a commune's share in difficulty is its index / 10,
// which keeps the hand figures simple.
const DifficultyTotal = 486

// Indicators are the tiny world's indicators: A index 6, classed C; D
// no index, NC; B index 8, partly classed P; C index 2, no ZRR class.
func Indicators() indicators.Indicators {
	return indicators.Indicators{
		"01001": {Fragility: &indicators.Fragility{Total: 6, NoTHD: 1, No4G: 2, Poverty: 9, Older65: 9, NoDiploma: 9}, ZRR: indicators.ZRRClassified},
		"01002": {ZRR: indicators.ZRRNotClassified},
		"02001": {Fragility: &indicators.Fragility{Total: 8}, ZRR: indicators.ZRRPartial},
		"02002": {Fragility: &indicators.Fragility{Total: 2}},
	}
}
