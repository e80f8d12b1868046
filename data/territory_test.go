package data

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/maillage/maillage/data/boundaries"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
)

// realDataDir returns the shared real-data folder, skipping the test when
// it is missing.
func realDataDir(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(dir, CommunesFile)); err != nil {
		tb.Skipf("real data not found in %s: %v", dir, err)
	}
	return dir
}

// realTerritoryOnce loads the real territory once for the territory and
// site tests.
var realTerritoryOnce = sync.OnceValues(func() (*Territory, error) {
	return LoadTerritory(filepath.Join("..", "..", "shared", "data"))
})

// realTerritory returns the real territory, skipping without data.
func realTerritory(tb testing.TB) *Territory {
	tb.Helper()
	realDataDir(tb)
	t, err := realTerritoryOnce()
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// fixtureDir is the hand-written territory of testdata/territory:
//
//	01001 Alpha     [2,3]×[45,46], 100 inhabitants; arrondissement 01101
//	01002 Beta      [3,4]×[45,46], own code, 200 inhabitants, plus
//	01003 Gamma     [3,4]×[46,47], its delegated commune
//	01004 Delta     [2,3]×[46,47], in no COG list: unmatched
//	01005 Epsilon   [5,6]×[45,46] ∪ [7,8]×[45,46], 50 inhabitants
//	01007 Zeta-Eta  no own boundary; its associated commune
//	01008 Eta       [2,3]×[44,45] with a hole [2.4,2.6]×[44.4,44.6], 30 inhabitants
//	97501 Omega     no boundary (zone com), 7 inhabitants
const fixtureDir = "testdata/territory"

func TestLoadTerritoryFixture(t *testing.T) {
	tr, err := LoadTerritory(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	r := tr.Report
	checkInts(t, "report", map[string][2]int{
		"boundaries":           {r.Boundaries, 6},
		"same code":            {r.BoundariesSameCode, 3},
		"merged":               {r.BoundariesMerged, 2},
		"communes":             {r.Communes, 5},
		"with shape":           {r.CommunesWithShape, 4},
		"population":           {r.PopulationTotal, 387},
		"population w/o shape": {r.PopulationWithoutShape, 7},
		"former codes":         {r.FormerCodes, 3}, // 01003, 01008, 01101 (01002 is current)
	})
	checkStrings(t, "unmatched", r.BoundariesUnmatched, []string{"01004"})
	checkStrings(t, "without shape", r.CommunesWithoutShape, []string{"97501"})
	checkStrings(t, "shape only merged", r.CommunesShapeOnlyMerged, []string{"01007"})
	checkStrings(t, "epci unmatched", r.EPCIMembersUnmatched, []string{"200000001:99999", "200000002:01002 (already in 200000001)"})
	if len(tr.Unmatched) != 1 || tr.Unmatched[0].Name != "Delta" {
		t.Errorf("Unmatched = %+v, want Delta", tr.Unmatched)
	}

	beta, ok := tr.Commune("01003")
	if !ok || beta.Code != "01002" {
		t.Fatalf("Commune(01003) = %v, %v; want 01002", beta, ok)
	}
	checkStrings(t, "01002 former codes", beta.FormerCodes, []string{"01003"})
	// Its boundary and 01003's, sharing an edge, are dissolved into one
	// rectangle.
	if len(beta.Shape) != 1 || len(beta.Shape[0]) != 1 || beta.Bound != (orb.Bound{Min: orb.Point{3, 45}, Max: orb.Point{4, 47}}) {
		t.Errorf("01002 shape %d polygons, bound %v; want one polygon", len(beta.Shape), beta.Bound)
	}
	if r.ShapesDissolved != 1 || len(r.BoundariesInvalid)+len(r.BoundariesRepaired)+len(r.ShapesInvalid) != 0 {
		t.Errorf("dissolved %d, invalid %q, repaired %q, shapes invalid %q; want 1 and none",
			r.ShapesDissolved, r.BoundariesInvalid, r.BoundariesRepaired, r.ShapesInvalid)
	}
	// The representative point is the own-code part's centroid, not the
	// merged shape's (which would be on the former shared edge at latitude 46).
	if beta.Rep != (orb.Point{3.5, 45.5}) {
		t.Errorf("01002 Rep = %v, want (3.5, 45.5)", beta.Rep)
	}
	if beta.EPCI != "200000001" {
		t.Errorf("01002 EPCI = %q", beta.EPCI)
	}
	zeta, _ := tr.Commune("01007")
	if !zeta.HasShape() || !geo.MultiPolygonContains(zeta.Shape, zeta.Rep) {
		t.Errorf("01007 Rep %v not inside its merged shape (hole over the centroid)", zeta.Rep)
	}
	eps, _ := tr.Commune("01005")
	// Two 1°×1° boxes at latitude 45–46: 2 × R² × Δλ × (sin 46° − sin 45°).
	rad := math.Pi / 180
	want := 2 * geo.EarthRadiusM * geo.EarthRadiusM / 1e6 * rad * (math.Sin(46*rad) - math.Sin(45*rad))
	if !near(eps.AreaKm2, want, 1e-9) {
		t.Errorf("01005 area %v km², want %v", eps.AreaKm2, want)
	}

	for _, c := range []struct {
		code, want string
		ok         bool
	}{
		{"01001", "01001", true}, {"01101", "01001", true}, {"01003", "01002", true},
		{"01008", "01007", true}, {"01004", "", false}, {"99999", "", false}, {"97501", "97501", true},
	} {
		got, ok := tr.CurrentCode(c.code)
		if got != c.want || ok != c.ok {
			t.Errorf("CurrentCode(%s) = %q, %v; want %q, %v", c.code, got, ok, c.want, c.ok)
		}
	}
	for _, c := range []struct {
		p    orb.Point
		want string
	}{
		{orb.Point{2.5, 45.5}, "01001"}, {orb.Point{3.5, 46.5}, "01002"}, {orb.Point{7.5, 45.2}, "01005"},
		{orb.Point{2.1, 44.1}, "01007"}, {orb.Point{2.5, 44.5}, ""}, {orb.Point{2.5, 46.5}, ""}, {orb.Point{10, 10}, ""},
	} {
		got := ""
		if cm, ok := tr.At(c.p); ok {
			got = cm.Code
		}
		if got != c.want {
			t.Errorf("At(%v) = %q, want %q", c.p, got, c.want)
		}
	}
	if u, ok := tr.UnmatchedAt(orb.Point{2.5, 46.5}); !ok || u.Code != "01004" {
		t.Errorf("UnmatchedAt in Delta = %v, %v", u, ok)
	}
	if ids := tr.CommunesIn("01"); len(ids) != 4 || tr.Communes[ids[0]].Code != "01001" {
		t.Errorf("CommunesIn(01) = %v", ids)
	}
	if d, ok := tr.Departement("975"); !ok || d.Region != "975" {
		t.Errorf("Departement(975) = %v, %v", d, ok)
	}
	if rg, ok := tr.Region("84"); !ok || rg.Name != "Auvergne-Rhône-Alpes" {
		t.Errorf("Region(84) = %v, %v", rg, ok)
	}
	if e, ok := tr.EPCI("200000001"); !ok || !slices.Equal(e.Members, []string{"01001", "01002"}) {
		t.Errorf("EPCI members = %v", e)
	}
	if e, ok := tr.EPCI("200000002"); !ok || !slices.Equal(e.Members, []string{"01005"}) {
		t.Errorf("EPCI members = %v", e)
	}
	if a, _ := tr.Commune("01001"); a.EPCI != "200000001" {
		t.Errorf("01001 EPCI %q", a.EPCI)
	}
}

func TestLoadTerritoryBadInput(t *testing.T) {
	for _, c := range []struct {
		file string
		want []string
	}{
		{"malformed.geojson", []string{"malformed.geojson", "feature 3"}},
		{"nocode.geojson", []string{"nocode.geojson", "feature 2", `no "code"`}},
	} {
		t.Run(c.file, func(t *testing.T) {
			// A whole territory folder whose communes file is the bad one.
			dir := t.TempDir()
			for _, name := range []string{COGCommunesFile, COGDepartementsFile, COGRegionsFile, COGEPCIFile} {
				plain := strings.TrimSuffix(name, ".gz")
				copyFile(t, filepath.Join(fixtureDir, plain), filepath.Join(dir, plain))
			}
			copyFile(t, filepath.Join(fixtureDir, "bad", c.file), filepath.Join(dir, strings.TrimSuffix(CommunesFile, ".gz")))
			_, err := LoadTerritory(dir)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range append(c.want[1:], strings.TrimSuffix(CommunesFile, ".gz")) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			_, err = boundaries.Load(filepath.Join(fixtureDir, "bad", c.file))
			for _, w := range c.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("boundaries.Load error %v does not contain %q", err, w)
				}
			}
		})
	}
	if _, err := LoadTerritory(t.TempDir()); err == nil || !strings.Contains(err.Error(), CommunesFile) {
		t.Errorf("empty folder: error %v should name %s", err, CommunesFile)
	}
}

