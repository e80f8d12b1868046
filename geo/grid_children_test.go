package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	h3 "github.com/uber/h3-go/v4"
)

// TestChildFrameMatchesH3 checks the fast descendant centres and areas against
// h3.CellToLatLng / h3.CellAreaKm2 for every descendant of random coarse
// cells, worldwide and over France, at class II and class III resolutions.
func TestChildFrameMatchesH3(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	points := [][2]float64{{46.5, 2.5}, {43.3, 5.4}, {48.85, 2.35}, {16.2, -61.5}, {4, -53}, {-21.1, 55.5}, {-12.8, 45.1}}
	for range 40 {
		points = append(points, [2]float64{rng.Float64()*150 - 75, rng.Float64()*340 - 170})
	}
	tables := map[[2]int]*childTable{}
	fitted, skipped := 0, 0
	for n, p := range points {
		r := 6 + n%4
		k := r - 1 - n%3
		key := [2]int{k, r}
		if tables[key] == nil {
			tables[key] = newChildTable(k, r)
		}
		tab := tables[key]
		parent := h3.LatLngToCell(h3.NewLatLng(p[0], p[1]), k)
		frame, ok := fitChildFrame(tab, parent)
		if !ok {
			skipped++
			continue
		}
		fitted++
		want := parent.Children(r)
		if len(want) != len(tab.offsets) {
			t.Fatalf("%v: %d children, table has %d", parent, len(want), len(tab.offsets))
		}
		for j, o := range tab.offsets {
			if c := tab.child(parent, j); c != want[j] {
				t.Fatalf("%v child %d: got %v want %v", parent, j, c, want[j])
			}
			lon, lat, area := frame.centre(o)
			ll := h3.CellToLatLng(want[j])
			if math.Abs(lon-ll.Lng) > 1e-9 || math.Abs(lat-ll.Lat) > 1e-9 {
				t.Fatalf("%v child %v: centre (%.12f %.12f) want (%.12f %.12f)", parent, want[j], lon, lat, ll.Lng, ll.Lat)
			}
			if exact := h3.CellAreaKm2(want[j]); math.Abs(area-exact) > 1e-8*exact {
				t.Fatalf("%v child %v: area %.9f want %.9f", parent, want[j], area, exact)
			}
		}
	}
	t.Logf("fitted %d coarse cells, %d skipped (several faces or pentagon)", fitted, skipped)
	if fitted < len(points)*3/4 {
		t.Errorf("only %d of %d coarse cells fitted", fitted, len(points))
	}
}
