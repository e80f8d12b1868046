package coverage_test

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/maillage/maillage/matching/coverage"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/matching/internal/tinyworld"
)

func reachPtr(r coverage.Reach) *coverage.Reach { return &r }

// communeByCode finds a commune of a coverage.
func communeByCode(t *testing.T, cv *coverage.Coverage, code string) *coverage.CommuneCoverage {
	t.Helper()
	for k := range cv.Communes {
		if cv.Communes[k].Code == code {
			return &cv.Communes[k]
		}
	}
	t.Fatalf("commune %s not in coverage", code)
	return nil
}

// maxDistTo is the largest distance from the centres of cells to p.
func maxDistTo(cells []geo.Cell, p orb.Point) float64 {
	m := 0.0
	for _, c := range cells {
		m = math.Max(m, geo.DistanceM(geo.CellCenter(c), p))
	}
	return m
}

func TestCoverageTinyOneKm(t *testing.T) {
	w := newTinyWorld(t)
	cv, err := coverage.Compute(w.e.Coverage(), coverage.Query{Reach: reachPtr(coverage.ReachKm(1))})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cv.Layers, []string{coverage.DefaultLayer}) {
		t.Errorf("layers %v, want the default", cv.Layers)
	}
	// A (700) and D (30, in a cell of A) are within 0.92 km of S1; B (70) is
	// 2–4 km from S2; C (50) has no boundary. In difficulty (factor 1): A 700 × 0.6, B 70 ×
	// 0.8 (all uncovered), C 50 × 0.2, D without index; ZRR: A (C), B (P).
	want := coverage.AreaCoverage{Level: coverage.LevelNational, Code: "FR", Name: "France", Population: 850,
		CoveredPopulation: 730, UncoveredPopulation: 70, PopulationUnlocated: 50, CoveredShare: ptr(730.0 / 800),
		Communes: 4, CommunesUncovered: 1, CommunesUnlocated: 1,
		PopulationInDifficulty: 420 + 56 + 10, UncoveredPopulationInDifficulty: 56, PopulationWithoutIndex: 30,
		ZRRPopulation: 700, ZRRPartialPopulation: 70}
	got := cv.Summary
	got.MeanDistanceM, got.WorstCommunes = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("summary\n got %+v\nwant %+v", got, want)
	}
	if w := cv.Summary.WorstCommunes; len(w) != 3 || w[0].Code != "02001" || w[0].UncoveredPopulation != 70 {
		t.Errorf("worst communes %+v, want B first then the two others", w)
	}

	pB := geo.CellCenter(w.cB)
	s2 := tinyworld.Offset(pB, 3, 0)
	b := communeByCode(t, cv, "02001")
	if b.CoveredPopulation != 0 || b.UncoveredPopulation != 70 || coverage.Value(b.CoveredShare) != 0 || b.Cells != 7 {
		t.Errorf("B %+v", b)
	}
	if d := maxDistTo(w.diskB, s2); math.Abs(coverage.Value(b.MaxDistanceM)-d) > 0.01 {
		t.Errorf("B max distance %.2f, want %.2f", coverage.Value(b.MaxDistanceM), d)
	}
	if b.NearestSiteID != "S2" || math.Abs(b.NearestDistanceM-3000) > 1 || math.Abs(coverage.Value(b.MeanDistanceM)-3000) > 200 {
		t.Errorf("B nearest %s at %.1f m, mean %.1f m; want S2 at 3 km", b.NearestSiteID, b.NearestDistanceM, coverage.Value(b.MeanDistanceM))
	}
	if math.Abs(b.DensityPerKm2-70.0/9) > 1e-9 {
		t.Errorf("B density %v", b.DensityPerKm2)
	}
	a := communeByCode(t, cv, "01001")
	var sum float64
	for _, c := range w.diskA {
		sum += 100 * geo.DistanceM(geo.CellCenter(c), geo.CellCenter(w.cA))
	}
	if a.CoveredPopulation != 700 || coverage.Value(a.CoveredShare) != 1 || math.Abs(coverage.Value(a.MeanDistanceM)-sum/700) > 0.01 || a.NearestDistanceM != 0 {
		t.Errorf("A %+v, want all 700 covered, mean distance %.2f", a, sum/700)
	}
	if d := communeByCode(t, cv, "01002"); d.CoveredPopulation != 30 || d.Cells != 1 {
		t.Errorf("D %+v", d)
	}
	if c := communeByCode(t, cv, "02002"); c.Located || c.PopulationUnlocated != 50 || c.NearestSiteID != "" {
		t.Errorf("C %+v", c)
	}
	// C has no boundary: its share and distances are missing, with the
	// reason, never 0 (which would read "nobody covered").
	if c := communeByCode(t, cv, "02002"); c.CoveredShare != nil || c.MeanDistanceM != nil || c.MaxDistanceM != nil || c.NoDataReason != coverage.NoDataNoBoundary {
		t.Errorf("C without boundary: share %v, distances %v %v, reason %q; want nil, nil, nil, %q",
			c.CoveredShare, c.MeanDistanceM, c.MaxDistanceM, c.NoDataReason, coverage.NoDataNoBoundary)
	}
	if a := communeByCode(t, cv, "01001"); a.NoDataReason != "" || a.CoveredShare == nil {
		t.Errorf("A located: reason %q, share %v; want none and a share", a.NoDataReason, a.CoveredShare)
	}

	// One gap zone: B's disk.
	if len(cv.Gaps) != 1 {
		t.Fatalf("%d gap zones, want 1: %+v", len(cv.Gaps), cv.Gaps)
	}
	z := cv.Gaps[0]
	var area float64
	for _, c := range w.diskB {
		area += geo.CellAreaKm2(c)
	}
	if z.ID != "gap-"+w.diskB[0].String() || z.Rank != 1 || z.Population != 70 || z.Cells != 7 ||
		math.Abs(z.AreaKm2-area) > 1e-9*area || !slices.Equal(z.CommunesTouched, []string{"02001"}) ||
		!slices.Equal(z.DepartementsTouched, []string{"02"}) {
		t.Errorf("gap zone %+v, want B's 7 cells, %.3f km²", z, area)
	}
	if d := maxDistTo(w.diskB, s2); math.Abs(z.MaxDistanceM-d) > 0.01 {
		t.Errorf("zone max distance %.2f, want %.2f", z.MaxDistanceM, d)
	}
	if geo.DistanceM(orb.Point{z.Centroid[0], z.Centroid[1]}, pB) > 50 {
		t.Errorf("zone centroid %v, want near B's centre %v", z.Centroid, pB)
	}
	bound := orb.Bound{Min: orb.Point{z.BBox[0], z.BBox[1]}, Max: orb.Point{z.BBox[2], z.BBox[3]}}
	for _, c := range w.diskB {
		for _, v := range geo.CellRing(c) {
			if !bound.Pad(1e-9).Contains(v) {
				t.Errorf("zone bbox %v misses vertex %v of cell %v", z.BBox, v, c)
			}
		}
	}
	if out := cv.GapOutline(0); len(out) != 1 || len(out[0]) != 1 || len(out[0][0]) != 19 || math.Abs(geo.AreaKm2(out)-area) > 1e-6*area {
		t.Errorf("outline %v of %.6f km², want one ring of 18 vertices, %.6f km²", out, geo.AreaKm2(out), area)
	}

	// B is rural (7.8 inhabitants/km²) and entirely in the gap; A (78/km²)
	// and D (300/km²) are not rural.
	if len(cv.RuralMairies) != 1 || cv.RuralMairies[0].Code != "02001" || cv.RuralMairies[0].GapShare != 1 ||
		cv.RuralMairies[0].GapZoneID != z.ID {
		t.Errorf("rural mairies %+v, want B", cv.RuralMairies)
	}

	// Areas: both départements, both régions, the EPCI of A and B.
	if len(cv.Departements) != 2 || cv.Departements[1].Code != "02" || cv.Departements[1].UncoveredPopulation != 70 ||
		cv.Departements[1].PopulationUnlocated != 50 || cv.Departements[0].CoveredPopulation != 730 {
		t.Errorf("départements %+v", cv.Departements)
	}
	if len(cv.Regions) != 2 || len(cv.EPCIs) != 1 || cv.EPCIs[0].Population != 770 || cv.EPCIs[0].CoveredPopulation != 700 {
		t.Errorf("régions %+v, EPCIs %+v", cv.Regions, cv.EPCIs)
	}
}

