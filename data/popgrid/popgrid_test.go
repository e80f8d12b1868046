package popgrid

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLaeaToLonLat checks EPSG:3035 → WGS84 on the IOGP guidance note 7-2
// example: E 3962799.45, N 2999718.85 is 50°N 5°E.
func TestLaeaToLonLat(t *testing.T) {
	lon, lat, _ := laeaToLonLat(3962799.45, 2999718.85, 0)
	if math.Abs(lon-5) > 1e-5 || math.Abs(lat-50) > 1e-5 {
		t.Fatalf("IOGP example: got (%.7f, %.7f), want (5, 50)", lon, lat)
	}
}

func TestLoadPopulationGrid(t *testing.T) {
	pts, rep, err := Load(filepath.Join("testdata", "popgrid-200m.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Format != "insee-carroyees" || rep.CellSizeM != 200 || rep.Points != 2 || rep.Population != 123.5 {
		t.Fatalf("report %+v", rep)
	}
	// The first square's centre is E 3962800, N 2999700: 19 m south of the
	// IOGP point (50°N 5°E) in grid terms, within a few metres in degrees
	// (grid north turns 4° from true north there).
	if p := pts[0].Point; math.Abs(p[0]-5) > 5e-5 || math.Abs(p[1]-(50-18.85/111200)) > 5e-5 || pts[0].Weight != 120.5 {
		t.Errorf("first square %+v", pts[0])
	}
	if d := pts[1].Point[1] - pts[0].Point[1]; math.Abs(d-200.0/111200) > 2e-5 {
		t.Errorf("squares 200 m apart in northing are %.6f° apart in latitude", d)
	}

	pts, rep, err = Load(filepath.Join("testdata", "popgrid-points.csv"))
	if err != nil || rep.Format != "points" || len(pts) != 2 || pts[0].Point[0] != 2.35 || pts[1].Weight != 0.5 {
		t.Fatalf("points: %+v %+v %v", pts, rep, err)
	}
}

func TestLoadPopulationGridErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, body, want string }{
		{"header", "a,b\n1,2\n", "line 1"},
		{"other CRS", "idcar_200m,ind\nCRS5490RES200mN1000E2000,3\n", "line 2: idcar_200m \"CRS5490RES200mN1000E2000\": CRS EPSG:5490 not supported"},
		{"bad id", "idcar_1km,ind\nabc,3\n", "line 2"},
		{"bad number", "lon,lat,weight\n2,48,x\n", "line 2: weight \"x\" is not a number"},
		{"negative", "lon,lat,weight\n2,48,1\n2,48,-1\n", "line 3: negative weight"},
		{"not degrees", "lon,lat,weight\n4000000,2000000,1\n", "line 2: point"},
		{"empty", "lon,lat,weight\n", "no row"},
	}
	for _, tc := range tests {
		p := filepath.Join(dir, tc.name+".csv")
		if err := os.WriteFile(p, []byte(tc.body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := Load(p)
		if !errors.Is(err, ErrGrid) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want it to name the file and %q", tc.name, err, tc.want)
		}
	}
}
