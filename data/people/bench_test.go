package people_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/synth"
	"github.com/maillage/maillage/data/textio"
)

// realDir is the shared real-data folder, from this package's directory.
var realDir = filepath.Join("..", "..", "..", "shared", "data")

// realOnce loads the real territory once for the benchmarks.
var realOnce = sync.OnceValues(func() (*data.Territory, error) { return data.LoadTerritory(realDir) })

// realTerritory returns the real territory, skipping without the data.
func realTerritory(tb testing.TB) *data.Territory {
	tb.Helper()
	if _, err := os.Stat(filepath.Join(realDir, data.CommunesFile)); err != nil {
		tb.Skipf("real data not found in %s: %v", realDir, err)
	}
	t, err := realOnce()
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// BenchmarkLoadCandidatesCSV50k loads 50,000 candidates given by lon/lat
// only, so every row is located by point-in-polygon.
func BenchmarkLoadCandidatesCSV50k(b *testing.B) {
	terr := realTerritory(b)
	cs, _ := synth.Synthesize(terr, 50_000, 0, 1)
	var buf bytes.Buffer
	buf.WriteString("id,lon,lat,max_km\n")
	for _, c := range cs {
		fmt.Fprintf(&buf, "%s,%.6f,%.6f,%g\n", c.ID, c.Point[0], c.Point[1], c.MaxKm)
	}
	raw := buf.Bytes()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		got, _, err := people.LoadCandidates(bytes.NewReader(raw), "bench.csv", textio.FormatCSV, terr, textio.DecodeLimits{})
		if err != nil || len(got) != len(cs) {
			b.Fatalf("%d candidates, %v", len(got), err)
		}
	}
}
