package people_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"

	"github.com/klauspost/compress/gzip"
)

// Regression tests of issue 13, findings 1 and 2: every upload decoder ends
// on a damaged stream and is bounded. The bad inputs are generated here.

// gzipped compresses b.
func gzipped(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	if _, err := zw.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// gzipBomb compresses head, n bytes of fill, then tail, without holding
// the inflated bytes.
func gzipBomb(tb testing.TB, head string, fill byte, n int, tail string) []byte {
	tb.Helper()
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write([]byte(head))
	chunk := bytes.Repeat([]byte{fill}, 1<<20)
	for left := n; left > 0; left -= len(chunk) {
		zw.Write(chunk[:min(left, len(chunk))])
	}
	zw.Write([]byte(tail))
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// candidateFiles returns n valid candidates (in commune 01001 of
// fixtureTerritory) as CSV, JSON and GeoJSON.
func candidateFiles(n int) (csv, js, geo []byte) {
	var c, j, g bytes.Buffer
	c.WriteString("id,lon,lat,note\n")
	j.WriteString("[")
	g.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := range n {
		sep := ","
		if i == 0 {
			sep = ""
		}
		fmt.Fprintf(&c, "c%d,5.05,46.05,row %d\n", i, i)
		fmt.Fprintf(&j, "%s\n{\"id\":\"c%d\",\"lon\":5.05,\"lat\":46.05,\"note\":\"row %d\"}", sep, i, i)
		fmt.Fprintf(&g, "%s\n{\"type\":\"Feature\",\"properties\":{\"id\":\"c%d\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[5.05,46.05]}}", sep, i)
	}
	j.WriteString("\n]\n")
	g.WriteString("\n]}\n")
	return c.Bytes(), j.Bytes(), g.Bytes()
}

// loadWithin runs people.LoadCandidates on b and fails the test when it has not
// returned within d (the loader is left running: an endless loop is what
// is being caught).
func loadWithin(t *testing.T, d time.Duration, b []byte, name string, lim textio.DecodeLimits) ([]people.Candidate, textio.FileInfo, error) {
	t.Helper()
	type result struct {
		cs   []people.Candidate
		info textio.FileInfo
		err  error
	}
	terr := fixtureTerritory(t)
	done := make(chan result, 1)
	go func() {
		cs, info, err := people.LoadCandidates(bytes.NewReader(b), name, textio.FormatUnknown, terr, lim)
		done <- result{cs, info, err}
	}()
	select {
	case r := <-done:
		return r.cs, r.info, r.err
	case <-time.After(d):
		t.Fatalf("%s: people.LoadCandidates still running after %v", name, d)
		return nil, textio.FileInfo{}, nil
	}
}

// wantReadError checks that err is a *ReadError wrapping target, naming
// file and a line ≥ 1, and returns it.
func wantReadError(t *testing.T, err error, file string, target error) *textio.ReadError {
	t.Helper()
	var re *textio.ReadError
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T) is not a *ReadError", err, err)
	}
	if !errors.Is(err, target) {
		t.Errorf("error %v does not wrap %v", err, target)
	}
	if re.File != file || re.Line < 1 && re.Where == "line" || !strings.Contains(err.Error(), file) {
		t.Errorf("error %+v does not name file %s and a line", re, file)
	}
	return re
}

func TestLoadDamagedGzipEnds(t *testing.T) {
	const rows = 3000
	csvB, jsB, geoB := candidateFiles(rows)
	flip := func(b []byte) []byte {
		b = bytes.Clone(b)
		for i := len(b) / 2; i < len(b)/2+16; i++ {
			b[i] ^= 0x5a
		}
		return b
	}
	badCRC := func(b []byte) []byte {
		b = bytes.Clone(b)
		b[len(b)-8] ^= 0xff
		return b
	}
	half := func(b []byte) []byte { return b[:len(b)/2] }
	tests := []struct {
		name string
		b    []byte
	}{
		{"truncated.csv.gz", half(gzipped(t, csvB))},
		{"truncated.json.gz", half(gzipped(t, jsB))},
		{"truncated.geojson.gz", half(gzipped(t, geoB))},
		{"flipped.csv.gz", flip(gzipped(t, csvB))},
		{"flipped.json.gz", flip(gzipped(t, jsB))},
		{"flipped.geojson.gz", flip(gzipped(t, geoB))},
		{"crc.csv.gz", badCRC(gzipped(t, csvB))},
		{"crc.geojson.gz", badCRC(gzipped(t, geoB))},
		{"header-only.csv.gz", gzipped(t, csvB)[:5]},
		{"nothing-but-magic.csv.gz", []byte{0x1f, 0x8b}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs, _, err := loadWithin(t, 2*time.Second, tc.b, tc.name, textio.DecodeLimits{})
			if cs != nil {
				t.Errorf("damaged file gave %d candidates", len(cs))
			}
			re := wantReadError(t, err, tc.name, textio.ErrDamagedFile)
			if !strings.Contains(re.Reason, "gzip") {
				t.Errorf("error %v: want the word gzip", err)
			}
		})
	}
	// The whole files load: the damage, not the content, is refused.
	for _, b := range [][]byte{csvB, jsB, geoB} {
		if cs, _, err := loadWithin(t, 5*time.Second, gzipped(t, b), "whole.gz", textio.DecodeLimits{}); err != nil || len(cs) != rows {
			t.Fatalf("whole file: %d candidates, %v", len(cs), err)
		}
	}
}

