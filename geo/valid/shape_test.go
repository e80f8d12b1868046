package valid

import (
	"math"
	"testing"

	"github.com/maillage/maillage/geo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// shapeCases are shapes with their OGC validity (as PostGIS' ST_IsValid
// would say).
var shapeCases = []struct {
	name  string
	shape orb.MultiPolygon
	valid bool
}{
	{"empty", nil, true},
	{"square", orb.MultiPolygon{{ringSquare(0, 0, 1, 1)}}, true},
	{"clockwise square", orb.MultiPolygon{{{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}}}}, true},
	{"square with a hole", orb.MultiPolygon{{ringSquare(0, 0, 3, 3), ringSquare(1, 1, 2, 2)}}, true},
	{"islands", orb.MultiPolygon{{ringSquare(0, 0, 1, 1)}, {ringSquare(2, 0, 3, 1)}}, true},
	{"island in a lake", orb.MultiPolygon{{ringSquare(0, 0, 5, 5), ringSquare(1, 1, 4, 4)}, {ringSquare(2, 2, 3, 3)}}, true},
	// Allowed by OGC, not by the fast path: the library decides.
	{"hole touching the exterior", orb.MultiPolygon{{ringSquare(0, 0, 4, 4), {{0, 2}, {1, 1}, {2, 2}, {1, 3}, {0, 2}}}}, true},
	{"polygons touching at a corner", orb.MultiPolygon{{ringSquare(0, 0, 1, 1)}, {ringSquare(1, 1, 2, 2)}}, true},
	// Invalid.
	{"former communes sharing an edge", orb.MultiPolygon{{ringSquare(0, 0, 1, 1)}, {ringSquare(1, 0, 2, 1)}}, false},
	{"overlapping polygons", orb.MultiPolygon{{ringSquare(0, 0, 2, 2)}, {ringSquare(1, 1, 3, 3)}}, false},
	{"duplicated polygon", orb.MultiPolygon{{ringSquare(0, 0, 1, 1)}, {ringSquare(0, 0, 1, 1)}}, false},
	{"ring touching itself", orb.MultiPolygon{{selfTouching}}, false},
	{"bow tie", orb.MultiPolygon{{{{0, 0}, {2, 2}, {2, 0}, {0, 2}, {0, 0}}}}, false},
	{"hole outside", orb.MultiPolygon{{ringSquare(0, 0, 1, 1), ringSquare(2, 2, 3, 3)}}, false},
	{"hole crossing the exterior", orb.MultiPolygon{{ringSquare(0, 0, 2, 2), ringSquare(1, 1, 3, 3)}}, false},
	{"spike", orb.MultiPolygon{{{{0, 0}, {2, 0}, {2, 1}, {3, 1}, {2, 1}, {2, 2}, {0, 2}, {0, 0}}}}, false},
	{"too few points", orb.MultiPolygon{{{{0, 0}, {1, 0}, {0, 0}}}}, false},
}

