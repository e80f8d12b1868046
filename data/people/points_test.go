package people_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"

	"github.com/klauspost/compress/gzip"
	"github.com/paulmach/orb"
)

func TestReadPoints(t *testing.T) {
	want := []people.PointRow{{Point: orb.Point{2.35, 48.85}, ID: "a"}, {Point: orb.Point{-1.5, 47.2}, ID: "b"}, {Point: orb.Point{5.37, 43.29}, ID: ""}}
	tests := []struct {
		name, body string
		format     textio.Format
		pos        []int
	}{
		{"csv without header", "2.35,48.85,a\n-1.5,47.2,b\n5.37,43.29\n", textio.FormatCSV, []int{1, 2, 3}},
		{"csv sniffed", "2.35,48.85,a\r\n-1.5,47.2,b\r\n5.37,43.29,\r\n", textio.FormatUnknown, []int{1, 2, 3}},
		{"csv header any order, semicolons", "id;latitude;longitude;other\na;48.85;2.35;x\nb;47.2;-1.5;y\n;43.29;5.37;z\n", textio.FormatCSV, []int{2, 3, 4}},
		{"csv header, decimal commas", "lat;lon;id\n48,85;2,35;a\n47,2;-1,5;b\n43,29;5,37;\n", textio.FormatCSV, []int{2, 3, 4}},
		{"json array", `[{"lon":2.35,"lat":48.85,"id":"a"},{"lon":"-1.5","lat":47.2,"id":"b"},{"lat":43.29,"lon":5.37,"extra":[1]}]`, textio.FormatUnknown, []int{0, 1, 2}},
		{"geojson", `{"type":"FeatureCollection","features":[
			{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[2.35,48.85]},"properties":{}},
			{"type":"Feature","geometry":{"type":"Point","coordinates":[-1.5,47.2]},"properties":{"id":"b"}},
			{"type":"Feature","geometry":{"type":"Point","coordinates":[5.37,43.29]},"properties":null}]}`, textio.FormatUnknown, []int{0, 1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := people.ReadPoints(strings.NewReader(tc.body), "points", tc.format, textio.DecodeLimits{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%d points, want %d: %+v", len(got), len(want), got)
			}
			for i := range want {
				w := want[i]
				w.Pos = tc.pos[i]
				if got[i] != w {
					t.Errorf("point %d: %+v, want %+v", i, got[i], w)
				}
			}
		})
	}
}

func TestReadPointsGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("lon,lat\n1,2\n3,4\n"))
	zw.Close()
	got, _, err := people.ReadPoints(&buf, "points", textio.FormatUnknown, textio.DecodeLimits{})
	if err != nil || len(got) != 2 || got[1].Point != (orb.Point{3, 4}) {
		t.Fatalf("%+v, %v", got, err)
	}
}

// TestReadPointsErrors checks that a bad point rejects the whole file with
// the line, element or feature at fault, and bounds give a *ReadError.
func TestReadPointsErrors(t *testing.T) {
	tests := []struct {
		name, body string
		where      string
		line       int
		col        string
	}{
		{"csv bad latitude", "2.35,48.85\n1,2\n3,95\n", "line", 3, "lat"},
		{"csv missing latitude", "lon,lat,id\n1,2,a\n3,,b\n", "line", 3, "lat"},
		{"csv not a number", "1,2\nabc,4\n", "line", 2, "lon"},
		{"csv header without coordinates", "name,town\nx,y\n", "line", 1, "lon"},
		{"csv bad id", "1,2,\"a\x01b\"\n", "line", 1, "id"},
		{"json not an object", `[{"lon":1,"lat":2},3]`, "element", 1, ""},
		{"json no coordinates", `[{"lon":1,"lat":2},{"id":"x"}]`, "element", 1, "lon"},
		{"geojson not a point", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}},{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]}}]}`, "feature", 1, "geometry"},
		{"empty csv", "lon,lat\n", "line", 1, ""},
		{"empty json", "[]", "element", 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := people.ReadPoints(strings.NewReader(tc.body), "points", textio.FormatUnknown, textio.DecodeLimits{})
			var le *people.LoadErrors
			if !errors.As(err, &le) || len(le.Errors) == 0 {
				t.Fatalf("error %v, want *people.LoadErrors", err)
			}
			e := le.Errors[0]
			if e.Line != tc.line || e.Column != tc.col || (tc.where != "" && e.Where != tc.where) {
				t.Errorf("error %+v, want %s %d column %q", e, tc.where, tc.line, tc.col)
			}
		})
	}
	if _, _, err := people.ReadPoints(strings.NewReader(""), "points", textio.FormatUnknown, textio.DecodeLimits{}); !errors.Is(err, textio.ErrUnknownFormat) {
		t.Errorf("empty body: %v, want ErrUnknownFormat", err)
	}
	var many strings.Builder
	for range 11 {
		many.WriteString("1,2\n")
	}
	_, _, err := people.ReadPoints(strings.NewReader(many.String()), "points", textio.FormatCSV, textio.DecodeLimits{MaxRows: 10})
	if !errors.Is(err, textio.ErrTooManyRows) {
		t.Errorf("11 rows with MaxRows 10: %v, want ErrTooManyRows", err)
	}
	_, _, err = people.ReadPoints(strings.NewReader(strings.Repeat("1,2\n", 100)), "points", textio.FormatCSV, textio.DecodeLimits{MaxBytes: 64})
	if !errors.Is(err, textio.ErrTooLarge) {
		t.Errorf("400 bytes with MaxBytes 64: %v, want ErrTooLarge", err)
	}
}

// BenchmarkReadPoints100k reads 100,000 CSV points lon,lat,id.
func BenchmarkReadPoints100k(b *testing.B) {
	var sb strings.Builder
	for i := range 100_000 {
		fmt.Fprintf(&sb, "%.6f,%.6f,c%d\n", 2+float64(i%1000)/1000, 46+float64(i%777)/1000, i)
	}
	body := sb.String()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := people.ReadPoints(strings.NewReader(body), "points", textio.FormatCSV, textio.DecodeLimits{}); err != nil {
			b.Fatal(err)
		}
	}
}
