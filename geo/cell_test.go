package geo

import (
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestCellAtAndCenter(t *testing.T) {
	for _, res := range []int{0, 5, 8, 15} {
		for _, p := range []orb.Point{{2.35, 48.85}, {55.45, -20.88}, {-61.5, 16.2}} {
			c := CellAt(p, res)
			if !c.IsValid() || c.Resolution() != res {
				t.Fatalf("CellAt(%v, %d) = %v", p, res, c)
			}
			ctr := CellCenter(c)
			if CellAt(ctr, res) != c || !planar.RingContains(CellRing(c), p) {
				t.Fatalf("cell %v: centre %v, point %v outside its ring", c, ctr, p)
			}
		}
	}
	if c := CellAt(orb.Point{math.NaN(), 0}, 8); c.IsValid() {
		t.Errorf("CellAt(NaN) = %v, want an invalid cell", c)
	}
}

func TestParseCell(t *testing.T) {
	c := CellAt(orb.Point{2.35, 48.85}, 8)
	tests := []struct {
		in   string
		want Cell
		ok   bool
	}{
		{c.String(), c, true},
		{"0x" + c.String(), c, true},
		{"", 0, false},
		{"not-a-cell", 0, false},
		{"8f", 0, false}, // hexadecimal, not a cell
		{"ffffffffffffffff", 0, false},
	}
	for _, tc := range tests {
		got, ok := ParseCell(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("ParseCell(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCellRingAndArea(t *testing.T) {
	for _, c := range []Cell{CellAt(orb.Point{2.35, 48.85}, 8), faceEdgeCell(t, 7), CellAt(pentagonCentre(), 4)} {
		r := CellRing(c)
		if len(r) < 6 || r[0] != r[len(r)-1] || RingSignedArea(r) <= 0 || !planar.RingContains(r, CellCenter(c)) {
			t.Fatalf("CellRing(%v) = %v: want a closed counter-clockwise ring around the centre", c, r)
		}
		// The planar ring scaled to km² is within 1 % of the exact area.
		lat := CellCenter(c)[1] * math.Pi / 180
		approx := RingSignedArea(r) * 111.195 * 111.195 * math.Cos(lat)
		if a := CellAreaKm2(c); a <= 0 || math.Abs(approx-a) > 0.01*a {
			t.Fatalf("CellAreaKm2(%v) = %g, planar ring %g", c, a, approx)
		}
	}
}

func TestDisk(t *testing.T) {
	c := CellAt(orb.Point{2.35, 48.85}, 8)
	for k := range 4 {
		d := Disk(c, k)
		if len(d) != 1+3*k*(k+1) || !slices.IsSorted(d) || !slices.Contains(d, c) {
			t.Fatalf("Disk(%v, %d): %d cells, sorted %v", c, k, len(d), slices.IsSorted(d))
		}
	}
	if d := Disk(CellAt(pentagonCentre(), 5), 1); len(d) != 6 {
		t.Errorf("disk 1 around a pentagon: %d cells, want 6", len(d))
	}
}
