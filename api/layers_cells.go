package api

import (
	"slices"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/matching"
)

// cellsLayer is the H3 cells of the population grid with their population
// and distance to the nearest site. It is too large to serve whole (about
// 900,000 cells at resolution 8): each query names a bbox or a
// département and may match at most maxCoverageCells cells.
func (s *Server) cellsLayer() *mapLayer {
	l := &mapLayer{Name: "cells", Title: "Population grid (H3)", Kind: kindAnalysis, GeometryType: geomPolygon,
		Source: "grid", MinTileZoom: 8, needsFilter: true,
		Description: "H3 cells of the population grid whose centre lies in the bbox (or in the département), with the " +
			coverageNote + ". Needs bbox= or departement=; at most 50,000 cells per query; tiles from zoom 8.",
		Props: []propSpec{
			{"h3", "string", "H3 index"},
			{"population", "integer", "inhabitants in the cell"},
			{"distance_m", "number", "from the cell centre to the nearest site, metres"},
			{"minutes", "number", "distance_m as minutes of travel under the default travel model"},
			{"minutes_class", "string", "minutes class for colouring: 0-10, 10-20, 20-30, 30-45, 45+"},
			{"covered", "boolean", "within reach"},
			{"nearest_site_id", "string", "nearest site"},
			{"commune", "string", "INSEE code of the commune holding the centre"},
		}}
	l.Count = func() (int, error) { return s.engine.Grid.Len(), nil }
	l.open = func(f layerFilter) (source, error) {
		if !f.HasBBox && f.Departement == "" {
			return nil, badParam("bbox", "the cells layer needs bbox=minLon,minLat,maxLon,maxLat or departement=")
		}
		cv, err := s.mapCoverage()
		if f.Departement != "" {
			cv, err = s.engine.Coverage(matching.CoverageQuery{Departement: f.Departement, NoGaps: true})
		}
		if err != nil {
			return nil, err
		}
		b := orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
		if f.HasBBox {
			b = f.BBox
		}
		cells, err := cv.Cells(b, maxCoverageCells)
		if err != nil {
			return nil, err
		}
		src := &cellsSource{cells: cells, dep: f.Departement, shapes: make([]orb.MultiPolygon, len(cells)),
			bounds: make([]orb.Bound, len(cells))}
		for i := range cells {
			src.shapes[i] = roundRings(orb.MultiPolygon{cv.CellPolygon(&cells[i])})
			src.bounds[i] = src.shapes[i].Bound()
		}
		return src, nil
	}
	return l
}

// cellFilter is the filter that finds one cell by its H3 index: a box on
// its centre.
func cellFilter(id string) (layerFilter, bool) {
	c, ok := geo.ParseCell(id)
	if !ok {
		return layerFilter{}, false
	}
	p := geo.CellCenter(c)
	return layerFilter{BBox: orb.Bound{Min: p, Max: p}, HasBBox: true}, true
}

// cellsSource is the cells of one query, in H3 order.
type cellsSource struct {
	cells  []matching.CellCoverage
	dep    string // the département the cells were selected in, "" for a bbox
	shapes []orb.MultiPolygon
	bounds []orb.Bound
}

func (c *cellsSource) Len() int                      { return len(c.cells) }
func (c *cellsSource) ID(i int) string               { return c.cells[i].H3 }
func (c *cellsSource) Bound(i int) (orb.Bound, bool) { return c.bounds[i], true }
func (c *cellsSource) Geometry(i int) orb.Geometry   { return c.shapes[i] }

func (c *cellsSource) Lookup(id string) (int, bool) {
	i := slices.IndexFunc(c.cells, func(x matching.CellCoverage) bool { return x.H3 == id })
	return i, i >= 0
}

func (c *cellsSource) Props(i int, dst []value) []value {
	x := &c.cells[i]
	mins := x.DistanceM / metresPerMinute
	return append(dst, strVal(x.H3), intVal(x.Population), numVal(round(x.DistanceM, 0)), numVal(round(mins, 1)),
		strVal(minutesClass(mins)), boolVal(x.Covered), optStr(x.NearestSiteID), optStr(x.Commune))
}

func (c *cellsSource) Search(b orb.Bound, fn func(i int) bool) {
	for i := range c.bounds {
		if boundsMeet(c.bounds[i], b) && !fn(i) {
			return
		}
	}
}

// InDepartement returns every cell when they were selected in that
// département, none otherwise (a bbox query is not split by département).
func (c *cellsSource) InDepartement(code string) []int {
	if code != c.dep {
		return nil
	}
	out := make([]int, len(c.cells))
	for i := range out {
		out[i] = i
	}
	return out
}

// boundsMeet reports whether two boxes intersect, edges included.
func boundsMeet(a, b orb.Bound) bool {
	return a.Min[0] <= b.Max[0] && a.Max[0] >= b.Min[0] && a.Min[1] <= b.Max[1] && a.Max[1] >= b.Min[1]
}
