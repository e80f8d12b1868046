package values

import (
	"strings"
	"testing"
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
