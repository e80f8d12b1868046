package layers

import (
	"slices"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/internal/maplayers"
	"github.com/maillage/maillage/internal/mvt"
	"github.com/maillage/maillage/matching/coverage"
)

// cellsLayer is the H3 cells of the population grid with their population
// and distance to the nearest site. It is too large to serve whole (about
// 900,000 cells at resolution 8): a query naming a bbox or a département
// may match at most httpx.MaxCoverageCells cells, and a query naming neither
// gets one page of the national grid in H3 order (offset, limit), built
// alone, so that a client such as GDAL can open the layer and page through
// it with bounded memory.
func (m *State) cellsLayer() *maplayers.Layer {
	l := &maplayers.Layer{Name: "cells", Title: "Population grid (H3)", Kind: maplayers.KindAnalysis, GeometryType: maplayers.GeomPolygon,
		Source: "grid", MinTileZoom: 8, NeedsFilter: true, IDProp: "h3",
		Description: "H3 cells of the population grid whose centre lies in the bbox (or in the département), with the " +
			coverageNote + ". At most 50,000 cells per bbox or département; without either, the national grid page by page; tiles from zoom 8.",
		Props: []maplayers.PropSpec{
			{Name: "h3", Type: "string", Description: "H3 index"},
			{Name: "population", Type: "number", Description: "inhabitants in the cell (fractional: a commune's population spread over its cells), to 0.01"},
			{Name: "distance_m", Type: "number", Description: "from the cell centre to the nearest site, metres"},
			{Name: "minutes", Type: "number", Description: "distance_m as minutes of travel under the default travel model"},
			{Name: "minutes_class", Type: "string", Description: "minutes class for colouring: 0-10, 10-20, 20-30, 30-45, 45+"},
			{Name: "covered", Type: "boolean", Description: "within reach"},
			{Name: "nearest_site_id", Type: "string", Description: "nearest site"},
			{Name: "commune", Type: "string", Description: "INSEE code of the commune holding the centre"},
		}}
	l.Count = func() (int, error) {
		cv, err := m.mapCoverage()
		if err != nil {
			return 0, err
		}
		_, n := cv.CellsPage(0, 0)
		return n, nil
	}
	l.Open = func(f maplayers.Filter) (maplayers.Source, error) {
		cv, err := m.mapCoverage()
		if f.Departement != "" {
			cv, err = coverage.Compute(m.e.Coverage(), coverage.Query{Departement: f.Departement, NoGaps: true})
		}
		if err != nil {
			return nil, err
		}
		src := &cellsSource{dep: f.Departement}
		if !f.HasBBox && f.Departement == "" {
			src.cells, src.total = cv.CellsPage(f.Offset, f.Limit)
			src.base = min(f.Offset, src.total)
		} else {
			b := orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
			if f.HasBBox {
				b = f.BBox
			}
			if src.cells, err = cv.Cells(b, httpx.MaxCoverageCells); err != nil {
				return nil, err
			}
			src.total = len(src.cells)
		}
		src.shapes, src.bounds = make([]orb.MultiPolygon, len(src.cells)), make([]orb.Bound, len(src.cells))
		for i := range src.cells {
			src.shapes[i] = httpx.RoundRings(orb.MultiPolygon{cv.CellPolygon(&src.cells[i])})
			src.bounds[i] = src.shapes[i].Bound()
		}
		return src, nil
	}
	return l
}

// CellFilter is the filter that finds one cell by its H3 index: a box on
// its centre.
func CellFilter(id string) (maplayers.Filter, bool) {
	c, ok := geo.ParseCell(id)
	if !ok {
		return maplayers.Filter{}, false
	}
	p := geo.CellCenter(c)
	return maplayers.Filter{BBox: orb.Bound{Min: p, Max: p}, HasBBox: true}, true
}

// cellsSource is the cells of one query, in H3 order. A page of the
// national grid holds the cells base..base+len(cells)-1 of total: indexes
// outside the window are never asked for (maplayers.Select and page keep to
// [offset, offset+limit) when nothing narrows the layer).
type cellsSource struct {
	cells  []coverage.CellCoverage
	base   int    // index of cells[0]
	total  int    // cells of the query, window or not
	dep    string // the département the cells were selected in, "" otherwise
	shapes []orb.MultiPolygon
	bounds []orb.Bound
}

func (c *cellsSource) Len() int                      { return c.total }
func (c *cellsSource) ID(i int) string               { return c.cells[i-c.base].H3 }
func (c *cellsSource) Bound(i int) (orb.Bound, bool) { return c.bounds[i-c.base], true }
func (c *cellsSource) Geometry(i int) orb.Geometry   { return c.shapes[i-c.base] }

func (c *cellsSource) Lookup(id string) (int, bool) {
	i := slices.IndexFunc(c.cells, func(x coverage.CellCoverage) bool { return x.H3 == id })
	return c.base + i, i >= 0
}

func (c *cellsSource) Props(i int, dst []mvt.Value) []mvt.Value {
	x := &c.cells[i-c.base]
	mins := x.DistanceM / metresPerMinute
	return append(dst, mvt.Str(x.H3), mvt.Num(httpx.Round(x.Population, 2)), mvt.Num(httpx.Round(x.DistanceM, 0)), mvt.Num(httpx.Round(mins, 1)),
		mvt.Str(minutesClass(mins)), mvt.Boolean(x.Covered), mvt.OptStr(x.NearestSiteID), mvt.OptStr(x.Commune))
}

func (c *cellsSource) Search(b orb.Bound, fn func(i int) bool) {
	for i := range c.bounds {
		if maplayers.BoundsMeet(c.bounds[i], b) && !fn(c.base+i) {
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
		out[i] = c.base + i
	}
	return out
}
