// Package testworld builds a small world in code — six communes in three
// départements, a few service points in two layers, indicators and a
// coarse population grid — and the matching.Engine over it, so that tests
// of the packages above matching run in milliseconds without the real
// data files.
//
// The world, around 1.6–1.8°E, 45.9–46.0°N (in Creuse's latitudes):
//
//	            lon 1.60        1.70        1.80
//	lat 46.00   23001 Alpha     23002 Beta  63001 Epsilon
//	lat 45.90   87001 Gamma     87002 Delta
//
// Each commune with a shape is a 0.1° square centred on the point shown;
// 63002 Zeta has no shape. Départements 23 and 87 are in région 75, 63 in
// région 84. Layer france-services holds FS1 at Alpha's centre and FS2 at
// Gamma's; layer cnfs-permanences holds CP1 at Epsilon's. The built-in
// structures dataset holds two structures, in Beta and Delta.
package testworld

import (
	"fmt"

	"github.com/maillage/maillage/data/indicators"
	"github.com/maillage/maillage/data/people"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/siteindex"
	"github.com/maillage/maillage/matching"
)

// Resolution is the H3 resolution of the world's grid (cells of about
// 5 km²), coarse enough for a grid of about a hundred cells.
const Resolution = 7

// HalfSideDeg is half the side of a commune square, in degrees.
const HalfSideDeg = 0.05

// Commune is one commune of the world: its INSEE code, name, département,
// région, population and the centre of its square (zero for Zeta, which
// has no shape).
type Commune struct {
	Code, Name, Departement, Region string
	Population                      int
	Center                          orb.Point
}

// Communes are the world's communes, by code.
var Communes = []Commune{
	{"23001", "Alpha", "23", "75", 5000, orb.Point{1.60, 46.00}},
	{"23002", "Beta", "23", "75", 1200, orb.Point{1.70, 46.00}},
	{"63001", "Epsilon", "63", "84", 3000, orb.Point{1.80, 46.00}},
	{"63002", "Zeta", "63", "84", 100, orb.Point{}},
	{"87001", "Gamma", "87", "75", 20000, orb.Point{1.60, 45.90}},
	{"87002", "Delta", "87", "75", 800, orb.Point{1.70, 45.90}},
}

// Site ids of the two layers.
const (
	SiteAlpha   = "FS1" // france-services, at Alpha's centre
	SiteGamma   = "FS2" // france-services, at Gamma's centre
	SiteEpsilon = "CP1" // cnfs-permanences, at Epsilon's centre
)

// Parts returns the world's data, ready for matching.New. Each call builds
// new values, so a test may change them before building its engine.
func Parts() (matching.Parts, error) {
	var communes []data.Commune
	byCode := map[string]Commune{}
	for _, c := range Communes {
		dc := data.Commune{Code: c.Code, Name: c.Name, Departement: c.Departement, Region: c.Region,
			Zone: "metro", Population: c.Population}
		if c.Center != (orb.Point{}) {
			dc.Shape = square(c.Center, HalfSideDeg)
		}
		communes = append(communes, dc)
		byCode[c.Code] = c
	}
	terr, err := data.NewTerritory(communes,
		[]data.Departement{
			{Code: "23", Name: "Creuse", Region: "75", Zone: "metro"},
			{Code: "63", Name: "Puy-de-Dôme", Region: "84", Zone: "metro"},
			{Code: "87", Name: "Haute-Vienne", Region: "75", Zone: "metro"},
		},
		[]data.Region{{Code: "75", Name: "Nouvelle-Aquitaine", Zone: "metro"}, {Code: "84", Name: "Auvergne-Rhône-Alpes", Zone: "metro"}},
		[]data.EPCI{{Code: "200000023", Name: "CC des Carrés", Members: []string{"23001", "23002"}}})
	if err != nil {
		return matching.Parts{}, fmt.Errorf("testworld: %w", err)
	}
	shapes, reps, pops := terr.GridInputs()
	grid, err := geo.BuildGrid(shapes, reps, pops, terr.Index.At, Resolution, 1)
	if err != nil {
		return matching.Parts{}, fmt.Errorf("testworld: grid: %w", err)
	}

	site := func(id, layer string, kind data.SiteKind, commune string) data.Site {
		c := byCode[commune]
		return data.Site{ID: id, Name: "Site " + id, Kind: kind, Commune: c.Code, Departement: c.Departement,
			Layer: layer, Point: c.Center}
	}
	layers := map[string]*data.Layer{
		data.LayerFranceServices: newLayer(data.LayerFranceServices, "2024-08",
			site(SiteAlpha, data.LayerFranceServices, data.KindFranceServices, "23001"),
			site(SiteGamma, data.LayerFranceServices, data.KindFranceServices, "87001")),
		data.LayerCNFSPermanences: newLayer(data.LayerCNFSPermanences, "2022",
			site(SiteEpsilon, data.LayerCNFSPermanences, data.KindCNFSPlace, "63001")),
	}
	structures := []people.Structure{
		{ID: "S-BETA", Name: "Structure Beta", Commune: "23002", Departement: "23", Posts: 2, Point: byCode["23002"].Center},
		{ID: "S-DELTA", Name: "Structure Delta", Commune: "87002", Departement: "87", Posts: 1, Point: byCode["87002"].Center},
	}
	return matching.Parts{
		Territory:  terr,
		Layers:     layers,
		Grid:       grid,
		Structures: map[string][]people.Structure{matching.BuiltinStructuresDataset: structures},
		StructureReports: map[string]data.LoadReport{matching.BuiltinStructuresDataset: {
			File: "testworld", Read: len(structures), Loaded: len(structures), Rejects: []data.Reject{}}},
		Indicators: indicators.Indicators{
			"23001": {Fragility: &indicators.Fragility{Total: 6}, ZRR: indicators.ZRRClassified},
			"23002": {Fragility: &indicators.Fragility{Total: 8}, ZRR: indicators.ZRRPartial},
			"87001": {Fragility: &indicators.Fragility{Total: 3}, ZRR: indicators.ZRRNotClassified},
		},
	}, nil
}

// New returns the engine over the world (matching.New of Parts).
func New() (*matching.Engine, error) {
	p, err := Parts()
	if err != nil {
		return nil, err
	}
	return matching.New(p, matching.Options{Workers: 1}), nil
}

// newLayer returns a layer of sites with its index.
func newLayer(name, vintage string, sites ...data.Site) *data.Layer {
	pts := make([]orb.Point, len(sites))
	for i := range sites {
		pts[i] = sites[i].Point
	}
	return &data.Layer{Name: name, Vintage: vintage, Source: "testworld", Sites: sites, Index: siteindex.New(pts),
		Report: data.LoadReport{File: "testworld", Read: len(sites), Loaded: len(sites), Rejects: []data.Reject{}}}
}

// square is the 0.1°-wide square around p.
func square(p orb.Point, halfDeg float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{
		{p[0] - halfDeg, p[1] - halfDeg}, {p[0] + halfDeg, p[1] - halfDeg},
		{p[0] + halfDeg, p[1] + halfDeg}, {p[0] - halfDeg, p[1] + halfDeg}, {p[0] - halfDeg, p[1] - halfDeg},
	}}}
}
