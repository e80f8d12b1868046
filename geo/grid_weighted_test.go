package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
)

// TestBuildGridWeighted spreads two communes both ways: by area (every
// cell gets pop × its area share, fractional) and following a population
// grid (the points' cells get everything, in proportion to their weights;
// a commune the grid does not reach falls back to area).
func TestBuildGridWeighted(t *testing.T) {
	const res = 8
	shapes := []orb.MultiPolygon{{{box(2.30, 48.80, 2.35, 48.87)}}, {{box(2.35, 48.80, 2.40, 48.87)}}}
	reps := []orb.Point{{2.32, 48.83}, {2.37, 48.83}}
	pops := []int{7, 1000} // commune 0: fewer inhabitants than cells
	locate := bruteLocate(shapes)

	area, err := BuildGrid(shapes, reps, pops, locate, res, 2)
	if err != nil {
		t.Fatal(err)
	}
	checkGridInvariants(t, area, shapes, pops, 1)
	if area.Weighted != nil {
		t.Errorf("grid without points: Weighted %v, want nil", area.Weighted)
	}
	// Area mode: every cell of commune 0 holds a fraction, none is empty
	// (largest remainder left most of its cells at 0).
	for _, s := range area.CommuneShares(0) {
		if !(s.Population > 0 && s.Population < 1) {
			t.Fatalf("commune 0 (7 inhabitants over %d cells): share %v", len(area.CommuneShares(0)), s.Population)
		}
	}

	// Population grid: 3 points in commune 0 (two in the same cell), none
	// in commune 1.
	a, b := orb.Point{2.31, 48.81}, orb.Point{2.34, 48.86}
	points := []PopulationPoint{{a, 2}, {a, 1}, {b, 1}, {orb.Point{10, 10}, 5 /* outside every commune */}}
	g, err := BuildGridWeighted(shapes, reps, pops, points, locate, res, 2)
	if err != nil {
		t.Fatal(err)
	}
	checkGridInvariants(t, g, shapes, pops, 1)
	if len(g.Weighted) != 2 || !g.Weighted[0] || g.Weighted[1] {
		t.Fatalf("Weighted %v, want [true false]", g.Weighted)
	}
	ca, _ := g.Index(h3.LatLngToCell(h3.NewLatLng(a[1], a[0]), res))
	cb, _ := g.Index(h3.LatLngToCell(h3.NewLatLng(b[1], b[0]), res))
	for _, s := range g.CommuneShares(0) {
		want := 0.0
		switch int(s.Cell) {
		case ca:
			want = 7 * 3.0 / 4
		case cb:
			want = 7 * 1.0 / 4
		}
		if math.Abs(s.Population-want) > 1e-9 {
			t.Errorf("commune 0 cell %d: %v inhabitants, want %v", s.Cell, s.Population, want)
		}
	}
	if c, ok := g.MostPopulatedCell(0); !ok || c != ca {
		t.Errorf("most populated cell of commune 0: %d, want %d (3 of the 4 weights)", c, ca)
	}
	// Commune 1 (no point): by area, as without grid.
	for j, s := range g.CommuneShares(1) {
		if s.Population != area.CommuneShares(1)[j].Population {
			t.Fatalf("commune 1 not spread by area: %v against %v", s.Population, area.CommuneShares(1)[j].Population)
		}
	}
	if _, err := BuildGridWeighted(shapes, reps, pops, []PopulationPoint{{a, -1}}, locate, res, 1); err == nil {
		t.Error("negative weight accepted")
	}
}
