package geo

import (
	"slices"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
)

// Cell is an H3 cell index. It is h3-go's type under a name of this
// package, so that the rest of maillage works with the grid without
// importing h3-go: geo is the one package that calls H3.
type Cell = h3.Cell

// CellAt returns the res-res cell containing p (lon/lat). The cell is 0
// (not valid) when p is not a finite point or res is out of [0, 15].
func CellAt(p orb.Point, res int) Cell {
	return h3.LatLngToCell(h3.NewLatLng(p[1], p[0]), res)
}

// ParseCell returns the cell of a hexadecimal H3 index (as Cell.String
// writes it, "0x" prefix allowed), and false when s is not a valid cell.
func ParseCell(s string) (Cell, bool) {
	c := Cell(h3.IndexFromString(s))
	return c, c.IsValid()
}

// CellCenter returns the centre of c (lon/lat).
func CellCenter(c Cell) orb.Point {
	ll := h3.CellToLatLng(c)
	return orb.Point{ll.Lng, ll.Lat}
}

// CellRing returns the outline of c as a closed counter-clockwise lon/lat
// ring: 7 points for a hexagon, more where the cell crosses an icosahedron
// edge (distortion vertices).
func CellRing(c Cell) orb.Ring {
	b := h3.CellToBoundary(c)
	ring := make(orb.Ring, 0, len(b)+1)
	for _, v := range b {
		ring = append(ring, orb.Point{v.Lng, v.Lat})
	}
	return append(ring, ring[0])
}

// CellAreaKm2 returns the exact area of c in km² (about 2.5 µs a call: use
// Grid.AreaKm2 for the cells of a grid).
func CellAreaKm2(c Cell) float64 {
	return h3.CellAreaKm2(c)
}

// Disk returns the cells within k steps of c, c included, in ascending
// order (1 + 3k(k+1) cells away from pentagons).
func Disk(c Cell, k int) []Cell {
	d := h3.GridDisk(c, k)
	slices.Sort(d)
	return d
}