// selfTouching is a 4×4 square traced with a diamond loop touching it at
// (2,0), like commune 14174's boundary: the loop is a hole of area 2.
var selfTouching = orb.Ring{{0, 0}, {2, 0}, {1, 1}, {2, 2}, {3, 1}, {2, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}

func TestValidateShape(t *testing.T) {
	var v ShapeValidator // reused across cases, as the loader does
	for _, tc := range shapeCases {
		err := v.Validate(tc.shape)
		if (err == nil) != tc.valid {
			t.Errorf("%s: Validate = %v, want valid %v", tc.name, err, tc.valid)
		}
		if err2 := ValidateShape(tc.shape); (err2 == nil) != (err == nil) {
			t.Errorf("%s: ValidateShape = %v, ShapeValidator = %v", tc.name, err2, err)
		}
		// The fast path proves only valid shapes valid.
		if (&ShapeValidator{}).provedValid(tc.shape) && !tc.valid {
			t.Errorf("%s: proved valid", tc.name)
		}
	}
}

// planarArea is the planar area of mp (holes subtracted), by orb.
func planarArea(mp orb.MultiPolygon) float64 {
	a := 0.0
	for _, p := range mp {
		a += math.Abs(planar.Area(p))
	}
	return a
}

func TestDissolveShapeFails(t *testing.T) {
	for name, mp := range map[string]orb.MultiPolygon{
		"zero area":     {{{{0, 0}, {1, 0}, {2, 0}, {0, 0}}}},
		"NaN":           {{{{0, 0}, {1, 0}, {math.NaN(), 1}, {0, 1}, {0, 0}}}},
		"infinite":      {{{{0, 0}, {1, 0}, {math.Inf(1), 1}, {0, 1}, {0, 0}}}},
		"empty polygon": {{}},
	} {
		if got, err := DissolveShape(mp); err == nil {
			t.Errorf("%s: DissolveShape = %v, want an error", name, got)
		}
	}
}

func TestDissolveShape(t *testing.T) {
	tests := []struct {
		name            string
		shape           orb.MultiPolygon
		polygons, holes int
		area            float64
		inside, outside []orb.Point
	}{
		{"two communes sharing an edge", orb.MultiPolygon{{ringSquare(0, 0, 1, 1)}, {{{2, 0}, {2, 1}, {1, 1}, {1, 0}, {2, 0}}}}, 1, 0, 2,
			[]orb.Point{{1, 0.5}}, nil},
		{"four communes around an enclave", orb.MultiPolygon{
			{ringSquare(0, 0, 3, 1)}, {ringSquare(0, 2, 3, 3)}, {ringSquare(0, 1, 1, 2)}, {ringSquare(2, 1, 3, 2)},
		}, 1, 1, 8, []orb.Point{{0.5, 1}, {2.5, 1.5}}, []orb.Point{{1.5, 1.5}}},
		{"islands stay apart", orb.MultiPolygon{{ringSquare(0, 0, 1, 1)}, {ringSquare(2, 0, 3, 1)}}, 2, 0, 2, nil, []orb.Point{{1.5, 0.5}}},
		{"a ring touching itself", orb.MultiPolygon{{selfTouching}}, 1, 1, 14, []orb.Point{{1, 3}}, []orb.Point{{2, 1}}},
		{"overlapping polygons", orb.MultiPolygon{{ringSquare(0, 0, 2, 2)}, {ringSquare(1, 1, 3, 3)}}, 1, 0, 7, []orb.Point{{1.5, 1.5}}, nil},
		{"empty", nil, 0, 0, 0, nil, nil},
	}
	for _, tt := range tests {
		got, err := DissolveShape(tt.shape)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if err := ValidateShape(got); err != nil {
			t.Errorf("%s: result invalid: %v", tt.name, err)
		}
		holes := 0
		for _, p := range got {
			holes += len(p) - 1
			for i, r := range p {
				if len(r) < 4 || r[0] != r[len(r)-1] {
					t.Errorf("%s: ring %v not closed", tt.name, r)
				}
				// RFC 7946: exterior counter-clockwise, holes clockwise.
				if (r.Orientation() == orb.CCW) != (i == 0) {
					t.Errorf("%s: ring %d wound the wrong way", tt.name, i)
				}
			}
		}
		if len(got) != tt.polygons || holes != tt.holes || planarArea(got) != tt.area {
			t.Errorf("%s: %d polygons, %d holes, area %v; want %d, %d, %v", tt.name, len(got), holes, planarArea(got), tt.polygons, tt.holes, tt.area)
		}
		for _, p := range tt.inside {
			if !geo.MultiPolygonContains(got, p) {
				t.Errorf("%s: %v not inside %v", tt.name, p, got)
			}
		}
		for _, p := range tt.outside {
			if geo.MultiPolygonCovers(got, p) {
				t.Errorf("%s: %v inside %v", tt.name, p, got)
			}
		}
	}
}

// TestValidateShapeRealCommunes checks every 2018 commune boundary: the
// fast path never proves an invalid shape valid, and the one invalid
// boundary of the file is found.
func TestValidateShapeRealCommunes(t *testing.T) {
	fx := realCommunes(t)
	var v ShapeValidator
	var invalid []string
	for i, mp := range fx.shapes {
		lib := toSimpleFeatures(mp).Validate()
		if lib != nil {
			invalid = append(invalid, fx.codes[i])
		}
		if v.provedValid(mp) && lib != nil {
			t.Errorf("%s: proved valid, library says %v", fx.codes[i], lib)
		}
		if err := v.Validate(mp); (err == nil) != (lib == nil) {
			t.Errorf("%s: Validate %v, library %v", fx.codes[i], err, lib)
		}
	}
	if len(invalid) != 1 || invalid[0] != "14174" {
		t.Errorf("invalid boundaries %v, want [14174]", invalid)
	}
}

func BenchmarkValidateShapeFrance(b *testing.B) {
	fx := realCommunes(b)
	var v ShapeValidator
	b.ReportAllocs()
	for b.Loop() {
		for _, mp := range fx.shapes {
			_ = v.Validate(mp)
		}
	}
}
