package people_test

import (
	"bytes"
	"compress/gzip"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"
	"github.com/maillage/maillage/data/values"
)

// Fuzz targets of the candidate and structure loaders. `go test` runs each
// target on its seeds (f.Add and testdata/fuzz/<Target>/); `go test -fuzz
// '^FuzzX$'` explores. Each checks that the loader returns (no panic, no
// hang) and that what it accepts is sane: points are finite and in range,
// ids unique.

// fuzzTerritoryOnce is data's fixture territory (communes in [2, 4]×[45,
// 47], ../testdata/territory), loaded once for all fuzz iterations (it is
// only read).
type fuzzTerritoryOnce struct {
	once sync.Once
	t    *data.Territory
	err  error
}

func (o *fuzzTerritoryOnce) get(tb testing.TB) *data.Territory {
	o.once.Do(func() { o.t, o.err = data.LoadTerritory(filepath.Join("..", "testdata", "territory")) })
	if o.err != nil {
		tb.Fatal(o.err)
	}
	return o.t
}

// checkPoint fails when p is not finite lon/lat.
func checkPoint(t *testing.T, what string, lon, lat float64) {
	if math.IsNaN(lon) || math.IsNaN(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		t.Fatalf("%s accepted point (%v, %v)", what, lon, lat)
	}
}

// peopleSeeds adds the candidate and structure fixtures with their format.
func peopleSeeds(f *testing.F, names ...string) {
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			continue
		}
		f.Add(uint8(textio.DetectFormat(name, b)), b)
	}
}

func FuzzLoadCandidates(f *testing.F) {
	var ft fuzzTerritoryOnce
	peopleSeeds(f, "candidates.json", "candidates_bad.csv", "candidates_bad.json", "candidates_good.csv", "candidates_semicolon.csv")
	f.Add(uint8(textio.FormatGeoJSON), []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"g1","max_km":"12,5"},"geometry":{"type":"Point","coordinates":[2.5,45.5]}}]}`))
	f.Fuzz(func(t *testing.T, format uint8, b []byte) {
		tr := ft.get(t)
		cs, _, err := people.LoadCandidates(bytes.NewReader(b), "fuzz", textio.Format(format%4), tr, textio.DecodeLimits{})
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, c := range cs {
			checkPoint(t, "candidate "+c.ID, c.Point[0], c.Point[1])
			if c.ID == "" || seen[c.ID] || !(c.MaxKm > 0 && c.MaxKm <= values.MaxMaxKm) || c.Departement == "" {
				t.Fatalf("accepted candidate %+v (duplicate %v)", c, seen[c.ID])
			}
			seen[c.ID] = true
		}
	})
}

// FuzzLoadCandidatesGzip loads gzip-compressed candidate files cut short
// at cut and with one byte xored with mask at flip (0 leaves the stream
// whole): the loader must return within 2 s (issue 13: a truncated gzip
// made it loop for good), never accept a cut file, and hold what it
// accepts to the usual checks. The seeds hold a truncated stream.
func FuzzLoadCandidatesGzip(f *testing.F) {
	var ft fuzzTerritoryOnce
	for _, name := range []string{"candidates_good.csv", "candidates_bad.csv", "candidates.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			continue
		}
		f.Add(b, uint16(0), uint16(0), byte(0))
		f.Add(b, uint16(len(b)/3), uint16(0), byte(0)) // truncated
		f.Add(b, uint16(0), uint16(40), byte(0x10))    // corrupt
	}
	f.Add([]byte("id,lon,lat\n\"a,5.05,46.05\n"), uint16(20), uint16(0), byte(0))
	f.Fuzz(func(t *testing.T, plain []byte, cut, flip uint16, mask byte) {
		tr := ft.get(t)
		var zb bytes.Buffer
		zw := gzip.NewWriter(&zb)
		zw.Write(plain)
		zw.Close()
		z := zb.Bytes()
		cutShort := cut != 0 && int(cut) < len(z)
		if cutShort {
			z = z[:cut]
		}
		if mask != 0 && len(z) > 0 {
			z[int(flip)%len(z)] ^= mask
		}
		type result struct {
			cs  []people.Candidate
			err error
		}
		done := make(chan result, 1)
		go func() {
			cs, _, err := people.LoadCandidates(bytes.NewReader(z), "fuzz.csv.gz", textio.FormatUnknown, tr, textio.DecodeLimits{})
			done <- result{cs, err}
		}()
		var r result
		select {
		case r = <-done:
		case <-time.After(2 * time.Second):
			t.Fatalf("LoadCandidates still running after 2 s on %d bytes of gzip (cut %d, flip %d^%#x)", len(z), cut, flip, mask)
		}
		if cutShort && r.err == nil {
			t.Fatalf("gzip cut at %d of %d bytes accepted: %d candidates", cut, zb.Len(), len(r.cs))
		}
		if r.err != nil {
			return
		}
		for _, c := range r.cs {
			checkPoint(t, "candidate "+c.ID, c.Point[0], c.Point[1])
			if values.CheckID(c.ID) != nil || !(c.MaxKm > 0 && c.MaxKm <= values.MaxMaxKm) {
				t.Fatalf("accepted candidate %+v", c)
			}
		}
	})
}

func FuzzLoadStructures(f *testing.F) {
	var ft fuzzTerritoryOnce
	peopleSeeds(f, "structures.geojson", "structures_bad.csv", "structures_bad.geojson", "structures_good.csv")
	f.Add(uint8(textio.FormatJSON), []byte(`[{"id":"s1","nom":"Mairie","postes":"3","commune":"01001","zrr":"Oui"},{"id":"s2","lon":2.5,"lat":45.5}]`))
	f.Fuzz(func(t *testing.T, format uint8, b []byte) {
		tr := ft.get(t)
		ss, _, err := people.LoadStructures(bytes.NewReader(b), "fuzz", textio.Format(format%4), tr, textio.DecodeLimits{})
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, s := range ss {
			checkPoint(t, "structure "+s.ID, s.Point[0], s.Point[1])
			if s.ID == "" || seen[s.ID] || s.Posts < 1 || s.Departement == "" {
				t.Fatalf("accepted structure %+v", s)
			}
			seen[s.ID] = true
		}
	})
}
