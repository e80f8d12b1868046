package geo

import (
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	h3 "github.com/uber/h3-go/v4"
)

// faceEdgeCell returns a res-res cell in southern France that straddles two
// icosahedron faces (faces 3 and 4 meet across France), so that at odd
// (class III) resolutions it has distortion vertices.
func faceEdgeCell(t *testing.T, res int) Cell {
	t.Helper()
	for lat := 41.0; lat < 51; lat += 0.05 {
		coarse := h3.LatLngToCell(h3.NewLatLng(lat, 1+0.25*(lat-41)), 5)
		if len(coarse.IcosahedronFaces()) < 2 {
			continue
		}
		for _, c := range coarse.Children(res) {
			if len(c.IcosahedronFaces()) > 1 && len(h3.CellToBoundary(c)) > 6 {
				return c
			}
		}
	}
	t.Fatal("no cell with distortion vertices found")
	return 0
}

// outlineCase is a set of cells with the polygons and holes of its outline.
type outlineCase struct {
	name         string
	cells        []Cell
	polys, holes int
}

// outlineCases are the sets the outline tests share: single cells, disks,
// an annulus, two groups, and cells with distortion vertices.
func outlineCases(t *testing.T) []outlineCase {
	paris := CellAt(orb.Point{2.35, 48.85}, 8)
	ring2 := Disk(paris, 2)
	var annulus []Cell // disk 2 minus the centre cell: one hole
	for _, c := range ring2 {
		if c != paris {
			annulus = append(annulus, c)
		}
	}
	far := Disk(CellAt(orb.Point{5.4, 43.3}, 8), 1)
	return []outlineCase{
		{"one cell", []Cell{paris}, 1, 0},
		{"duplicates", []Cell{paris, paris}, 1, 0},
		{"disk", ring2, 1, 0},
		{"annulus", annulus, 1, 1},
		{"two groups", append(slices.Clone(annulus), far...), 2, 1},
		{"face edge res 7", Disk(faceEdgeCell(t, 7), 3), 1, 0},
		{"face edge res 9", Disk(faceEdgeCell(t, 9), 4), 1, 0},
		{"empty", nil, 0, 0},
	}
}

func TestCellsOutline(t *testing.T) {
	for _, tc := range outlineCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			checkOutline(t, CellsOutline(tc.cells), tc.cells, tc.polys, tc.holes)
		})
	}
}

// checkOutline checks mp as the outline of cells: closed rings, exteriors
// counter-clockwise and holes clockwise, polys polygons and holes holes, the
// area of the cells, and every cell centre in or near the set on the right
// side.
func checkOutline(t *testing.T, mp orb.MultiPolygon, cells []Cell, polys, holes int) {
	t.Helper()
	n := 0
	for _, poly := range mp {
		n += len(poly) - 1
		for j, r := range poly {
			if len(r) < 4 || r[0] != r[len(r)-1] {
				t.Fatalf("ring %d not closed: %v", j, r)
			}
			if (j == 0) != (RingSignedArea(r) > 0) {
				t.Fatalf("ring %d has the wrong orientation (area %g)", j, RingSignedArea(r))
			}
		}
	}
	if len(mp) != polys || n != holes {
		t.Fatalf("%d polygons %d holes, want %d and %d", len(mp), n, polys, holes)
	}
	set := slices.Clone(cells)
	slices.Sort(set)
	set = slices.Compact(set)
	sum, outline := 0.0, planar.Area(mp)
	var probes []Cell
	for _, c := range set {
		sum += RingSignedArea(CellRing(c))
		probes = append(probes, Disk(c, 1)...)
	}
	if math.Abs(outline-sum) > 1e-9*sum {
		t.Fatalf("outline area %g, cells %g", outline, sum)
	}
	for _, c := range probes {
		_, in := slices.BinarySearch(set, c)
		if got := planar.MultiPolygonContains(mp, CellCenter(c)); got != in {
			t.Fatalf("centre of %v: in outline %v, in set %v", c, got, in)
		}
	}
}

// BenchmarkCellsOutline outlines a 10-ring disk with a 3-ring hole (310
// res-8 cells).
func BenchmarkCellsOutline(b *testing.B) {
	cells := annulusCells(10, 3)
	b.ReportAllocs()
	for b.Loop() {
		if mp := CellsOutline(cells); len(mp) != 1 || len(mp[0]) != 2 {
			b.Fatalf("outline %d polygons", len(mp))
		}
	}
}

// annulusCells returns the res-8 cells of a disk of radius outer around
// Paris without the disk of radius inner, ascending.
func annulusCells(outer, inner int) []Cell {
	c := CellAt(orb.Point{2.35, 48.85}, 8)
	hole := Disk(c, inner)
	var cells []Cell
	for _, d := range Disk(c, outer) {
		if _, found := slices.BinarySearch(hole, d); !found {
			cells = append(cells, d)
		}
	}
	return cells
}