func TestCoverageTinyThresholds(t *testing.T) {
	w := newTinyWorld(t)
	tests := []struct {
		name    string
		q       coverage.Query
		covered int
		zones   []int // zone populations, ranked
	}{
		// S1 sits exactly on A's centre cell: 0 m covers it (100) only; A's
		// ring with D (630) and B (70) are two zones.
		{"0 km", coverage.Query{Reach: reachPtr(coverage.ReachKm(0))}, 100, []int{630, 70}},
		{"1 km", coverage.Query{Reach: reachPtr(coverage.ReachKm(1))}, 730, []int{70}},
		{"5 km", coverage.Query{Reach: reachPtr(coverage.ReachKm(5))}, 800, nil},
		// 30 minutes are 23 km: everything located.
		{"default", coverage.Query{}, 800, nil},
		// S3 sits on B's centre.
		{"union 1 km", coverage.Query{Layers: []string{"extra", coverage.DefaultLayer, "extra"}, Reach: reachPtr(coverage.ReachKm(1))}, 800, nil},
		{"extra 1 km", coverage.Query{Layers: []string{"extra"}, Reach: reachPtr(coverage.ReachKm(1))}, 70, []int{730}},
		{"dép 02", coverage.Query{Departement: "02", Reach: reachPtr(coverage.ReachKm(1))}, 0, []int{70}},
		{"dép 01 at 0", coverage.Query{Departement: "01", Reach: reachPtr(coverage.ReachKm(0))}, 100, []int{630}},
		{"région 84", coverage.Query{Region: "84", Reach: reachPtr(coverage.ReachKm(1))}, 730, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cv, err := coverage.Compute(w.e.Coverage(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			s := cv.Summary
			if s.CoveredPopulation != tc.covered {
				t.Errorf("covered %d, want %d", s.CoveredPopulation, tc.covered)
			}
			if s.CoveredPopulation+s.UncoveredPopulation+s.PopulationUnlocated != s.Population {
				t.Errorf("covered %d + uncovered %d + unlocated %d != %d", s.CoveredPopulation, s.UncoveredPopulation, s.PopulationUnlocated, s.Population)
			}
			var pops []int
			for _, z := range cv.Gaps {
				pops = append(pops, z.Population)
			}
			if !slices.Equal(pops, tc.zones) {
				t.Errorf("gap zones %v, want %v", pops, tc.zones)
			}
		})
	}
}

func TestCoverageTinyUnionNearest(t *testing.T) {
	w := newTinyWorld(t)
	cv, err := coverage.Compute(w.e.Coverage(), coverage.Query{Layers: []string{"extra", coverage.DefaultLayer}, Reach: reachPtr(coverage.ReachKm(1))})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cv.Layers, []string{"extra", coverage.DefaultLayer}) {
		t.Errorf("layers %v", cv.Layers)
	}
	b := communeByCode(t, cv, "02001")
	if b.NearestSiteID != "S3" || b.NearestLayer != "extra" || b.NearestDistanceM != 0 {
		t.Errorf("B nearest %s (%s) at %v, want S3 of extra at 0", b.NearestSiteID, b.NearestLayer, b.NearestDistanceM)
	}
	a := communeByCode(t, cv, "01001")
	if a.NearestSiteID != "S1" || a.NearestLayer != coverage.DefaultLayer {
		t.Errorf("A nearest %s (%s), want S1", a.NearestSiteID, a.NearestLayer)
	}
	cells, err := cv.Cells(orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}, 0)
	if err != nil || len(cells) != 14 {
		t.Fatalf("%d cells, err %v", len(cells), err)
	}
	for _, c := range cells {
		wantSite := "S1"
		if slices.ContainsFunc(w.diskB, func(d geo.Cell) bool { return d.String() == c.H3 }) {
			wantSite = "S3"
		}
		if c.NearestSiteID != wantSite || !c.Covered {
			t.Errorf("cell %s: nearest %s covered %v, want %s covered", c.H3, c.NearestSiteID, c.Covered, wantSite)
		}
	}
	if _, err := cv.Cells(orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}, 5); !errors.Is(err, coverage.ErrTooManyCells) {
		t.Errorf("14 cells with limit 5: err %v, want coverage.ErrTooManyCells", err)
	}
	// Pages are windows of the same cells, in the same order.
	var paged []coverage.CellCoverage
	for off := 0; ; off += 5 {
		page, total := cv.CellsPage(off, 5)
		if total != 14 || len(page) > 5 {
			t.Fatalf("page at %d: %d cells of %d", off, len(page), total)
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
	}
	if !slices.Equal(paged, cells) {
		t.Errorf("paged cells differ from Cells: %d against %d", len(paged), len(cells))
	}
	if page, total := cv.CellsPage(100, 5); len(page) != 0 || total != 14 {
		t.Errorf("page beyond the end: %d cells of %d", len(page), total)
	}
}

