package matching

import (
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/geo"
)

// tinyWorld is a hand-built territory for coverage tests, at H3 res 8 near
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
type tinyWorld struct {
	e          *Engine
	cA, cB, xD geo.Cell
	diskA      []geo.Cell // ascending
	diskB      []geo.Cell
}

// tinyOffset offsets p by east and north kilometres.
func tinyOffset(p orb.Point, eastKm, northKm float64) orb.Point {
	const kmPerDegLat = 111.195 // EarthRadiusM × π / 180 / 1000
	lat := p[1] + northKm/kmPerDegLat
	return orb.Point{p[0] + eastKm/(kmPerDegLat*math.Cos(p[1]*math.Pi/180)), lat}
}

func square(p orb.Point, halfDeg float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{
		{p[0] - halfDeg, p[1] - halfDeg}, {p[0] + halfDeg, p[1] - halfDeg},
		{p[0] + halfDeg, p[1] + halfDeg}, {p[0] - halfDeg, p[1] + halfDeg}, {p[0] - halfDeg, p[1] - halfDeg},
	}}}
}

func newTinyWorld(t testing.TB) *tinyWorld {
	t.Helper()
	const res = 8
	base := orb.Point{2.4, 47.1}
	w := &tinyWorld{}
	w.cA = geo.CellAt(base, res)
	pA := geo.CellCenter(w.cA)
	w.cB = geo.CellAt(orb.Point{tinyOffset(pA, 10, 0)[0], pA[1]}, res)
	pB := geo.CellCenter(w.cB)
	w.diskA = geo.Disk(w.cA, 1)
	w.diskB = geo.Disk(w.cB, 1)
	if len(w.diskA) != 7 || len(w.diskB) != 7 {
		t.Fatalf("tiny world: disks of %d and %d cells", len(w.diskA), len(w.diskB))
	}
	for _, c := range w.diskA {
		if c != w.cA {
			w.xD = c
			break
		}
	}

	// Communes, sorted by code: A, D, B, C.
	communes := []data.Commune{
		{Code: "01001", Name: "A", Departement: "01", Region: "84", EPCI: "200000001", Zone: "metro",
			Population: 700, Shape: square(pA, 0.02), Rep: pA, AreaKm2: 9},
		{Code: "01002", Name: "D", Departement: "01", Region: "84", Zone: "metro",
			Population: 30, Shape: square(geo.CellCenter(w.xD), 0.001), Rep: geo.CellCenter(w.xD), AreaKm2: 0.1},
		{Code: "02001", Name: "B", Departement: "02", Region: "32", EPCI: "200000001", Zone: "metro",
			Population: 70, Shape: square(pB, 0.02), Rep: pB, AreaKm2: 9},
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
	cells := append(slices.Clone(w.diskA), w.diskB...)
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
		if slices.Contains(w.diskB, c) {
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
	g.Shares = append(append(sharesA, geo.CellShare{Cell: idx(w.xD), Population: 30}), sharesB...)
	g.ShareStart = []int32{0, 7, 8, 15, 15}
	g.Population = make([]float64, len(cells))
	for _, s := range g.Shares {
		g.Population[s.Cell] += s.Population
	}

	site := func(id string, p orb.Point, layer string) data.Site {
		return data.Site{ID: id, Name: "site " + id, Kind: data.KindFranceServices, Layer: layer, Point: p}
	}
	l1 := &data.Layer{Name: DefaultLayer, Sites: []data.Site{
		site("S1", pA, DefaultLayer), site("S2", tinyOffset(pB, 3, 0), DefaultLayer)}}
	l2 := &data.Layer{Name: "extra", Sites: []data.Site{site("S3", pB, "extra")}}
	for _, l := range []*data.Layer{l1, l2} {
		pts := make([]orb.Point, len(l.Sites))
		for i := range l.Sites {
			pts[i] = l.Sites[i].Point
		}
		l.Index = geo.NewSiteIndex(pts)
	}
	empty := &data.Layer{Name: "empty", Index: geo.NewSiteIndex(nil)}
	// Calibrated on Σ population × index / 10 (A 700 × 0.6 + B 70 × 0.8 +
	// C 50 × 0.2 = 486), the factor is 1 and a commune's share in
	// difficulty is its index / 10, which keeps the hand figures simple.
	w.e = New(Parts{Territory: terr, Grid: g, Indicators: tinyIndicators(),
		Layers: map[string]*data.Layer{DefaultLayer: l1, "extra": l2, "empty": empty}},
		Options{Workers: 2, DifficultyTotal: tinyDifficultyTotal})
	if err := w.e.need.err; err != nil {
		t.Fatal(err)
	}
	return w
}

// tinyDifficultyTotal is the tiny world's people in difficulty.
const tinyDifficultyTotal = 486

// tinyIndicators are the tiny world's indicators: A index 6, classed C; D
// no index, NC; B index 8, partly classed P; C index 2, no ZRR class.
func tinyIndicators() data.Indicators {
	return data.Indicators{
		"01001": {Fragility: &data.Fragility{Total: 6, NoTHD: 1, No4G: 2, Poverty: 9, Older65: 9, NoDiploma: 9}, ZRR: data.ZRRClassified},
		"01002": {ZRR: data.ZRRNotClassified},
		"02001": {Fragility: &data.Fragility{Total: 8}, ZRR: data.ZRRPartial},
		"02002": {Fragility: &data.Fragility{Total: 2}},
	}
}
