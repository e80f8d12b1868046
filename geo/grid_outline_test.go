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
func faceEdgeCell(t *testing.T, res int) h3.Cell {
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

func TestCellsOutline(t *testing.T) {
	paris := h3.LatLngToCell(h3.NewLatLng(48.85, 2.35), 8)
	ring2 := h3.GridDisk(paris, 2)
	var annulus []h3.Cell // disk 2 minus the centre cell: one hole
	for _, c := range ring2 {
		if c != paris {
			annulus = append(annulus, c)
		}
	}
	far := h3.GridDisk(h3.LatLngToCell(h3.NewLatLng(43.3, 5.4), 8), 1)
	edge7 := faceEdgeCell(t, 7)
	edge9 := faceEdgeCell(t, 9)
	tests := []struct {
		name         string
		cells        []h3.Cell
		polys, holes int
	}{
		{"one cell", []h3.Cell{paris}, 1, 0},
		{"duplicates", []h3.Cell{paris, paris}, 1, 0},
		{"disk", ring2, 1, 0},
		{"annulus", annulus, 1, 1},
		{"two groups", append(slices.Clone(annulus), far...), 2, 1},
		{"face edge res 7", h3.GridDisk(edge7, 3), 1, 0},
		{"face edge res 9", h3.GridDisk(edge9, 4), 1, 0},
		{"empty", nil, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mp := CellsOutline(tc.cells)
			holes := 0
			for _, poly := range mp {
				holes += len(poly) - 1
				for j, r := range poly {
					if len(r) < 4 || r[0] != r[len(r)-1] {
						t.Fatalf("ring %d not closed: %v", j, r)
					}
					if (j == 0) != (ringSignedArea(r) > 0) {
						t.Fatalf("ring %d has the wrong orientation (area %g)", j, ringSignedArea(r))
					}
				}
			}
			if len(mp) != tc.polys || holes != tc.holes {
				t.Fatalf("%d polygons %d holes, want %d and %d", len(mp), holes, tc.polys, tc.holes)
			}
			// The outline's area is the sum of the cells' areas, and every
			// cell centre (in or out of the set) is classified right.
			set := slices.Clone(tc.cells)
			slices.Sort(set)
			set = slices.Compact(set)
			sum, outline := 0.0, planar.Area(mp)
			var probes []h3.Cell
			for _, c := range set {
				ring := cellRing(c)
				sum += ringSignedArea(ring)
				probes = append(probes, h3.GridDisk(c, 1)...)
			}
			if math.Abs(outline-sum) > 1e-9*sum {
				t.Fatalf("outline area %g, cells %g", outline, sum)
			}
			for _, c := range probes {
				ll := h3.CellToLatLng(c)
				_, in := slices.BinarySearch(set, c)
				if got := planar.MultiPolygonContains(mp, orb.Point{ll.Lng, ll.Lat}); got != in {
					t.Fatalf("centre of %v: in outline %v, in set %v", c, got, in)
				}
			}
		})
	}
}

// cellRing is the closed lon/lat boundary ring of c.
func cellRing(c h3.Cell) orb.Ring {
	var r orb.Ring
	for _, v := range h3.CellToBoundary(c) {
		r = append(r, orb.Point{v.Lng, v.Lat})
	}
	return append(r, r[0])
}

// BenchmarkCellsOutline outlines a 10-ring disk with a 3-ring hole (310
// res-8 cells).
func BenchmarkCellsOutline(b *testing.B) {
	c := h3.LatLngToCell(h3.NewLatLng(48.85, 2.35), 8)
	inner := h3.GridDisk(c, 3)
	slices.Sort(inner)
	var cells []h3.Cell
	for _, d := range h3.GridDisk(c, 10) {
		if _, found := slices.BinarySearch(inner, d); !found {
			cells = append(cells, d)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if mp := CellsOutline(cells); len(mp) != 1 || len(mp[0]) != 2 {
			b.Fatalf("outline %d polygons", len(mp))
		}
	}
}