func copyFile(tb testing.TB, from, to string) {
	tb.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

func near(got, want, rel float64) bool {
	d := got - want
	if d < 0 {
		d = -d
	}
	return d <= rel*max(want, -want)
}

func checkInts(tb testing.TB, what string, m map[string][2]int) {
	tb.Helper()
	for name, gw := range m {
		if gw[0] != gw[1] {
			tb.Errorf("%s %s = %d, want %d", what, name, gw[0], gw[1])
		}
	}
}

func checkStrings(tb testing.TB, what string, got, want []string) {
	tb.Helper()
	if !slices.Equal(got, want) {
		tb.Errorf("%s = %q, want %q", what, got, want)
	}
}

func TestLoadTerritoryReal(t *testing.T) {
	tr := realTerritory(t)
	r := tr.Report
	// Counts observed on the real files (see the package README figures:
	// 34,864 same code, 493 former codes: 408 are delegated communes of
	// today (chefLieu), the 85 others were absorbed without delegated status
	// and are found in the anciensCodes of the commune that absorbed them).
	checkInts(t, "report", map[string][2]int{
		"boundaries":  {r.Boundaries, 35357},
		"same code":   {r.BoundariesSameCode, 34864},
		"merged":      {r.BoundariesMerged, 493},
		"unmatched":   {len(r.BoundariesUnmatched), 0},
		"communes":    {r.Communes, 34969},
		"with shape":  {r.CommunesWithShape, 34868},
		"w/o shape":   {len(r.CommunesWithoutShape), 101},
		"population":  {r.PopulationTotal, 68952941},
		"pop w/o":     {r.PopulationWithoutShape, 607388},
		"former":      {r.FormerCodes, 4285},
		"invariant b": {r.BoundariesSameCode + r.BoundariesMerged + len(r.BoundariesUnmatched), r.Boundaries},
		"invariant c": {r.CommunesWithShape + len(r.CommunesWithoutShape), r.Communes},
		"invariant p": {r.PopulationWithShape + r.PopulationWithoutShape, r.PopulationTotal},
		"communes n":  {len(tr.Communes), r.Communes},
		"index n":     {tr.Index.Len(), r.CommunesWithShape},
	})
	checkStrings(t, "shape only merged", r.CommunesShapeOnlyMerged, []string{"12218", "14581", "49126", "69114"})
	if len(r.FormerCodesUnresolved) != 0 || len(r.EPCIMembersUnmatched) != 0 {
		t.Errorf("unresolved former codes %v, EPCI members %v", r.FormerCodesUnresolved, r.EPCIMembersUnmatched)
	}
	com := 0
	for _, code := range r.CommunesWithoutShape {
		if c, _ := tr.Commune(code); c.Zone == "com" {
			com++
		}
	}
	if com != 94 {
		t.Errorf("%d communes without shape in zone com, want 94", com)
	}
	if !slices.IsSortedFunc(tr.Communes, func(a, b Commune) int { return strings.Compare(a.Code, b.Code) }) {
		t.Error("communes not sorted by code")
	}

	for _, c := range []struct {
		name string
		p    orb.Point
		want string
	}{
		{"Paris", orb.Point{2.3522, 48.8566}, "75056"},
		{"Lyon", orb.Point{4.8357, 45.7640}, "69123"},
		{"Marseille", orb.Point{5.3698, 43.2965}, "13055"},
		{"Ajaccio", orb.Point{8.7369, 41.9192}, "2A004"},
		{"Saint-Denis (La Réunion)", orb.Point{55.4504, -20.8789}, "97411"},
		{"Bay of Biscay", orb.Point{-5.0, 46.0}, ""},
	} {
		got := ""
		if cm, ok := tr.At(c.p); ok {
			got = cm.Code
		}
		if got != c.want {
			t.Errorf("%s: At(%v) = %q, want %q", c.name, c.p, got, c.want)
		}
	}

	// Paris arrondissements resolve to Paris.
	if p, ok := tr.Commune("75118"); !ok || p.Code != "75056" || p.Population < 2_000_000 {
		t.Errorf("Commune(75118) = %v, %v", p, ok)
	}
	// Pluméliau-Bieuzy (56173) absorbed Bieuzy (56016) without delegated
	// commune: its anciensCodes join Bieuzy's boundary to it.
	if c, ok := tr.Commune("56016"); !ok || c.Code != "56173" || !slices.Contains(c.FormerCodes, "56016") {
		t.Errorf("Commune(56016) = %v, %v: want Pluméliau-Bieuzy 56173 holding Bieuzy's shape", c, ok)
	}

	// Orée d'Anjou (49126) has no 2018 boundary of its own code: its shape
	// is its delegated commune Champtoceaux (49069).
	oree, _ := tr.Commune("49126")
	checkStrings(t, "49126 former codes", oree.FormerCodes, []string{"49069"})
	if !oree.HasShape() || !geo.MultiPolygonContains(oree.Shape, oree.Rep) {
		t.Errorf("49126: %d parts, Rep %v", len(oree.Shape), oree.Rep)
	}
	// Brantôme en Périgord (24064), a commune nouvelle of 2019: its six
	// delegated communes' 2018 boundaries join its own.
	brantome, _ := tr.Commune("24064")
	formers := []string{"24079", "24170", "24198", "24391", "24530", "24561"}
	checkStrings(t, "24064 former codes", brantome.FormerCodes, formers)
	for _, f := range formers {
		if got, ok := tr.CurrentCode(f); !ok || got != "24064" {
			t.Errorf("CurrentCode(%s) = %q, %v; want 24064", f, got, ok)
		}
	}
	// The seven 2018 communes are dissolved into one polygon.
	if len(brantome.Shape) != 1 {
		t.Errorf("24064: %d polygons, want 1", len(brantome.Shape))
	}
	// Its representative point is in its own-code part (the town of
	// Brantôme).
	if own := brantome.repShape(); !geo.MultiPolygonContains(own, brantome.Rep) || len(own) == len(brantome.Shape) && own[0][0][0] == brantome.Shape[0][0][0] {
		t.Errorf("24064 Rep %v not in the own-code part", brantome.Rep)
	}
	if c, ok := tr.At(brantome.Rep); !ok || c.Code != "24064" {
		t.Errorf("At(24064 Rep) = %v, %v", c, ok)
	}
	if b := brantome.Bound; !b.Contains(brantome.Rep) || b != brantome.Shape.Bound() {
		t.Errorf("24064 bound %v, shape bound %v", b, brantome.Shape.Bound())
	}
	paris, _ := tr.Commune("75056")
	if !near(paris.AreaKm2, 105.4, 0.02) {
		t.Errorf("Paris area %.1f km², want ≈ 105.4", paris.AreaKm2)
	}
	if len(tr.CommunesIn("2A")) != 124 || len(tr.Departements) != 109 || len(tr.Regions) != 26 || len(tr.EPCIs) != 1255 {
		t.Errorf("2A %d communes, %d départements, %d régions, %d EPCI", len(tr.CommunesIn("2A")), len(tr.Departements), len(tr.Regions), len(tr.EPCIs))
	}
	inEPCI, members := 0, 0
	for _, c := range tr.Communes {
		if c.EPCI != "" {
			inEPCI++
		}
	}
	for _, e := range tr.EPCIs {
		members += len(e.Members)
	}
	if inEPCI != 34871 || members != inEPCI {
		t.Errorf("%d communes in an EPCI, %d members listed; want 34,871", inEPCI, members)
	}
	epci, ok := tr.EPCI(paris.EPCI)
	if !ok || epci.Type != "METRO" {
		t.Errorf("Paris EPCI %q: %v", paris.EPCI, epci)
	}
}

func BenchmarkLoadTerritory(b *testing.B) {
	dir := realDataDir(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadTerritory(dir); err != nil {
			b.Fatal(err)
		}
	}
}
