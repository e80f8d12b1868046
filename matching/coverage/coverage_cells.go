package coverage

import (
	"fmt"

	"github.com/paulmach/orb"
)

// CellCoverage is the coverage of one H3 cell of the grid.
type CellCoverage struct {
	H3            string    `json:"h3"`         // H3 index, hexadecimal
	Population    float64   `json:"population"` // inhabitants of the scope's communes in the cell: fractional, a commune's population spread in proportion to area (or a population grid)
	DistanceM     float64   `json:"distance_m"` // from the cell centre to the nearest service point
	Covered       bool      `json:"covered"`
	NearestSiteID string    `json:"nearest_site_id"`
	NearestLayer  string    `json:"nearest_layer"`
	Commune       string    `json:"commune,omitempty"`     // INSEE code of the commune holding the centre
	GapZoneID     string    `json:"gap_zone_id,omitempty"` // its gap zone (when gap zones were computed)
	Center        orb.Point `json:"-"`
	GridIndex     int       `json:"-"` // position in the grid (Grid.Cells)
}

// Cells returns the cells of the scope whose centre lies in b, in H3 order.
// When more than limit cells match (limit > 0) it returns none and an error
// wrapping ErrTooManyCells that gives their number.
func (cv *Coverage) Cells(b orb.Bound, limit int) ([]CellCoverage, error) {
	g, sc := cv.c.grid, cv.sc
	n := 0
	for k := 0; k < sc.Len(); k++ {
		if b.Contains(g.Centers[sc.Cell(k)]) {
			n++
		}
	}
	if limit > 0 && n > limit {
		return nil, fmt.Errorf("%w: %d cells in the box, at most %d: narrow the box or the scope", ErrTooManyCells, n, limit)
	}
	out := make([]CellCoverage, 0, n)
	for k := 0; k < sc.Len(); k++ {
		if b.Contains(g.Centers[sc.Cell(k)]) {
			out = append(out, cv.cellCoverage(k))
		}
	}
	return out, nil
}

// CellsPage returns the cells of the scope at positions [offset,
// offset+limit) in H3 order (the order of Cells), and the number of cells
// of the scope: a client can page through every cell without building
// them all.
func (cv *Coverage) CellsPage(offset, limit int) ([]CellCoverage, int) {
	n := cv.sc.Len()
	lo := min(max(offset, 0), n)
	hi := min(n, lo+max(limit, 0))
	out := make([]CellCoverage, 0, hi-lo)
	for k := lo; k < hi; k++ {
		out = append(out, cv.cellCoverage(k))
	}
	return out, n
}

// cellCoverage is the coverage of the k-th cell of the scope.
func (cv *Coverage) cellCoverage(k int) CellCoverage {
	g, sc, ns := cv.c.grid, cv.sc, cv.ns
	i := sc.Cell(k)
	d := ns.CellDistM[i]
	c := CellCoverage{H3: g.Cells[i].String(), Population: sc.CellPop(k), DistanceM: float64(d),
		Covered: cv.Covered(d), Center: g.Centers[i], GridIndex: i}
	if s := ns.cellSite[i]; s >= 0 {
		l := ns.layers[ns.layerOf(ns.cellLayer, i)]
		c.NearestSiteID, c.NearestLayer = cv.c.layers[l].Sites[s].ID, l
	}
	if owner := g.Commune[i]; owner >= 0 {
		c.Commune = cv.c.territory.Communes[owner].Code
	}
	if cv.gapOf != nil && cv.gapOf[k] > 0 {
		c.GapZoneID = cv.Gaps[cv.gapOf[k]-1].ID
	}
	return c
}

// CellPolygon returns the outline of a cell returned by Cells.
func (cv *Coverage) CellPolygon(c *CellCoverage) orb.Polygon {
	return cv.c.grid.CellPolygon(c.GridIndex)
}