// allocDuring returns the bytes allocated while fn runs.
func allocDuring(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestLoadBoundedDecoders(t *testing.T) {
	const maxAlloc = 50 << 20
	wide := func(n int, sep string) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteString(sep)
			}
			fmt.Fprintf(&b, "c%d", i)
		}
		return b.String()
	}
	rowsCSV := func(n int) []byte {
		var b bytes.Buffer
		b.WriteString("id,lon,lat\n")
		for i := range n {
			fmt.Fprintf(&b, "r%d,5.05,46.05\n", i)
		}
		return b.Bytes()
	}
	longRows := func() []byte { // 60 KB per row, under the field bound, 25 MB in all
		note := strings.Repeat("n", 60<<10)
		var b bytes.Buffer
		b.WriteString("id,lon,lat,note\n")
		for i := 0; b.Len() < 25<<20; i++ {
			fmt.Fprintf(&b, "r%d,5.05,46.05,%s\n", i, note)
		}
		return b.Bytes()
	}
	tests := []struct {
		name     string
		b        []byte
		lim      textio.DecodeLimits
		want     error
		line     int    // expected line (or element) when not 0
		column   string // expected column when not ""
		within   time.Duration
		maxAlloc uint64
	}{
		{name: "bomb-1GiB-field.csv.gz", b: gzipBomb(t, "id,lon,lat,note\nb1,5.05,46.05,", 'x', 1<<30, "\n"),
			want: textio.ErrFieldTooLong, line: 2, column: "note", within: 2 * time.Second, maxAlloc: maxAlloc},
		{name: "bomb-quoted-field.csv.gz", b: gzipBomb(t, "id,lon,lat,note\nb1,5.05,46.05,\"", '\n', 256<<20, "\"\n"),
			want: textio.ErrFieldTooLong, column: "note", within: 2 * time.Second, maxAlloc: maxAlloc},
		{name: "bomb-line.csv.gz", b: gzipBomb(t, "", 'x', 256<<20, "\n"),
			want: textio.ErrFieldTooLong, line: 1, within: 2 * time.Second, maxAlloc: maxAlloc},
		{name: "bomb-string.json.gz", b: gzipBomb(t, `[{"id":"b1","lon":5.05,"lat":46.05,"note":"`, 'x', 256<<20, `"}]`),
			want: textio.ErrFieldTooLong, line: 1, within: 2 * time.Second, maxAlloc: maxAlloc},
		{name: "bomb-number.json.gz", b: gzipBomb(t, `[{"id":"b1","lon":5.05,"lat":46.`, '1', 256<<20, `}]`),
			want: textio.ErrFieldTooLong, within: 2 * time.Second, maxAlloc: maxAlloc},
		{name: "bomb-spaces.geojson.gz", b: gzipBomb(t, `{"type":"FeatureCollection","features":[`, ' ', 256<<20, `]}`),
			want: textio.ErrFieldTooLong, within: 2 * time.Second, maxAlloc: maxAlloc},
		{name: "bomb-rows.csv.gz", b: gzipped(t, longRows()),
			want: textio.ErrTooLarge, within: 5 * time.Second, maxAlloc: maxAlloc},
		{name: "wide-400k.csv", b: []byte(wide(400000, ",") + "\n"), want: textio.ErrTooManyColumns, line: 1, within: time.Second},
		{name: "wide-400k-semicolon.csv.gz", b: gzipped(t, []byte(wide(400000, ";")+"\n")), want: textio.ErrTooManyColumns, line: 1, within: time.Second},
		{name: "wide-row.csv", b: []byte("id,lon,lat\nr1,5.05,46.05," + wide(5000, ",") + "\n"), want: textio.ErrTooManyColumns, line: 2, within: time.Second},
		{name: "wide-object.json", b: []byte(`[{"` + wide(400000, `":1,"`) + `":1}]`), want: textio.ErrTooManyColumns, line: 1, within: time.Second},
		{name: "long-array.geojson", b: []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[` + strings.Repeat("1,", 400000) + `1]}}]}`),
			want: textio.ErrTooManyColumns, within: time.Second},
		{name: "deep.json", b: []byte(strings.Repeat("[", 100000) + strings.Repeat("]", 100000)), want: textio.ErrDamagedFile, within: time.Second},
		{name: "long-field.csv", b: []byte("id,lon,lat,note\nr1,5.05,46.05,short\nr2,5.05,46.05," + strings.Repeat("y", 70<<10) + "\n"),
			want: textio.ErrFieldTooLong, line: 3, column: "note", within: time.Second},
		{name: "long-field-small-limit.csv", b: []byte("id,lon,lat,note\nr1,5.05,46.05,abcdefghijk\n"), lim: textio.DecodeLimits{MaxFieldBytes: 10},
			want: textio.ErrFieldTooLong, line: 2, column: "note", within: time.Second},
		{name: "rows.csv", b: rowsCSV(5000), lim: textio.DecodeLimits{MaxRows: 1000}, want: textio.ErrTooManyRows, line: 1002, within: time.Second},
		{name: "rows.csv.gz", b: gzipped(t, rowsCSV(300000)), want: textio.ErrTooManyRows, line: textio.DefaultMaxRows + 2, within: 10 * time.Second},
		{name: "rows.json", b: func() []byte { _, j, _ := candidateFiles(50); return j }(), lim: textio.DecodeLimits{MaxRows: 10}, want: textio.ErrTooManyRows, line: 10, within: time.Second},
		{name: "rows.geojson", b: func() []byte { _, _, g := candidateFiles(50); return g }(), lim: textio.DecodeLimits{MaxRows: 10}, want: textio.ErrTooManyRows, line: 10, within: time.Second},
		{name: "bytes.csv", b: rowsCSV(1000), lim: textio.DecodeLimits{MaxBytes: 4096}, want: textio.ErrTooLarge, within: time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			t0 := time.Now()
			alloc := allocDuring(func() {
				_, _, err = loadWithin(t, tc.within, tc.b, tc.name, tc.lim)
			})
			re := wantReadError(t, err, tc.name, tc.want)
			if tc.line != 0 && re.Line != tc.line {
				t.Errorf("error at %s %d, want %d: %v", re.Where, re.Line, tc.line, err)
			}
			if tc.column != "" && re.Column != tc.column {
				t.Errorf("error on column %q, want %q: %v", re.Column, tc.column, err)
			}
			if tc.maxAlloc != 0 && alloc > tc.maxAlloc {
				t.Errorf("allocated %d MB reading a %d KB file, want under %d MB", alloc>>20, len(tc.b)>>10, tc.maxAlloc>>20)
			}
			t.Logf("%d KB file: %v, %d KB allocated: %v", len(tc.b)>>10, time.Since(t0).Round(time.Millisecond), alloc>>10, err)
		})
	}
}

func TestLoadLimitsDefaults(t *testing.T) {
	got := textio.DecodeLimits{MaxRows: 7, MaxFieldBytes: textio.NoLimit}.WithDefaults()
	want := textio.DecodeLimits{MaxBytes: textio.DefaultMaxDecodedBytes, MaxRows: 7, MaxColumns: textio.DefaultMaxColumns, MaxFieldBytes: int(^uint(0) >> 1)}
	if got != want {
		t.Errorf("WithDefaults = %+v, want %+v", got, want)
	}
	// Local files take any size: 30 MB inflated, past the upload default.
	var b bytes.Buffer
	b.WriteString("id,lon,lat,note\n")
	for i := 0; b.Len() < 30<<20; i++ {
		fmt.Fprintf(&b, "r%d,5.05,46.05,%s\n", i, strings.Repeat("n", 1000))
	}
	cs, _, err := people.LoadCandidates(bytes.NewReader(gzipped(t, b.Bytes())), "big.csv.gz", textio.FormatUnknown, fixtureTerritory(t), textio.LocalFileLimits())
	if err != nil || len(cs) < 30000 {
		t.Fatalf("LocalFileLimits: %d candidates, %v", len(cs), err)
	}
}

func TestLoadEncodings(t *testing.T) {
	const header = "id,name,lon,lat\n"
	ascii := strings.Repeat("s0,Mairie,5.05,46.05\n", 1)
	var pad strings.Builder // 80 KB of ASCII rows: past the first read
	for i := 1; pad.Len() < 80<<10; i++ {
		fmt.Fprintf(&pad, "p%d,Mairie,5.05,46.05\n", i)
	}
	padLines := strings.Count(pad.String(), "\n")
	utf16 := func(s string, bom bool) []byte {
		var b []byte
		if bom {
			b = append(b, 0xff, 0xfe)
		}
		for _, r := range s {
			b = append(b, byte(r), byte(r>>8))
		}
		return b
	}
	tests := []struct {
		name    string
		b       []byte
		oneByte bool            // read through a one-byte reader
		want    string          // name of the record whose id ends in "x"
		enc     textio.Encoding // "" when refused
		line    int             // line of the error when refused
	}{
		{name: "utf8.csv", b: []byte(header + "x,Mairie de Guéret,5.05,46.05\n"), want: "Mairie de Guéret", enc: textio.EncodingUTF8},
		{name: "bom.csv", b: []byte("\xef\xbb\xbf" + header + "x,Mairie de Guéret,5.05,46.05\n"), want: "Mairie de Guéret", enc: textio.EncodingUTF8},
		{name: "bom.csv.gz", b: gzipped(t, []byte("\xef\xbb\xbf"+header+"x,Mairie de Guéret,5.05,46.05\n")), want: "Mairie de Guéret", enc: textio.EncodingUTF8},
		{name: "utf8-one-byte.csv", b: []byte(header + "x,Œuvre à Guéret €,5.05,46.05\n"), oneByte: true, want: "Œuvre à Guéret €", enc: textio.EncodingUTF8},
		{name: "cp1252.csv", b: []byte(header + "x,Mairie de Gu\xe9ret,5.05,46.05\n"), want: "Mairie de Guéret", enc: textio.EncodingWindows1252},
		{name: "cp1252.csv.gz", b: gzipped(t, []byte(header+"x,\x80 \x9cuvre \xe0 Gu\xe9ret,5.05,46.05\n")), want: "€ œuvre à Guéret", enc: textio.EncodingWindows1252},
		{name: "cp1252-one-byte.csv", b: []byte(header + "x,Gu\xe9ret,5.05,46.05\n"), oneByte: true, want: "Guéret", enc: textio.EncodingWindows1252},
		{name: "cp1252-late.csv", b: []byte(header + pad.String() + "x,Gu\xe9ret,5.05,46.05\n"), want: "Guéret", enc: textio.EncodingWindows1252},
		{name: "cp1252.json", b: []byte(`[{"id":"x","name":"Gu` + "\xe9" + `ret","lon":5.05,"lat":46.05}]`), want: "Guéret", enc: textio.EncodingWindows1252},
		{name: "mixed.csv", b: []byte(header + "u,Guéret,5.05,46.05\n" + pad.String() + "x,Gu\xe9ret,5.05,46.05\n"), line: padLines + 3},
		{name: "mixed-cp1252-first.csv", b: []byte(header + "u,Gu\xe9ret,5.05,46.05\nv,Gu\x81ret,5.05,46.05\n"), line: 3},
		{name: "utf16.csv", b: utf16(header+"x,Guéret,5.05,46.05\n", true), line: 1},
		{name: "utf16-nobom.csv", b: utf16(header+"x,Guéret,5.05,46.05\n", false), line: 1},
		{name: "utf16.csv.gz", b: gzipped(t, utf16(header+"x,Guéret,5.05,46.05\n", true)), line: 1},
		{name: "nul-late.csv", b: []byte(header + ascii + "x,Gu\x00ret,5.05,46.05\n"), line: 3},
		{name: "binary.csv", b: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), line: 3},
		{name: "book.xlsx", b: []byte("PK\x03\x04\x14\x00\x06\x00"), line: 1},
		{name: "cut-rune.csv", b: []byte(header + "u,Guéret,5.05,46.05\nx,Gu\xc3"), line: 3},
	}
	terr := fixtureTerritory(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r io.Reader = bytes.NewReader(tc.b)
			if tc.oneByte {
				r = oneByteReader{r}
			}
			ss, info, err := people.LoadStructures(r, tc.name, textio.FormatUnknown, terr, textio.DecodeLimits{})
			if tc.enc == "" {
				re := wantReadError(t, err, tc.name, textio.ErrEncoding)
				if re.Line != tc.line || !strings.Contains(re.Reason, "UTF-8") {
					t.Errorf("error %v: want line %d and how to save as UTF-8", err, tc.line)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if info.Encoding != tc.enc || (tc.enc == textio.EncodingWindows1252) != (len(info.Notes) == 1) {
				t.Errorf("info %+v, want encoding %s and a note only when converted", info, tc.enc)
			}
			if last := ss[len(ss)-1]; last.ID != "x" || last.Name != tc.want {
				t.Errorf("last structure %q named %q, want x named %q", last.ID, last.Name, tc.want)
			}
		})
	}
}

// oneByteReader reads one byte at a time, to cut every UTF-8 sequence.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}
