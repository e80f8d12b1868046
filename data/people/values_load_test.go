package people_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"
)

// Regression tests of issue 13, finding 8: values that strconv accepts but
// no file or parameter should carry (the checks themselves are tested in
// data/values).

// TestLoadRefusesBadValues checks the loaders use the checks above.
func TestLoadRefusesBadValues(t *testing.T) {
	long := strings.Repeat("x", 5<<20)
	tests := []struct {
		name, file string
		structures bool
		lim        textio.DecodeLimits
		column     string // of the expected row error
		reason     string // in its reason
	}{
		{"hex lon", "id,lon,lat\na,0x1.dep0,46.05\n", false, textio.DecodeLimits{}, "lon", "not a decimal number"},
		{"NaN lat", "id,lon,lat\na,5.05,NaN\n", false, textio.DecodeLimits{}, "lat", "not a decimal number"},
		{"Inf max_km", "id,lon,lat,max_km\na,5.05,46.05,Inf\n", false, textio.DecodeLimits{}, "max_km", "not a decimal number"},
		{"1e400 lat", "id,lon,lat\na,5.05,1e400\n", false, textio.DecodeLimits{}, "lat", "beyond the range"},
		{"NUL id", "id,lon,lat\na\x00b,5.05,46.05\n", false, textio.DecodeLimits{}, "", "NUL"},
		{"NUL id json", `[{"id":"a\u0000b","lon":5.05,"lat":46.05}]`, false, textio.DecodeLimits{}, "id", "U+0000"},
		{"RLO id", "id,lon,lat\nab\u202ecd,5.05,46.05\n", false, textio.DecodeLimits{}, "id", "U+202E"},
		{"RLO id geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","id":"a\u202eb","geometry":{"type":"Point","coordinates":[5.05,46.05]}}]}`, false, textio.DecodeLimits{}, "id", "U+202E"},
		{"5 MB id", "id,lon,lat\n" + long + ",5.05,46.05\n", false, textio.DecodeLimits{}, "id", "field 1 is longer than"},
		{"5 MB id unbounded field", "id,lon,lat\n" + long + ",5.05,46.05\n", false, textio.DecodeLimits{MaxFieldBytes: textio.NoLimit}, "id", "more than the 200 allowed"},
		{"posts max int", "id,lon,lat,posts\ns,5.05,46.05,9223372036854775807\n", true, textio.DecodeLimits{}, "posts", "more than 10000, the most posts"},
		{"posts hex", "id,lon,lat,posts\ns,5.05,46.05,0x10\n", true, textio.DecodeLimits{}, "posts", "not a whole number"},
		{"long name", "id,name,lon,lat\ns," + strings.Repeat("n", 600) + ",5.05,46.05\n", true, textio.DecodeLimits{}, "name", "more than the 500 allowed"},
		{"json number coords", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"g"},"geometry":{"type":"Point","coordinates":[500,46]}}]}`, false, textio.DecodeLimits{}, "geometry", "out of range"},
	}
	terr := fixtureTerritory(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			var n int
			if tc.structures {
				var ss []people.Structure
				ss, _, err = people.LoadStructures(strings.NewReader(tc.file), "bad", textio.FormatUnknown, terr, tc.lim)
				n = len(ss)
			} else {
				var cs []people.Candidate
				cs, _, err = people.LoadCandidates(strings.NewReader(tc.file), "bad", textio.FormatUnknown, terr, tc.lim)
				n = len(cs)
			}
			if err == nil || n != 0 {
				t.Fatalf("accepted %d records", n)
			}
			var got textio.RowError
			var le *people.LoadErrors
			var re *textio.ReadError
			switch {
			case errors.As(err, &re):
				got = re.RowError
			case errors.As(err, &le):
				got = le.Errors[0]
			default:
				t.Fatalf("error %T: %v", err, err)
			}
			if got.Column != tc.column || !strings.Contains(got.Reason, tc.reason) || len(got.Reason) > 300 {
				t.Errorf("error %+v, want column %q and a short reason with %q", got, tc.column, tc.reason)
			}
		})
	}
	// What the values checks must not refuse.
	ok := "id,name,lon,lat,posts\nMairie-Guéret_1,Mairie de Guéret (Creuse),5.05,\"46,05\",+3\n"
	ss, _, err := people.LoadStructures(bytes.NewReader([]byte(ok)), "ok.csv", textio.FormatCSV, terr, textio.DecodeLimits{})
	if err != nil || len(ss) != 1 || ss[0].Posts != 3 || ss[0].Point[1] != 46.05 {
		t.Fatalf("good file: %+v, %v", ss, err)
	}
}
