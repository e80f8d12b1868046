package geo

import (
	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
)

// DefaultResolution is the H3 resolution used when none is configured
// (res 8: hexagons of about 0.74 km², edge about 530 m).
const DefaultResolution = 8

// CellShare is the part of one commune's population assigned to one cell.
type CellShare struct {
	Cell       int32   // index into Grid.Cells
	Population float64 // inhabitants of the commune counted in that cell: fractional, rounded only when a figure is presented
}

// Grid is the H3 grid over the communes: every cell whose centre falls in a
// commune polygon, plus the representative-point cell of each commune too
// small to hold a cell centre. Cells are sorted by H3 index.
//
// Population is conserved: the shares of a commune sum to its population
// (in floating point, see spreadProportional), so the sum of Population over
// cells is the sum of the populations of the communes given to BuildGrid
// with a shape, within rounding far below one inhabitant.
type Grid struct {
	Resolution int
	Cells      []h3.Cell   // sorted ascending
	Centers    []orb.Point // lon/lat of each cell centre
	Population []float64   // inhabitants per cell (sum of its shares, in share order), fractional
	Commune    []int32     // commune id owning the cell centre, or -1 when the cell exists only through a representative point
	AreaKm2    []float64   // area of each cell in km² (within 1e-8 relative of h3.CellAreaKm2 at res ≥ 3, much cheaper)

	// Shares lists, for each commune id, the cells holding its population:
	// Shares[ShareStart[i]:ShareStart[i+1]].
	Shares     []CellShare
	ShareStart []int32

	// Weighted, per commune id, is true when the commune's population
	// followed a population grid (BuildGridWeighted) rather than area; nil
	// for a grid built without one.
	Weighted []bool
}
