package matching

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash"
	"math"
	"testing"

	"github.com/maillage/maillage/geo"
)

// gapGolden pins the gap zones of the real data for one query: a SHA-256 of
// the zones' ids, ranks, cells and outlines (every coordinate, bit for bit),
// and one of their JSON figures (areas, centroids, boxes, populations).
type gapGolden struct {
	name    string
	q       CoverageQuery
	zones   int
	shapes  string // ids, ranks, cells, outlines
	figures string // json.Marshal of every GapZone
}

// TestGapZonesGolden checks that the gap zones of the real data stay what
// they were before geo took over H3 adjacency, cell areas and outlines from
// matching: the shapes sums were computed with the old code. The figures
// sums were taken when zone areas became the sum of the cells' Grid.AreaKm2
// (exact to 1e-8); the old code gave every cell the area of the centre
// child of its parent three resolutions up, up to 0.19 % off a zone's area,
// and only area_km2 and centroid moved; they were taken again when the
// fragile population (population × index / 10) became the calibrated
// population in difficulty (difficulty.go), the shapes unchanged. A change meant to alter gap zones
// updates the sums from the log of
// `go test ./matching -run TestGapZonesGolden -v`.
func TestGapZonesGolden(t *testing.T) {
	e := coverageEngine(t)
	golden := []gapGolden{
		{"national", CoverageQuery{},
			13, "127aa4877fab91487acf2e7d146809f9b830d80f55a29d625499dda74c9b4d72",
			"3e057967dc0ddff37d66af4871d1e9fbfb645b3c7fed7244207faa94fdffd14e"},
		{"10 km", CoverageQuery{Reach: reachPtr(ReachKm(10))},
			718, "bd6a45a85755bc2ab1d4ec522f4c749d05b54942b80afa285c5c8881beb85e3a",
			"bd3b0209ea44fa1afcb66428e412fd4b8f3e5b333d869c76b804b270200814a1"},
		{"5 km", CoverageQuery{Reach: reachPtr(ReachKm(5))},
			201, "aedcfa0c506a5fd2d513eb9a0aed293af9c2560b9b1dc8a96e908bb526421ed5",
			"9dd6f0f162411ae485303277c6d5745fdc2ed3dda7308e608bdc402a89a3eb7b"},
		{"lozère 5 km", CoverageQuery{Departement: "48", Reach: reachPtr(ReachKm(5))},
			4, "d0a4f9e0c57e4353248d5b2bcdda184125e15c57528b95053fad0f663b587656",
			"7885cde108c369dff97add93585977bbfc2e0a7ef78ff9dcbc68e938444bf12a"},
		{"occitanie 8 km by fragility", CoverageQuery{Region: "76", Reach: reachPtr(ReachKm(8)), RankBy: RankByFragility},
			72, "744079ec6de9fa76791b4fdf3c941a217d6cdb93c9d89ca0a73d3cf087f65797",
			"a19ae76e91c267ccb610027301bfe68dabb3c62ff22593f9cf72bc37daf05a23"},
	}
	for _, g := range golden {
		cv := mustCoverage(t, e, g.q)
		shapes, figures := gapFingerprint(t, cv)
		t.Logf("{%q, ..., %d, %q, %q},", g.name, len(cv.Gaps), shapes, figures)
		if len(cv.Gaps) != g.zones || shapes != g.shapes || figures != g.figures {
			t.Errorf("%s: %d zones, shapes %s, figures %s; want %d, %s, %s",
				g.name, len(cv.Gaps), shapes, figures, g.zones, g.shapes, g.figures)
		}
		for i, z := range cv.Gaps {
			exact := 0.0
			for _, c := range cv.GapCells(i) {
				exact += geo.CellAreaKm2(c)
			}
			if math.Abs(z.AreaKm2-exact) > 1e-7*exact {
				t.Errorf("%s: zone %s of %.6f km², its cells %.6f km²", g.name, z.ID, z.AreaKm2, exact)
			}
		}
	}
}

// gapFingerprint returns the SHA-256 of the zones' ids, ranks, cells and
// outlines, and that of their JSON.
func gapFingerprint(t *testing.T, cv *Coverage) (shapes, figures string) {
	t.Helper()
	hs, hf := sha256.New(), sha256.New()
	for i, z := range cv.Gaps {
		put(hs, z.ID, uint64(z.Rank), uint64(z.Cells))
		for _, c := range cv.GapCells(i) {
			put(hs, c.String())
		}
		for _, poly := range cv.GapOutline(i) {
			put(hs, uint64(len(poly)))
			for _, ring := range poly {
				put(hs, uint64(len(ring)))
				for _, p := range ring {
					put(hs, math.Float64bits(p[0]), math.Float64bits(p[1]))
				}
			}
		}
		b, err := json.Marshal(z)
		if err != nil {
			t.Fatal(err)
		}
		hf.Write(b)
	}
	return hex.EncodeToString(hs.Sum(nil)), hex.EncodeToString(hf.Sum(nil))
}

// put writes strings and integers to h, each framed so that no two
// sequences hash alike.
func put(h hash.Hash, vs ...any) {
	var buf [8]byte
	for _, v := range vs {
		switch v := v.(type) {
		case string:
			binary.LittleEndian.PutUint64(buf[:], uint64(len(v)))
			h.Write(buf[:])
			h.Write([]byte(v))
		case uint64:
			binary.LittleEndian.PutUint64(buf[:], v)
			h.Write(buf[:])
		}
	}
}
