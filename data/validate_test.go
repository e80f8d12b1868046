package data

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/maillage/maillage/data/textio"
)

// Regression tests of issue 13, finding 8: values that strconv accepts but
// no file or parameter should carry.

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"5", 5, true}, {"-5.25", -5.25, true}, {"+0.5", 0.5, true}, {"12,5", 12.5, true}, {".5", 0.5, true},
		{"5.", 5, true}, {"1e3", 1000, true}, {"2.5E-1", 0.25, true}, {"1e-400", 0, true}, {"007", 7, true},
		{"0x1.dep0", 0, false}, {"0x10", 0, false}, {"0X1P4", 0, false}, {"Inf", 0, false}, {"+Inf", 0, false},
		{"-infinity", 0, false}, {"NaN", 0, false}, {"nan", 0, false}, {"1e400", 0, false}, {"-1e309", 0, false},
		{"1_000", 0, false}, {"", 0, false}, {" 5", 0, false}, {"5 ", 0, false}, {"1,5,2", 0, false},
		{"1.5,2", 0, false}, {"1e", 0, false}, {"e5", 0, false}, {".", 0, false}, {"-", 0, false}, {"5\x00", 0, false},
		{"١٢", 0, false},
	}
	for _, tc := range tests {
		got, err := ParseDecimal(tc.in)
		if (err == nil) != tc.ok || tc.ok && got != tc.want {
			t.Errorf("ParseDecimal(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestParseRanges(t *testing.T) {
	tests := []struct {
		name  string
		parse func(string) (float64, error)
		in    string
		ok    bool
	}{
		{"lon", ParseLon, "-180", true}, {"lon", ParseLon, "180", true}, {"lon", ParseLon, "180.0001", false},
		{"lon", ParseLon, "0x1.dep0", false}, {"lat", ParseLat, "-90", true}, {"lat", ParseLat, "90,5", false},
		{"lat", ParseLat, "NaN", false}, {"max_km", ParseMaxKm, "500", true}, {"max_km", ParseMaxKm, "0,5", true},
		{"max_km", ParseMaxKm, "0", false}, {"max_km", ParseMaxKm, "500.01", false}, {"max_km", ParseMaxKm, "Inf", false},
	}
	for _, tc := range tests {
		if _, err := tc.parse(tc.in); (err == nil) != tc.ok {
			t.Errorf("%s %q: error %v, want ok %v", tc.name, tc.in, err, tc.ok)
		}
	}
}

func TestParsePosts(t *testing.T) {
	tests := []struct {
		in   string
		want int
		msg  string // in the error when refused
	}{
		{"1", 1, ""}, {"+3", 3, ""}, {"10000", 10000, ""},
		{"0", 0, "less than 1"}, {"-2", 0, "not a whole number"}, {"1.5", 0, "not a whole number"}, {"", 0, "not a whole number"},
		{"10001", 0, "more than 10000"}, {"9223372036854775807", 0, "more than 10000"},
		{"99999999999999999999999", 0, "more than 10000"}, {"0x10", 0, "not a whole number"},
	}
	for _, tc := range tests {
		got, err := ParsePosts(tc.in)
		if tc.msg == "" && (err != nil || got != tc.want) || tc.msg != "" && (err == nil || !strings.Contains(err.Error(), tc.msg)) {
			t.Errorf("ParsePosts(%q) = %d, %v; want %d or an error with %q", tc.in, got, err, tc.want, tc.msg)
		}
	}
}

func TestCheckID(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"s1", true}, {"Mairie-Guéret_23/1", true}, {"日本", true}, {strings.Repeat("a", MaxIDBytes), true},
		{"", false}, {"a\x00b", false}, {"a\u202eb", false}, {"a\u200bb", false}, {"a\nb", false}, {"a\tb", false},
		{"\ufeffid", false}, {"a\x7fb", false}, {"a\u0085b", false}, {"a\xffb", false},
		{strings.Repeat("a", MaxIDBytes+1), false}, {strings.Repeat("x", 5<<20), false},
	}
	for _, tc := range tests {
		if err := CheckID(tc.in); (err == nil) != tc.ok {
			t.Errorf("CheckID(%.40q): %v, want ok %v", tc.in, err, tc.ok)
		} else if err != nil && len(err.Error()) > 200 {
			t.Errorf("CheckID(%.40q): message of %d bytes, want it short", tc.in, len(err.Error()))
		}
	}
	if err := CheckName(strings.Repeat("é", MaxNameBytes/2)); err != nil {
		t.Errorf("CheckName of %d bytes: %v", MaxNameBytes, err)
	}
	if CheckName(strings.Repeat("a", MaxNameBytes+1)) == nil || CheckName("") != nil || CheckName("a\u202eb") == nil {
		t.Error("CheckName accepts too long or hidden characters, or refuses an empty name")
	}
}

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
				var ss []Structure
				ss, _, err = LoadStructures(strings.NewReader(tc.file), "bad", textio.FormatUnknown, terr, tc.lim)
				n = len(ss)
			} else {
				var cs []Candidate
				cs, _, err = LoadCandidates(strings.NewReader(tc.file), "bad", textio.FormatUnknown, terr, tc.lim)
				n = len(cs)
			}
			if err == nil || n != 0 {
				t.Fatalf("accepted %d records", n)
			}
			var got textio.RowError
			var le *LoadErrors
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
	ss, _, err := LoadStructures(bytes.NewReader([]byte(ok)), "ok.csv", textio.FormatCSV, terr, textio.DecodeLimits{})
	if err != nil || len(ss) != 1 || ss[0].Posts != 3 || ss[0].Point[1] != 46.05 {
		t.Fatalf("good file: %+v, %v", ss, err)
	}
}
