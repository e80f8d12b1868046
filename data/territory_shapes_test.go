package data

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/maillage/maillage/data/boundaries"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/peterstace/simplefeatures/geom"

	"github.com/maillage/maillage/geo"
)

// ogcInvalid returns why shape is not a valid OGC geometry according to
// simplefeatures, reached through GeoJSON so that the check shares no code
// with valid.ValidateShape (its fast path, its conversion).
func ogcInvalid(tb testing.TB, shape orb.MultiPolygon) error {
	tb.Helper()
	raw, err := geojson.NewGeometry(shape).MarshalJSON()
	if err != nil {
		tb.Fatal(err)
	}
	_, err = geom.UnmarshalGeoJSON(raw)
	return err
}

// shapesTerritory is a territory whose communes exercise dissolving:
//
//	01001 Alpha [0,3]×[0,1] with its delegated communes 01002 [0,3]×[2,3],
//	      01003 [0,1]×[1,2] and 01004 [2,3]×[1,2]: a 3×3 square with a
//	      hole [1,2]×[1,2], which is
//	01005 Enclave [1,2]×[1,2];
//	01006 Noeud [10,14]×[0,4] traced with a diamond loop touching the
//	      exterior at (12,0): one ring crossing itself at a vertex, invalid
//	      (like 14174 in the real data), whose loop is a hole of area 2;
//	01007 Trait a ring of zero area along y = 0, which no union repairs.
func shapesTerritory(t *testing.T) *Territory {
	t.Helper()
	const collection = `{"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"code": "01001", "nom": "Alpha"}, "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [3, 0], [3, 1], [0, 1], [0, 0]]]}},
{"type": "Feature", "properties": {"code": "01002", "nom": "Alpha-Nord"}, "geometry": {"type": "Polygon", "coordinates": [[[0, 2], [3, 2], [3, 3], [0, 3], [0, 2]]]}},
{"type": "Feature", "properties": {"code": "01003", "nom": "Alpha-Ouest"}, "geometry": {"type": "Polygon", "coordinates": [[[0, 1], [1, 1], [1, 2], [0, 2], [0, 1]]]}},
{"type": "Feature", "properties": {"code": "01004", "nom": "Alpha-Est"}, "geometry": {"type": "MultiPolygon", "coordinates": [[[[2, 1], [3, 1], [3, 2], [2, 2], [2, 1]]]]}},
{"type": "Feature", "properties": {"code": "01005", "nom": "Enclave"}, "geometry": {"type": "Polygon", "coordinates": [[[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]]]}},
{"type": "Feature", "properties": {"code": "01006", "nom": "Noeud"}, "geometry": {"type": "Polygon", "coordinates": [[[10, 0], [12, 0], [11, 1], [12, 2], [13, 1], [12, 0], [14, 0], [14, 4], [10, 4], [10, 0]]]}},
{"type": "Feature", "properties": {"code": "01007", "nom": "Trait"}, "geometry": {"type": "Polygon", "coordinates": [[[20, 0], [21, 0], [22, 0], [20, 0]]]}}
]}`
	bounds, err := boundaries.Parse([]byte(collection), "shapes.geojson")
	if err != nil {
		t.Fatal(err)
	}
	cur := func(code, name string) cogCommune {
		return cogCommune{Code: code, Name: name, Type: cogCurrent, Departement: "01", Region: "84", Zone: "metro", Population: 100}
	}
	delegated := func(code string) cogCommune {
		return cogCommune{Code: code, Type: cogDelegated, ChefLieu: "01001", Departement: "01", Region: "84"}
	}
	adm := admin{
		communes:     []cogCommune{cur("01001", "Alpha"), delegated("01002"), delegated("01003"), delegated("01004"), cur("01005", "Enclave"), cur("01006", "Noeud"), cur("01007", "Trait")},
		departements: []Departement{{Code: "01", Name: "Ain", Region: "84"}},
		regions:      []Region{{Code: "84", Name: "Auvergne-Rhône-Alpes"}},
	}
	tr, err := newTerritory(bounds, adm)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestTerritoryDissolvesAndRepairs(t *testing.T) {
	tr := shapesTerritory(t)
	r := tr.Report
	if r.ShapesDissolved != 1 {
		t.Errorf("dissolved %d, want 1", r.ShapesDissolved)
	}
	checkStrings(t, "repaired", r.BoundariesRepaired, []string{"01006"})
	if len(r.BoundariesInvalid) != 2 || !strings.HasPrefix(r.BoundariesInvalid[0], "01006: ") || !strings.HasPrefix(r.BoundariesInvalid[1], "01007: ") {
		t.Errorf("invalid boundaries %q, want 01006 and 01007 with their reasons", r.BoundariesInvalid)
	}
	// Trait cannot be repaired: kept as read, with a shape, and reported.
	if len(r.ShapesInvalid) != 1 || !strings.HasPrefix(r.ShapesInvalid[0], "01007: dissolve") || r.CommunesWithShape != 4 {
		t.Errorf("shapes invalid %q, %d communes with a shape; want 01007 and 4", r.ShapesInvalid, r.CommunesWithShape)
	}
	if trait, _ := tr.Commune("01007"); len(trait.Shape) != 1 || len(trait.Shape[0][0]) != 4 {
		t.Errorf("01007 shape %v, want the ring as read", trait.Shape)
	}
	for _, c := range tr.Communes {
		if err := ogcInvalid(t, c.Shape); (err != nil) != (c.Code == "01007") {
			t.Errorf("%s: shape validity: %v", c.Code, err)
		}
	}

	// Alpha: one polygon, its enclave a hole, area the sum of its parts.
	alpha, _ := tr.Commune("01001")
	if len(alpha.Shape) != 1 || len(alpha.Shape[0]) != 2 || alpha.Bound != (orb.Bound{Max: orb.Point{3, 3}}) {
		t.Errorf("01001: %d polygons (%v), bound %v; want one square with a hole", len(alpha.Shape), alpha.Shape, alpha.Bound)
	}
	sum := 0.0
	for _, code := range []string{"01001", "01002", "01003", "01004"} {
		a, ok := tr.BoundaryAreaKm2(code)
		if !ok || !(a > 0) {
			t.Fatalf("BoundaryAreaKm2(%s) = %v, %v", code, a, ok)
		}
		sum += a
	}
	if !near(alpha.AreaKm2, sum, 1e-9) {
		t.Errorf("01001 area %v, parts sum to %v", alpha.AreaKm2, sum)
	}
	if alpha.Rep != (orb.Point{1.5, 0.5}) {
		t.Errorf("01001 Rep %v, want its own part's centre (1.5, 0.5)", alpha.Rep)
	}

	// Noeud: repaired into a square with a diamond hole touching it.
	noeud, _ := tr.Commune("01006")
	if len(noeud.Shape) != 1 || len(noeud.Shape[0]) != 2 {
		t.Errorf("01006: %v, want one polygon with a hole", noeud.Shape)
	}
	want := geo.AreaKm2(orb.MultiPolygon{{
		{{10, 0}, {14, 0}, {14, 4}, {10, 4}, {10, 0}},
		{{12, 0}, {11, 1}, {12, 2}, {13, 1}, {12, 0}},
	}})
	if !near(noeud.AreaKm2, want, 1e-9) {
		t.Errorf("01006 area %v km², want %v (the square less the diamond)", noeud.AreaKm2, want)
	}

	for _, c := range []struct {
		p    orb.Point
		want string
	}{
		{orb.Point{1.5, 1.5}, "01005"}, // the enclave, a hole of Alpha
		{orb.Point{0.5, 1.5}, "01001"}, // a former commune
		{orb.Point{1.5, 1}, "01001"},   // on the enclave's edge: the smaller code
		{orb.Point{12, 1}, ""},         // in Noeud's hole
		{orb.Point{12, 0}, "01006"},    // where its hole touches its exterior
		{orb.Point{14, 4}, "01006"},
	} {
		got := ""
		if com, ok := tr.At(c.p); ok {
			got = com.Code
		}
		if got != c.want {
			t.Errorf("At(%v) = %q, want %q", c.p, got, c.want)
		}
	}
}

func TestLoadTerritoryRealShapesValid(t *testing.T) {
	tr := realTerritory(t)
	r := tr.Report
	// 317 communes gather several 2018 boundaries; one boundary, that of
	// Condé-en-Normandie (14174), has a ring touching itself.
	if r.ShapesDissolved != 317 || len(r.ShapesInvalid) != 0 {
		t.Errorf("dissolved %d, shapes invalid %q; want 317, none", r.ShapesDissolved, r.ShapesInvalid)
	}
	checkStrings(t, "repaired", r.BoundariesRepaired, []string{"14174"})
	if len(r.BoundariesInvalid) != 1 || !strings.HasPrefix(r.BoundariesInvalid[0], "14174: ") {
		t.Errorf("invalid boundaries %q", r.BoundariesInvalid)
	}
	invalid := 0
	for i := range tr.Communes {
		c := &tr.Communes[i]
		if !c.HasShape() {
			continue
		}
		if err := ogcInvalid(t, c.Shape); err != nil {
			invalid++
			if invalid <= 5 {
				t.Errorf("%s %s: %v", c.Code, c.Name, err)
			}
		}
		if c.needsDissolve() && len(c.parts) > 1 {
			sum := 0.0
			for _, p := range c.parts {
				sum += p.areaKm2
			}
			if !near(c.AreaKm2, sum, 1e-3) {
				t.Errorf("%s: area %.4f km², its %d boundaries %.4f", c.Code, c.AreaKm2, len(c.parts), sum)
			}
		}
	}
	if invalid > 0 {
		t.Errorf("%d of %d communes have an invalid shape", invalid, r.CommunesWithShape)
	}
	// Communes of the issue: one polygon each, the area of their parts.
	for _, code := range []string{"01033", "23109", "23149", "23189"} {
		c, _ := tr.Commune(code)
		if len(c.Shape) != 1 || len(c.FormerCodes) == 0 {
			t.Errorf("%s %s: %d polygons, former codes %v; want one polygon", code, c.Name, len(c.Shape), c.FormerCodes)
		}
		sum := 0.0
		for _, f := range append([]string{c.Code}, c.FormerCodes...) {
			a, ok := tr.BoundaryAreaKm2(f)
			if !ok {
				t.Errorf("%s: no area for its boundary %s", code, f)
			}
			sum += a
		}
		if !near(c.AreaKm2, sum, 1e-3) {
			t.Errorf("%s: area %.4f km², its boundaries %.4f", code, c.AreaKm2, sum)
		}
	}
}

// TestTerritoryAtRealBoundaryVertices locates vertices of commune
// boundaries, where the crossing-number rule alone misses every vertex
// whose east side is the sea: each must be found, in the commune of
// smallest code among those whose closed shape holds it.
func TestTerritoryAtRealBoundaryVertices(t *testing.T) {
	tr := realTerritory(t)
	var shaped []int
	for i := range tr.Communes {
		if tr.Communes[i].HasShape() {
			shaped = append(shaped, i)
		}
	}
	rng := rand.New(rand.NewPCG(16, 1000))
	points := []orb.Point{{-2.88831, 47.60372}} // shared by two communes, on the coast (issue 16)
	for len(points) < 1000 {
		c := &tr.Communes[shaped[rng.IntN(len(shaped))]]
		poly := c.Shape[rng.IntN(len(c.Shape))]
		ring := poly[rng.IntN(len(poly))]
		points = append(points, ring[rng.IntN(len(ring))])
	}
	for _, p := range points {
		got, ok := tr.At(p)
		if !ok {
			t.Errorf("At(%v): no commune", p)
			continue
		}
		// Every commune whose box holds p, by code.
		var codes []string
		tr.Index.Search(orb.Bound{Min: p, Max: p}, func(id int) bool {
			if geo.MultiPolygonCovers(tr.Communes[id].Shape, p) {
				codes = append(codes, tr.Communes[id].Code)
			}
			return true
		})
		slices.Sort(codes)
		if len(codes) == 0 || got.Code != codes[0] {
			t.Errorf("At(%v) = %s, communes holding it %v", p, got.Code, codes)
		}
	}
}
