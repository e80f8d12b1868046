package crs

import (
	"bytes"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/wroge/wgs84"
)

// lambert93Refs are lon/lat points and their Lambert-93 coordinates as
// GDAL 3.6 (PROJ) gives them: `gdaltransform -s_srs EPSG:4326 -t_srs
// EPSG:2154 -output_xy`.
var lambert93Refs = []struct {
	name   string
	lonLat orb.Point
	xy     orb.Point
}{
	{"Paris, Notre-Dame", orb.Point{2.3499, 48.8530}, orb.Point{652296.973146007, 6861636.3585152}},
	{"Guéret", orb.Point{1.8707, 46.1712}, orb.Point{612875.015973577, 6564108.76764848}},
	{"Brest", orb.Point{-4.486, 48.390}, orb.Point{146636.139515142, 6836217.36466065}},
	{"Bastia", orb.Point{9.45, 42.70}, orb.Point{1228546.04531601, 6199420.64397506}},
	{"Strasbourg", orb.Point{7.75, 48.58}, orb.Point{1050163.94355659, 6841622.71548826}},
}

func TestLambert93(t *testing.T) {
	l93 := Lambert93()
	for _, r := range lambert93Refs {
		got := l93.Point(r.lonLat)
		if d := math.Hypot(got[0]-r.xy[0], got[1]-r.xy[1]); d > 0.001 {
			t.Errorf("%s: %v, GDAL says %v (%.4f m apart)", r.name, got, r.xy, d)
		}
		back := l93.LonLatBound(orb.Bound{Min: got, Max: got})
		if math.Abs(back.Min[0]-r.lonLat[0]) > 1e-9 || math.Abs(back.Min[1]-r.lonLat[1]) > 1e-9 {
			t.Errorf("%s: back to lon/lat %v, want %v", r.name, back.Min, r.lonLat)
		}
	}
}

// TestLambert93AgainstGDAL runs gdaltransform itself on a grid over
// metropolitan France, when GDAL is installed.
func TestLambert93AgainstGDAL(t *testing.T) {
	if _, err := exec.LookPath("gdaltransform"); err != nil {
		t.Skip("gdaltransform not found: apt-get install gdal-bin")
	}
	var in bytes.Buffer
	var pts []orb.Point
	for lon := -5.0; lon <= 9.5; lon += 0.5 {
		for lat := 41.5; lat <= 51; lat += 0.5 {
			pts = append(pts, orb.Point{lon, lat})
			fmt.Fprintf(&in, "%g %g\n", lon, lat)
		}
	}
	cmd := exec.Command("gdaltransform", "-s_srs", "EPSG:4326", "-t_srs", "EPSG:2154", "-output_xy")
	cmd.Env = append(cmd.Environ(), "OSR_DEFAULT_AXIS_MAPPING_STRATEGY=TRADITIONAL_GIS_ORDER")
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gdaltransform: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(pts) {
		t.Fatalf("gdaltransform gave %d lines for %d points", len(lines), len(pts))
	}
	l93, worst := Lambert93(), 0.0
	for k, line := range lines {
		f := strings.Fields(line)
		x, _ := strconv.ParseFloat(f[0], 64)
		y, _ := strconv.ParseFloat(f[1], 64)
		got := l93.Point(pts[k])
		worst = max(worst, math.Hypot(got[0]-x, got[1]-y))
	}
	t.Logf("%d points, largest difference with GDAL %.6f m", len(pts), worst)
	if worst > 0.001 {
		t.Errorf("largest difference with GDAL %.4f m, want ≤ 1 mm", worst)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"http://www.opengis.net/def/crs/EPSG/0/2154", Lambert93URI, true},
		{"EPSG:2154", Lambert93URI, true},
		{"[EPSG:2154]", Lambert93URI, true},
		{"http://www.opengis.net/def/crs/OGC/1.3/CRS84", CRS84URI, true},
		{"OGC:CRS84", CRS84URI, true},
		{"EPSG:4326", "", false}, // latitude first: not offered, to avoid axis-order mistakes
		{"", "", false},
	} {
		c, err := Parse(tc.in)
		if (err == nil) != tc.ok || (tc.ok && c.URI() != tc.want) {
			t.Errorf("Parse(%q) = %q, %v; want %q, ok %v", tc.in, c.URI(), err, tc.want, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), Lambert93URI) {
			t.Errorf("Parse(%q): error %q does not list the supported systems", tc.in, err)
		}
	}
}

// TestGeometryKeepsWinding: a counter-clockwise lon/lat ring stays
// counter-clockwise in Lambert-93, and the input is not modified.
func TestGeometryKeepsWinding(t *testing.T) {
	ring := orb.Ring{{1.8, 46.1}, {1.9, 46.1}, {1.9, 46.2}, {1.8, 46.2}, {1.8, 46.1}}
	in := orb.Polygon{ring}
	got := Lambert93().Geometry(in).(orb.Polygon)
	if got[0].Orientation() != orb.CCW {
		t.Errorf("winding %v, want CCW", got[0].Orientation())
	}
	if in[0][0] != (orb.Point{1.8, 46.1}) {
		t.Errorf("input modified: %v", in[0][0])
	}
	if CRS84().Geometry(in).(orb.Polygon)[0][1] != ring[1] {
		t.Errorf("CRS84 changed coordinates")
	}
}

// ExampleLambert93 projects Guéret's town hall.
func ExampleLambert93() {
	p := Lambert93().Point(orb.Point{1.8707, 46.1712})
	fmt.Printf("%.2f %.2f\n", p[0], p[1])
	// Output: 612875.02 6564108.77
}

// TestLambert93AgainstWgs84 compares the projection with the maintained
// library github.com/wroge/wgs84 on a grid over metropolitan France and
// Corsica, both ways.
func TestLambert93AgainstWgs84(t *testing.T) {
	ref := wgs84.LonLat().To(wgs84.RGF93FranceLambert())
	l93, worst, worstBack := Lambert93(), 0.0, 0.0
	for lon := -5.5; lon <= 10; lon += 0.25 {
		for lat := 41.0; lat <= 51.5; lat += 0.25 {
			x, y, _ := ref(lon, lat, 0)
			got := l93.Point(orb.Point{lon, lat})
			worst = max(worst, math.Hypot(got[0]-x, got[1]-y))
			back := l93.LonLatBound(orb.Bound{Min: got, Max: got}).Min
			worstBack = max(worstBack, math.Hypot(back[0]-lon, back[1]-lat))
		}
	}
	if worst > 0.001 || worstBack > 1e-9 {
		t.Errorf("largest difference with wroge/wgs84 %.6f m, round trip %.2g°", worst, worstBack)
	}
}

// BenchmarkLambert93Point compares one point projected here and through
// wroge/wgs84 (the reason for lcc.go).
func BenchmarkLambert93Point(b *testing.B) {
	b.Run("maillage", func(b *testing.B) {
		l93 := Lambert93()
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_ = l93.Point(orb.Point{1.8707, 46.1712})
		}
	})
	b.Run("wroge-wgs84", func(b *testing.B) {
		ref := wgs84.LonLat().To(wgs84.RGF93FranceLambert())
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_, _, _ = ref(1.8707, 46.1712, 0)
		}
	})
}
