package siteindex

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
)

func TestWithinUnsorted(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pts := make([]orb.Point, 3000)
	for i := range pts {
		pts[i] = orb.Point{-5 + 13*r.Float64(), 42 + 9*r.Float64()}
	}
	ix := New(pts)
	var got, again, want []Neighbor
	nonEmpty := 0
	for range 500 {
		p := orb.Point{-5 + 13*r.Float64(), 42 + 9*r.Float64()}
		radius := []float64{0, 1000, 30000, 120000}[r.IntN(4)]
		got = ix.WithinUnsorted(p, radius, got)
		again = ix.WithinUnsorted(p, radius, again)
		if !reflect.DeepEqual(got, again) {
			t.Fatalf("WithinUnsorted(%v, %v): two calls differ", p, radius)
		}
		for _, nb := range got { // the cached cosines change no bit
			if d := geo.DistanceM(p, pts[nb.ID]); nb.DistanceM != d {
				t.Fatalf("WithinUnsorted(%v, %v): point %d at %v m, geo.DistanceM %v m", p, radius, nb.ID, nb.DistanceM, d)
			}
		}
		want = ix.Within(p, radius, want)
		slices.SortFunc(got, compareNeighbors)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("WithinUnsorted(%v, %v) sorted = %v, Within = %v", p, radius, got, want)
		}
		if len(want) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < 200 || len(ix.WithinUnsorted(orb.Point{2, 48}, -1, nil)) != 0 {
		t.Fatalf("%d non-empty queries; negative radius must give none", nonEmpty)
	}
}
