package boundaries

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/maillage/maillage/data/textio"
)

func TestScannerNumber(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"0", 0, true}, {"-0", 0, true}, {"5.54554", 5.54554, true}, {"-61.78", -61.78, true},
		{"45", 45, true}, {"0.000001", 1e-6, true}, {"1e3", 1000, true}, {"2.5E-3", 0.0025, true},
		{"123456789012345678901234", 1.2345678901234568e23, true}, {"0.1234567890123456789", 0.12345678901234568, true},
		{"01", 0, false}, {"-", 0, false}, {"1.", 0, false}, {".5", 0, false}, {"1e", 0, false}, {"abc", 0, false},
	} {
		s := scanner{buf: []byte(c.in)}
		got, err := s.number()
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("number(%q) = %v, %v; want %v, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

// TestScannerNumberBruteForce compares the fast path with strconv on random
// coordinates written with 1 to 17 decimals.
func TestScannerNumberBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200_000 {
		v := (rng.Float64()*2 - 1) * 180
		text := strconv.FormatFloat(v, 'f', 1+i%17, 64)
		want, _ := strconv.ParseFloat(text, 64)
		s := scanner{buf: []byte(text)}
		got, err := s.number()
		if err != nil || got != want || s.pos != len(text) {
			t.Fatalf("number(%q) = %v, %v (pos %d); strconv says %v", text, got, err, s.pos, want)
		}
	}
}

func TestScannerSkipAndStrings(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{`{"a": [1, 2.5, "x\"y", true, false, null, {}], "b": {"c": []}}`, true},
		{`[1, 2`, false}, {`{"a" 1}`, false}, {`{"a": tru}`, false}, {`[1,, 2]`, false},
		{`{"a": "unterminated}`, false}, {"[\"ctl\x01\"]", false}, {`{1: 2}`, false},
	} {
		s := scanner{buf: []byte(c.in)}
		err := s.skip()
		if (err == nil) != c.ok || (c.ok && s.pos != len(c.in)) {
			t.Errorf("skip(%s) = %v at %d", c.in, err, s.pos)
		}
	}
	s := scanner{buf: []byte(` "Saint-\u00c9tienne \"42\"" `)}
	if got, err := s.str(); err != nil || got != `Saint-Étienne "42"` {
		t.Errorf("str = %q, %v", got, err)
	}
}

func TestParseBoundaries(t *testing.T) {
	const head = `{"type": "FeatureCollection", "features": [`
	for _, c := range []struct {
		name, in, err string
	}{
		{"empty", head + `]}`, ""},
		{"trailing", head + `]} x`, "trailing data"},
		{"no features", `{"type": "FeatureCollection"}`, `no "features"`},
		{"point", head + `{"type": "Feature", "properties": {"code": "1"}, "geometry": {"type": "Point", "coordinates": [1, 2]}}]}`, "feature 1: geometry"},
		{"depth", head + `{"type": "Feature", "properties": {"code": "1"}, "geometry": {"type": "MultiPolygon", "coordinates": [[[1, 2]]]}}]}`, "feature 1: geometry"},
		{"numeric code", head + `{"type": "Feature", "properties": {"code": 1001}, "geometry": null}]}`, "code must be a string"},
		{"no geometry", head + `{"type": "Feature", "properties": {"code": "01001"}, "geometry": null}]}`, "code 01001: no geometry"},
		{"second feature", head + `{"type": "Feature", "properties": {"code": "1"}, "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}, {"type": "Feature"]}`, "feature 2"},
		{"position", head + `{"type": "Feature", "properties": {"code": "1"}, "geometry": {"type": "Polygon", "coordinates": [[[0], [1, 0], [1, 1], [0, 0]]]}}]}`, "fewer than 2"},
	} {
		bs, err := Parse([]byte(c.in), "x.geojson")
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "x.geojson")):
			t.Errorf("%s: error %v, want %q", c.name, err, c.err)
		case c.err == "" && len(bs) != 0:
			t.Errorf("%s: %d boundaries", c.name, len(bs))
		}
	}
	// Polygon with a hole and an altitude, MultiPolygon, escaped name.
	in := head + `{"geometry": {"coordinates": [[[0, 0, 9], [4, 0], [4, 4], [0, 4], [0, 0]], [[1, 1], [2, 1], [2, 2], [1, 1]]], "type": "Polygon"}, "properties": {"nom": "L\u0027Ha\u00ff", "code": "2A004"}, "type": "Feature"},
{"type": "Feature", "properties": {"code": "97411", "nom": null}, "geometry": {"type": "MultiPolygon", "coordinates": [[[[10, 10], [11, 10], [11, 11], [10, 10]]], [[[-1, -2], [-3, -2], [-3, -1], [-1, -2]]]]}}]}`
	bs, err := Parse([]byte(in), "x")
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 || bs[0].Code != "2A004" || bs[0].Name != "L'Haÿ" || len(bs[0].Shape) != 1 || len(bs[0].Shape[0]) != 2 ||
		len(bs[0].Shape[0][0]) != 5 || len(bs[0].Shape[0][1]) != 4 || bs[0].Bound.Max != [2]float64{4, 4} {
		t.Fatalf("first boundary %+v", bs[0])
	}
	if b := bs[1]; len(b.Shape) != 2 || b.Shape[1][0][1] != [2]float64{-3, -2} || b.Bound.Min != [2]float64{-3, -2} || b.Bound.Max != [2]float64{11, 11} {
		t.Fatalf("second boundary %+v", b)
	}
	// Rings carved from a shared block have capped capacity: appending to one
	// must not overwrite the next.
	r0 := bs[0].Shape[0][0]
	_ = append(r0, [2]float64{99, 99})
	if bs[0].Shape[0][1][0] != [2]float64{1, 1} {
		t.Error("appending to a ring overwrote the next one")
	}
}

