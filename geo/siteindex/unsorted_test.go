package siteindex

import (
	"math"
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

// TestWithinChordUnsorted: the chord distances stay far within
// ChordToleranceM of geo.DistanceM, every point of WithinUnsorted is
// returned, and the extra ones lie within the tolerance beyond the radius.
func TestWithinChordUnsorted(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	pts := make([]orb.Point, 4000)
	for i := range pts {
		pts[i] = orb.Point{-5 + 13*r.Float64(), 42 + 9*r.Float64()}
	}
	ix := New(pts)
	var got, exact []Neighbor
	worst, points := 0.0, 0
	for range 400 {
		p := orb.Point{-5 + 13*r.Float64(), 42 + 9*r.Float64()}
		radius := []float64{0, 1000, 30000, 120000, 1e6}[r.IntN(5)]
		got = ix.WithinChordUnsorted(p, radius, got)
		exact = ix.WithinUnsorted(p, radius, exact)
		in := map[int]bool{}
		for _, nb := range got {
			d := geo.DistanceM(p, pts[nb.ID])
			worst = max(worst, math.Abs(nb.DistanceM-d))
			if d > radius+ChordToleranceM || nb.DistanceM > radius+ChordToleranceM {
				t.Fatalf("WithinChordUnsorted(%v, %v): point %d at %v m (chord %v m)", p, radius, nb.ID, d, nb.DistanceM)
			}
			in[nb.ID] = true
		}
		for _, nb := range exact {
			if !in[nb.ID] {
				t.Fatalf("WithinChordUnsorted(%v, %v) misses point %d at %v m", p, radius, nb.ID, nb.DistanceM)
			}
		}
		points += len(exact)
	}
	if worst > ChordToleranceM/1000 || points < 10000 {
		t.Fatalf("chord distances up to %v m from the haversine (want far below %v m); %d points", worst, ChordToleranceM, points)
	}
	t.Logf("%d points, chord and haversine distances differ by at most %.3g m", points, worst)
}
