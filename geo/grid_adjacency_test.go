package geo

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// gridOf returns a grid of the given cells (one resolution) with their
// centres and exact areas: what Adjacency reads.
func gridOf(cells []Cell) *Grid {
	set := slices.Clone(cells)
	slices.Sort(set)
	set = slices.Compact(set)
	g := &Grid{Cells: set, Centers: make([]orb.Point, len(set)), AreaKm2: make([]float64, len(set))}
	if len(set) > 0 {
		g.Resolution = set[0].Resolution()
	}
	for i, c := range set {
		g.Centers[i] = CellCenter(c)
		g.AreaKm2[i] = CellAreaKm2(c)
	}
	return g
}

func TestGridGroups(t *testing.T) {
	for _, g := range []*Grid{smallGrid(t), gridOf(Disk(CellAt(orb.Point{2.35, 48.85}, 8), 30)), gridOf(Disk(CellAt(orb.Point{2.35, 48.85}, 2), 3)), {}} {
		starts := g.Groups()
		if starts[0] != 0 || starts[len(starts)-1] != int32(g.Len()) {
			t.Fatalf("res %d: groups %v do not span the %d cells", g.Resolution, starts, g.Len())
		}
		pr := max(0, g.Resolution-groupDepth)
		for k := 0; k+1 < len(starts); k++ {
			lo, hi := starts[k], starts[k+1]
			if lo >= hi {
				t.Fatalf("res %d: empty group %d", g.Resolution, k)
			}
			p := g.Cells[lo].Parent(pr)
			for _, c := range g.Cells[lo:hi] {
				if c.Parent(pr) != p {
					t.Fatalf("res %d: group %d mixes parents %v and %v", g.Resolution, k, p, c.Parent(pr))
				}
			}
			if k > 0 && g.Cells[lo-1].Parent(pr) == p {
				t.Fatalf("res %d: groups %d and %d share parent %v", g.Resolution, k-1, k, p)
			}
		}
	}
}

func TestAdjacencyNeighbors(t *testing.T) {
	pent := CellAt(pentagonCentre(), 6)
	grids := map[string]*Grid{
		"small":    smallGrid(t),
		"disk":     gridOf(Disk(CellAt(orb.Point{2.35, 48.85}, 8), 12)),
		"pentagon": gridOf(Disk(pent, 3)),
	}
	for name, g := range grids {
		for _, workers := range []int{1, 3} {
			a := g.Adjacency(workers)
			var want []int32
			for i := range g.Cells {
				want = g.Neighbors(i, want)
				if got := a.Neighbors(int32(i)); !slices.Equal(got, want) {
					t.Fatalf("%s, %d workers: Neighbors(%d) = %v, Grid.Neighbors %v", name, workers, i, got, want)
				}
			}
		}
	}
	a := grids["pentagon"].Adjacency(1)
	i, _ := grids["pentagon"].Index(pent)
	if n := len(a.Neighbors(int32(i))); n != 5 {
		t.Errorf("pentagon with %d neighbours, want 5", n)
	}
}

// positions returns the grid positions of cells (each once, ascending) and
// a membership test.
func positions(g *Grid, cells []Cell) ([]int32, func(int32) bool) {
	in := make([]bool, g.Len())
	var out []int32
	for _, c := range cells {
		if i, ok := g.Index(c); ok && !in[i] {
			in[i] = true
			out = append(out, int32(i))
		}
	}
	slices.Sort(out)
	return out, func(i int32) bool { return in[i] }
}

func TestAdjacencyOutline(t *testing.T) {
	for _, tc := range outlineCases(t) {
		var around []Cell // the set and a ring of cells around it
		for _, c := range tc.cells {
			around = append(around, Disk(c, 1)...)
		}
		for _, grid := range []struct {
			name string
			g    *Grid
		}{{"surrounded", gridOf(around)}, {"at the grid's edge", gridOf(tc.cells)}} {
			t.Run(tc.name+", "+grid.name, func(t *testing.T) {
				cells, in := positions(grid.g, tc.cells)
				mp := grid.g.Adjacency(2).Outline(cells, in)
				checkOutline(t, mp, tc.cells, tc.polys, tc.holes)
				if err := sameOutline(mp, CellsOutline(tc.cells)); err != nil {
					t.Fatalf("differs from CellsOutline: %v", err)
				}
			})
		}
	}
}

