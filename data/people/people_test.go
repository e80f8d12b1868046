package people_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"

	"github.com/paulmach/orb"
)

// fixtureTerritory is the tiny territory of testdata/territory, loaded by
// data.LoadTerritory (data's own tests build the same one in code):
//
//	01001 [5.0, 5.1]×[46.0, 46.1], 1,000 inhabitants, Ain (01), région 84
//	01002 [5.1, 5.2]×[46.0, 46.1] plus its delegated commune 01099
//	      [5.2, 5.4]×[46.0, 46.1] (twice the area), 3,000 inhabitants
//	2A004 [8.7, 8.8]×[41.9, 42.0], 500 inhabitants, Corse-du-Sud, région 94
//	97501 no boundary (an overseas collectivity), 6,000 inhabitants
func fixtureTerritory(tb testing.TB) *data.Territory {
	tb.Helper()
	t, err := fixtureOnce()
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// fixtureOnce loads the fixture territory once: it is only read.
var fixtureOnce = sync.OnceValues(func() (*data.Territory, error) {
	return data.LoadTerritory(filepath.Join("testdata", "territory"))
})

// loadFixture loads testdata/name as candidates or structures.
func loadFixture(tb testing.TB, name string, structures bool) ([]people.Candidate, []people.Structure, error) {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	terr := fixtureTerritory(tb)
	if structures {
		ss, _, err := people.LoadStructures(bytes.NewReader(b), name, textio.FormatUnknown, terr, textio.DecodeLimits{})
		return nil, ss, err
	}
	cs, _, err := people.LoadCandidates(bytes.NewReader(b), name, textio.FormatUnknown, terr, textio.DecodeLimits{})
	return cs, nil, err
}

// errorPositions returns "line:column" for every listed error.
func errorPositions(tb testing.TB, err error) []string {
	tb.Helper()
	var le *people.LoadErrors
	if !errors.As(err, &le) {
		tb.Fatalf("error %v is not *people.LoadErrors", err)
	}
	var out []string
	for _, e := range le.Errors {
		out = append(out, fmt.Sprintf("%d:%s", e.Line, e.Column))
	}
	return out
}

func TestLoadCandidatesGood(t *testing.T) {
	tests := []struct {
		file string
		want []people.Candidate
	}{
		{"candidates_good.csv", []people.Candidate{
			{ID: "c1", Point: orb.Point{5.05, 46.05}, MaxKm: 30, Commune: "01001", Departement: "01", LocatedBy: "coordinates", Attrs: map[string]string{"note": "first"}},
			{ID: "c2", Point: orb.Point{5.15, 46.05}, MaxKm: 12.5, Commune: "01002", Departement: "01", LocatedBy: "commune"},
			{ID: "c3", Point: orb.Point{5.15, 46.05}, MaxKm: 30, Commune: "01001", Departement: "01", LocatedBy: "coordinates", Attrs: map[string]string{"note": "declared commune wins"}},
			{ID: "c4", Point: orb.Point{3, 45}, MaxKm: 30, Departement: "01", LocatedBy: "coordinates", Attrs: map[string]string{"note": "outside every commune"}},
			{ID: "c5", Point: orb.Point{5.15, 46.05}, MaxKm: 30, Commune: "01002", Departement: "01", LocatedBy: "commune"},
			{ID: "c6", Point: orb.Point{5.05, 46.05}, MaxKm: 500, Commune: "01001", Departement: "01", LocatedBy: "coordinates"},
		}},
		{"candidates_semicolon.csv", []people.Candidate{
			{ID: "s1", Point: orb.Point{5.05, 46.05}, MaxKm: 30, Commune: "01001", Departement: "01", LocatedBy: "coordinates"},
			{ID: "s2", Point: orb.Point{5.05, 46.05}, MaxKm: 30, Commune: "01001", Departement: "01", LocatedBy: "commune"},
		}},
		{"candidates.json", []people.Candidate{
			{ID: "j1", Point: orb.Point{5.05, 46.05}, MaxKm: 30, Commune: "01001", Departement: "01", LocatedBy: "coordinates", Attrs: map[string]string{"extra": `{"a":1}`, "flag": "true"}},
			{ID: "2", Point: orb.Point{5.15, 46.05}, MaxKm: 10, Commune: "01002", Departement: "01", LocatedBy: "commune"},
			{ID: "j3", Point: orb.Point{5.15, 46.05}, MaxKm: 30, Commune: "01002", Departement: "01", LocatedBy: "coordinates"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got, _, err := loadFixture(t, tc.file, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d candidates, want %d: %+v", len(got), len(tc.want), got)
			}
			for i := range got {
				// The representative point of a square is its centre.
				if got[i].LocatedBy == people.LocatedByCommune {
					got[i].Point = roundPoint(got[i].Point)
				}
				if !reflect.DeepEqual(got[i], tc.want[i]) {
					t.Errorf("candidate %d:\n got %+v\nwant %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// roundPoint rounds to 1e-9 degree, absorbing centroid arithmetic.
func roundPoint(p orb.Point) orb.Point {
	return orb.Point{float64(int64(p[0]*1e9+0.5)) / 1e9, float64(int64(p[1]*1e9+0.5)) / 1e9}
}

func TestLoadStructuresGood(t *testing.T) {
	tests := []struct {
		file string
		want []people.Structure
	}{
		{"structures_good.csv", []people.Structure{
			{ID: "s1", Name: "Mairie A", Type: "commune", Point: orb.Point{5.05, 46.05}, Posts: 2, Commune: "01001", Departement: "01", Region: "84", LocatedBy: "coordinates", ZRR: "oui", QPV: "non", Attrs: map[string]string{"siret": "123"}, Phase: 1},
			{ID: "s2", Name: "Asso B", Type: "association", Point: orb.Point{5.15, 46.05}, Posts: 1, Commune: "01002", Departement: "01", Region: "84", LocatedBy: "commune", FranceServices: "oui", Phase: 1},
			{ID: "s3", Name: "Corse", Type: "departement", Point: orb.Point{8.75, 41.95}, Posts: 3, Commune: "2A004", Departement: "2A", Region: "94", LocatedBy: "coordinates", Phase: 1},
			{ID: "s4", Name: "Large", Type: "private", Point: orb.Point{3, 45}, Posts: 1, Departement: "2A", Region: "94", LocatedBy: "coordinates", Phase: 2},
		}},
		{"structures.geojson", []people.Structure{
			{ID: "g1", Name: "A", Type: "epci", Point: orb.Point{5.05, 46.05}, Posts: 2, Commune: "01001", Departement: "01", Region: "84", LocatedBy: "coordinates", Phase: 1},
			{ID: "g2", Name: "B", Point: orb.Point{5.05, 46.05}, Posts: 1, Commune: "01001", Departement: "01", Region: "84", LocatedBy: "commune", Attrs: map[string]string{"color": "red"}},
			{ID: "3", Point: orb.Point{8.75, 41.95}, Posts: 1, Commune: "2A004", Departement: "2A", Region: "94", LocatedBy: "coordinates"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			_, got, err := loadFixture(t, tc.file, true)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d structures, want %d: %+v", len(got), len(tc.want), got)
			}
			for i := range got {
				if got[i].LocatedBy == people.LocatedByCommune {
					got[i].Point = roundPoint(got[i].Point)
				}
				if !reflect.DeepEqual(got[i], tc.want[i]) {
					t.Errorf("structure %d:\n got %+v\nwant %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestLoadBadFilesListEveryError(t *testing.T) {
	tests := []struct {
		file       string
		structures bool
		where      string
		want       []string // "line:column"
	}{
		{"candidates_bad.csv", false, "line", []string{
			"3:id", "4:id", "5:lon", "6:lat", "7:commune", "8:lon", "9:max_km", "10:max_km",
			"11:lon", "12:commune", "13:id", "15:lat", "17:max_km",
		}},
		{"structures_bad.csv", true, "line", []string{"2:posts", "3:posts", "4:posts", "5:lon", "6:id", "7:posts"}},
		{"candidates_bad.json", false, "element", []string{"1:id", "2:", "3:lon", "4:commune", "5:id", "6:max_km"}},
		{"structures_bad.geojson", true, "feature", []string{"1:geometry", "2:geometry", "3:posts", "4:lon", "5:id"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			cs, ss, err := loadFixture(t, tc.file, tc.structures)
			if err == nil {
				t.Fatal("bad file accepted")
			}
			if cs != nil || ss != nil {
				t.Errorf("rejected file returned records: %d candidates, %d structures", len(cs), len(ss))
			}
			got := errorPositions(t, err)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("errors at\n %v\nwant\n %v\n%v", got, tc.want, err)
			}
			var le *people.LoadErrors
			errors.As(err, &le)
			for _, e := range le.Errors {
				if e.File != tc.file || e.Where != tc.where || e.Reason == "" {
					t.Errorf("error %+v: want file %s, where %s and a reason", e, tc.file, tc.where)
				}
			}
			if !strings.Contains(err.Error(), tc.file) || strings.Count(err.Error(), "\n") != len(tc.want) {
				t.Errorf("message does not list every error:\n%v", err)
			}
		})
	}
}

func TestLoadErrorReasons(t *testing.T) {
	_, _, err := loadFixture(t, "candidates_bad.csv", false)
	var le *people.LoadErrors
	if !errors.As(err, &le) {
		t.Fatal(err)
	}
	want := map[int]string{
		4:  `duplicate id "ok1" (first at line 2)`,
		7:  `unknown commune code "99999"`,
		8:  "neither coordinates nor commune code",
		11: "outside every commune",
		12: "has no boundary",
		15: "missing lat",
	}
	for _, e := range le.Errors {
		if w, ok := want[e.Line]; ok && !strings.Contains(e.Reason, w) {
			t.Errorf("line %d: reason %q, want it to contain %q", e.Line, e.Reason, w)
		}
	}
}

func TestLoadErrorsCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,lon,lat\n")
	const n = people.MaxRowErrors + 50
	for i := range n {
		fmt.Fprintf(&b, "x%d,5.05,bad\n", i)
	}
	_, _, err := people.LoadCandidates(strings.NewReader(b.String()), "many.csv", textio.FormatCSV, fixtureTerritory(t), textio.DecodeLimits{})
	var le *people.LoadErrors
	if !errors.As(err, &le) {
		t.Fatal(err)
	}
	if len(le.Errors) != people.MaxRowErrors || le.More != 50 || le.Count() != n {
		t.Errorf("listed %d, more %d, count %d; want %d, 50, %d", len(le.Errors), le.More, le.Count(), people.MaxRowErrors, n)
	}
	if last := le.Errors[people.MaxRowErrors-1]; last.Line != people.MaxRowErrors+1 {
		t.Errorf("last listed error at line %d, want %d", last.Line, people.MaxRowErrors+1)
	}
	if !strings.Contains(err.Error(), "and 50 more") {
		t.Errorf("message does not count the unlisted errors: %.200s", err)
	}
}

func TestLoadHeaderErrors(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string
	}{
		{"no id", "name,lon,lat\na,5.05,46.05\n", []string{"1:id"}},
		{"lon alone", "id,lon\na,5.05\n", []string{"1:lon"}},
		{"nothing to locate", "id,name\na,b\n", []string{"1:"}},
		{"twice lon", "id,lon,lng,lat\na,5,5,46\n", []string{"1:lon"}},
		{"empty", "", []string{"1:"}},
		{"field count", "id,lon,lat\na,5.05,46.05,extra\nb,5.05,46.05\n", []string{"2:"}},
		{"bad quote", "id,lon,lat\na,5.05,46.05\n\"b,5.05,46.05\n", []string{"3:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := people.LoadCandidates(strings.NewReader(tc.content), "h.csv", textio.FormatCSV, fixtureTerritory(t), textio.DecodeLimits{})
			if err == nil {
				t.Fatal("accepted")
			}
			if got := errorPositions(t, err); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("errors at %v, want %v: %v", got, tc.want, err)
			}
		})
	}
}

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		name, head string
		want       textio.Format
	}{
		{"a.csv", "", textio.FormatCSV},
		{"a.CSV.gz", "", textio.FormatCSV},
		{"a.geojson", "", textio.FormatGeoJSON},
		{"a.json", `{"type":"FeatureCollection","features":[]}`, textio.FormatGeoJSON},
		{"a.json", ` [ {"id":1} ]`, textio.FormatJSON},
		{"upload", "\ufeff[{}]", textio.FormatJSON},
		{"upload", `{"type": "Feature", "geometry": null}`, textio.FormatGeoJSON},
		{"upload", "id,lon,lat\n", textio.FormatCSV},
		{"upload", "", textio.FormatUnknown},
	}
	for _, tc := range tests {
		if got := textio.DetectFormat(tc.name, []byte(tc.head)); got != tc.want {
			t.Errorf("DetectFormat(%q, %q) = %v, want %v", tc.name, tc.head, got, tc.want)
		}
	}
	for _, f := range []textio.Format{textio.FormatCSV, textio.FormatJSON, textio.FormatGeoJSON} {
		if got, err := textio.ParseFormat(f.String()); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %v, %v", f.String(), got, err)
		}
	}
	if _, err := textio.ParseFormat("xml"); err == nil {
		t.Error("ParseFormat(xml) accepted")
	}
}

func TestLoadCandidatesGzip(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "candidates_good.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(raw)
	zw.Close()
	cs, _, err := people.LoadCandidates(&zb, "candidates_good.csv.gz", textio.FormatUnknown, fixtureTerritory(t), textio.DecodeLimits{})
	if err != nil || len(cs) != 6 {
		t.Fatalf("got %d candidates, %v; want 6", len(cs), err)
	}
}