func TestCoverageTinyErrors(t *testing.T) {
	w := newTinyWorld(t)
	tests := []struct {
		name string
		q    coverage.Query
		want error
	}{
		{"unknown layer", coverage.Query{Layers: []string{"nope"}}, coverage.ErrUnknownLayer},
		{"unknown département", coverage.Query{Departement: "99"}, coverage.ErrUnknownDepartement},
		{"unknown région", coverage.Query{Region: "00"}, coverage.ErrUnknownRegion},
		{"negative reach", coverage.Query{Reach: reachPtr(coverage.ReachKm(-1))}, coverage.ErrBadReach},
		{"NaN reach", coverage.Query{Reach: reachPtr(coverage.ReachKm(math.NaN()))}, coverage.ErrBadReach},
		{"no sites", coverage.Query{Layers: []string{"empty"}}, coverage.ErrNoSites},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := coverage.Compute(w.e.Coverage(), tc.q); !errors.Is(err, tc.want) {
				t.Errorf("err %v, want %v", err, tc.want)
			}
		})
	}
	// An empty layer in a union changes nothing.
	cv, err := coverage.Compute(w.e.Coverage(), coverage.Query{Layers: []string{"empty", coverage.DefaultLayer}, Reach: reachPtr(coverage.ReachKm(1))})
	if err != nil || cv.Summary.CoveredPopulation != 730 {
		t.Errorf("union with an empty layer: %v, err %v", cv, err)
	}
}