// TestAdjacencyOutlineRandom compares Outline with CellsOutline on random
// subsets of a disk: many groups, holes, and holes in holes.
func TestAdjacencyOutlineRandom(t *testing.T) {
	g := gridOf(Disk(CellAt(orb.Point{4.85, 45.75}, 9), 15))
	a := g.Adjacency(2)
	rng := rand.New(rand.NewPCG(14, 1))
	for _, share := range []float64{0.3, 0.6, 0.9} {
		for range 5 {
			var set []Cell
			for _, c := range g.Cells {
				if rng.Float64() < share {
					set = append(set, c)
				}
			}
			cells, in := positions(g, set)
			if err := sameOutline(a.Outline(cells, in), CellsOutline(set)); err != nil {
				t.Fatalf("%.0f %% of %d cells: %v", 100*share, g.Len(), err)
			}
		}
	}
}

// sameOutline reports how a and b differ as sets of polygons, whatever the
// order of the polygons and holes and the start of each ring, to 1e-9°.
func sameOutline(a, b orb.MultiPolygon) error {
	ca, cb := canonicalOutline(a), canonicalOutline(b)
	if len(ca) != len(cb) {
		return fmt.Errorf("%d polygons, want %d", len(ca), len(cb))
	}
	for i := range ca {
		if len(ca[i]) != len(cb[i]) {
			return fmt.Errorf("polygon %d: %d rings, want %d", i, len(ca[i]), len(cb[i]))
		}
		for j := range ca[i] {
			ra, rb := ca[i][j], cb[i][j]
			if len(ra) != len(rb) {
				return fmt.Errorf("polygon %d ring %d: %d points, want %d", i, j, len(ra), len(rb))
			}
			for k := range ra {
				if math.Abs(ra[k][0]-rb[k][0]) > 1e-9 || math.Abs(ra[k][1]-rb[k][1]) > 1e-9 {
					return fmt.Errorf("polygon %d ring %d point %d: %v, want %v", i, j, k, ra[k], rb[k])
				}
			}
		}
	}
	return nil
}

// canonicalOutline starts every ring at its smallest point (to 1e-9°) and
// sorts the holes of each polygon, then the polygons, by their first point.
func canonicalOutline(mp orb.MultiPolygon) orb.MultiPolygon {
	key := func(p orb.Point) [2]int64 {
		return [2]int64{int64(math.Round(p[0] * 1e9)), int64(math.Round(p[1] * 1e9))}
	}
	less := func(p, q orb.Point) int {
		kp, kq := key(p), key(q)
		return cmp.Or(cmp.Compare(kp[0], kq[0]), cmp.Compare(kp[1], kq[1]))
	}
	out := make(orb.MultiPolygon, len(mp))
	for i, poly := range mp {
		out[i] = make(orb.Polygon, len(poly))
		for j, r := range poly {
			open := r[:len(r)-1]
			m := 0
			for k := range open {
				if less(open[k], open[m]) < 0 {
					m = k
				}
			}
			rot := append(slices.Clone(open[m:]), open[:m]...)
			out[i][j] = append(rot, rot[0])
		}
		slices.SortFunc(out[i][1:], func(p, q orb.Ring) int { return less(p[0], q[0]) })
	}
	slices.SortFunc(out, func(p, q orb.Polygon) int { return less(p[0][0], q[0][0]) })
	return out
}

// BenchmarkAdjacency builds the neighbour table of a disk of 10,981 res-8
// cells (radius 60) on 2 workers.
func BenchmarkAdjacency(b *testing.B) {
	g := gridOf(Disk(CellAt(orb.Point{2.35, 48.85}, 8), 60))
	b.ReportAllocs()
	for b.Loop() {
		g.Adjacency(2)
	}
}

// BenchmarkAdjacencyOutline outlines the set of BenchmarkCellsOutline (a
// 10-ring disk with a 3-ring hole, 294 res-8 cells) in a grid holding a
// ring of cells around it.
func BenchmarkAdjacencyOutline(b *testing.B) {
	cells := annulusCells(10, 3)
	g := gridOf(Disk(CellAt(orb.Point{2.35, 48.85}, 8), 11))
	a := g.Adjacency(2)
	pos, in := positions(g, cells)
	b.ReportAllocs()
	for b.Loop() {
		if mp := a.Outline(pos, in); len(mp) != 1 || len(mp[0]) != 2 {
			b.Fatalf("outline %d polygons", len(mp))
		}
	}
}
