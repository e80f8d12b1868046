package data

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"

	"github.com/maillage/maillage/geo"
)

func TestBoundaryAreaKm2(t *testing.T) {
	terr := fixtureTerritory(t)
	// Independent areas: orb's spherical area of each square, rescaled from
	// orb's Earth radius to ours.
	k := geo.EarthRadiusM * geo.EarthRadiusM / (orb.EarthRadius * orb.EarthRadius) / 1e6
	area := func(mp orb.MultiPolygon) float64 { return orbgeo.Area(mp) * k }
	want := func(minLon, maxLon float64) float64 { return area(square(minLon, 46.0, maxLon, 46.1)) }
	tests := []struct {
		code string
		want float64
		ok   bool
	}{
		{"01001", want(5.0, 5.1), true}, // a commune of one boundary
		{"01002", want(5.1, 5.2), true}, // own part of a merged commune
		{"01099", want(5.2, 5.4), true}, // the delegated part
		{"2A004", area(square(8.7, 41.9, 8.8, 42.0)), true},
		{"97501", 0, false}, // no boundary
		{"99999", 0, false}, // no commune
	}
	for _, tc := range tests {
		got, ok := terr.BoundaryAreaKm2(tc.code)
		if ok != tc.ok || math.Abs(got-tc.want) > 1e-6*max(1, tc.want) {
			t.Errorf("BoundaryAreaKm2(%s) = %v, %v; want %v, %v", tc.code, got, ok, tc.want, tc.ok)
		}
	}
	c, _ := terr.Commune("01002")
	a, _ := terr.BoundaryAreaKm2("01002")
	b, _ := terr.BoundaryAreaKm2("01099")
	if math.Abs(c.AreaKm2-(a+b)) > 1e-9 {
		t.Errorf("01002: area %v, parts %v + %v", c.AreaKm2, a, b)
	}
}

// BenchmarkLoadCNFSStructures is the start-up cost of the built-in host
// structures (the engine's "structures" step).
func BenchmarkLoadCNFSStructures(b *testing.B) {
	terr := peopleTerritory(b)
	path := filepath.Join(peopleDataDir(b), CNFSStructuresFile)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := LoadCNFSStructures(path, terr); err != nil {
			b.Fatal(err)
		}
	}
}