// TestGapOutlineTinyHole checks the outline of A's ring of cells around its
// covered centre at 0 km: one polygon with one hole, the centre cell.
func TestGapOutlineTinyHole(t *testing.T) {
	w := newTinyWorld(t)
	cv, err := coverage.Compute(w.e.Coverage(), coverage.Query{Reach: reachPtr(coverage.ReachKm(0))})
	if err != nil {
		t.Fatal(err)
	}
	if len(cv.Gaps) != 2 || cv.Gaps[0].Cells != 6 {
		t.Fatalf("gaps %+v, want A's ring first", cv.Gaps)
	}
	out := cv.GapOutline(0)
	if len(out) != 1 || len(out[0]) != 2 {
		t.Fatalf("outline %v, want one polygon with one hole", out)
	}
	if len(out[0][0]) != 19 || len(out[0][1]) != 7 {
		t.Errorf("rings of %d and %d points, want 19 (18 vertices) and 7 (the centre hexagon)", len(out[0][0]), len(out[0][1]))
	}
	var ring float64
	for _, c := range w.diskA {
		if c != w.cA {
			ring += geo.CellAreaKm2(c)
		}
	}
	if a := geo.AreaKm2(out); math.Abs(a-ring) > 1e-6*ring {
		t.Errorf("outline area %.6f km², want the 6 cells' %.6f", a, ring)
	}
	if planarSignedArea(out[0][0]) <= 0 || planarSignedArea(out[0][1]) >= 0 {
		t.Errorf("exterior must be counter-clockwise and the hole clockwise")
	}
	if got := cv.GapOutline(5); got != nil {
		t.Errorf("outline of a missing zone: %v", got)
	}
}

// TestCoverageConcurrent runs queries from several goroutines on a cold
// engine: the caches are built once and the answers agree (run with -race).
func TestCoverageConcurrent(t *testing.T) {
	w := newTinyWorld(t)
	layerSets := [][]string{nil, {"extra"}, {"extra", coverage.DefaultLayer}}
	want := make([]int, len(layerSets))
	ref := newTinyWorld(t)
	for i, l := range layerSets {
		want[i] = mustCoverage(t, ref.e, coverage.Query{Layers: l, Reach: reachPtr(coverage.ReachKm(1))}).Summary.CoveredPopulation
	}
	errs := make(chan error, 24)
	for g := 0; g < 24; g++ {
		go func() {
			i := g % len(layerSets)
			cv, err := coverage.Compute(w.e.Coverage(), coverage.Query{Layers: layerSets[i], Reach: reachPtr(coverage.ReachKm(1))})
			if err == nil && cv.Summary.CoveredPopulation != want[i] {
				err = fmt.Errorf("layers %v: covered %d, want %d", layerSets[i], cv.Summary.CoveredPopulation, want[i])
			}
			errs <- err
		}()
	}
	for g := 0; g < 24; g++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := w.e.Coverage().Sets(); n != 3 { // two layers and their union
		t.Errorf("%d nearest-site caches, want 3", n)
	}
}

// planarSignedArea is the shoelace area of a closed lon/lat ring, positive
// when counter-clockwise.
func planarSignedArea(r orb.Ring) float64 {
	a := 0.0
	for i := 1; i < len(r); i++ {
		a += r[i-1][0]*r[i][1] - r[i][0]*r[i-1][1]
	}
	return a / 2
}