// chunkReader returns its data in chunks of 1 to 7 bytes, as an inflating
// reader may.
type chunkReader struct {
	data []byte
	n    int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	r.n++
	k := min(len(p), len(r.data), 1+r.n%7)
	copy(p, r.data[:k])
	r.data = r.data[k:]
	return k, nil
}

// TestParseStreamMatchesWhole checks that parsing while reading gives the
// boundaries, or the error, of parsing the whole buffer.
func TestParseStreamMatchesWhole(t *testing.T) {
	inputs := map[string][]byte{}
	for _, f := range []string{"communes-2018.geojson", "bad/malformed.geojson", "bad/nocode.geojson"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "territory", f))
		if err != nil {
			t.Fatal(err)
		}
		inputs[f] = b
		inputs[f+" truncated"] = b[:len(b)*2/3]
		inputs[f+" with members"] = append([]byte(`{"bbox": [1, 2.5e1, true, null, false], "crs": {"x": "y\"}"}, `), b[1:]...)
	}
	inputs["no features"] = []byte(`{"type": "FeatureCollection", "other": [1, 2]}`)
	inputs["empty features"] = []byte(` { "features" : [ ] , "type": "FeatureCollection" } `)
	inputs["two features members"] = []byte(`{"features": [], "features": []}`)
	inputs["trailing"] = []byte(`{"features": []} []`)
	inputs["truncated literal"] = []byte(`{"a": tru`)
	for name, in := range inputs {
		whole, werr := Parse(in, "f")
		stream, serr := parseStream(&chunkReader{data: in}, 0, "f", nil, nil)
		if fmt.Sprint(werr) != fmt.Sprint(serr) {
			t.Errorf("%s: whole error %v, stream error %v", name, werr, serr)
		}
		if !reflect.DeepEqual(whole, stream) {
			t.Errorf("%s: whole and stream boundaries differ", name)
		}
		if strings.HasSuffix(name, "truncated") && werr == nil {
			t.Errorf("%s: no error", name)
		}
		if name == "communes-2018.geojson with members" && (werr != nil || len(whole) != 6) {
			t.Errorf("%s: %d boundaries, %v", name, len(whole), werr)
		}
	}
}

// TestLoadBoundariesStreamReal compares the streamed parse of the real
// gzip file with the parse of the whole inflated buffer.
func TestLoadBoundariesStreamReal(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	// The communes file of ../shared/data (data.CommunesFile, which this
	// package cannot import).
	dir := filepath.Join("..", "..", "..", "shared", "data")
	path := filepath.Join(dir, "communes-2018.geojson.gz")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("real data not found in %s: %v", dir, err)
	}
	stream, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	buf, err := textio.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := Parse(buf, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(stream) != 35357 || !reflect.DeepEqual(stream, whole) {
		t.Errorf("stream %d boundaries, whole %d: differ", len(stream), len(whole))
	}
}

func FuzzJSONSkip(f *testing.F) {
	for _, s := range []string{`{}`, `[1,2.5e3,-0,"a\"b",true,false,null]`, `{"a":{"b":[{}]}}`, `"\u00e9"`, `[`, `{"a"}`, `01`, `1e`, `"\x01"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := &scanner{buf: b}
		err := s.skip()
		// The scanner reads numbers as float64, like encoding/json into
		// any: both refuse 1e400.
		var v any
		if json.Unmarshal(b, &v) == nil && (err != nil || s.ws() != 0) {
			t.Fatalf("valid JSON %q: skip error %v, stopped at %d of %d", b, err, s.pos, len(b))
		}
		if s.pos > len(b) {
			t.Fatalf("scanner ran past the end: %d > %d", s.pos, len(b))
		}
	})
}
