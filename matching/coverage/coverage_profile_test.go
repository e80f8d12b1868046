package coverage_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/maillage/maillage/matching/coverage"

	"github.com/maillage/maillage/matching/internal/num"
)

// profileReaches are thresholds in km and in minutes, on either side of
// the default, with fractions of a metre.
func profileReaches() []coverage.Reach {
	out := []coverage.Reach{}
	for _, km := range []float64{0.5, 2, 5, 7.25, 10, 17.3, 30, 80} {
		out = append(out, coverage.ReachKm(km))
	}
	for _, m := range []float64{5, 15, 22.5, 30, 45, 90} {
		out = append(out, coverage.ReachMinutes(m, coverage.TravelModel{}))
	}
	return out
}

// TestCoverageProfileCommunes checks every commune's covered population,
// read from the profile by binary search, against the sum over its shares
// of the (fractional) populations within reach, as coverage computed it
// before the profile, at several thresholds. The profile sums in distance
// order, so the fractional sums agree to rounding error, and the rounded
// figures exactly unless a sum lies within that error of a half.
func TestCoverageProfileCommunes(t *testing.T) {
	e := coverageEngine(t)
	g := e.Grid()
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(1, math.Abs(b)) }
	nearHalf := func(v float64) bool { return math.Abs(v-math.Floor(v)-0.5) < 1e-6 }
	for _, r := range profileReaches() {
		cv := mustCoverage(t, e, coverage.Query{Reach: &r, NoGaps: true})
		for k := range cv.Communes {
			cc := &cv.Communes[k]
			ccLocated, ccCovered := cc.Fractional()
			var located, covered, sumDist, maxDist float64
			var cells int
			for _, s := range g.Shares[g.ShareStart[cc.ID()]:g.ShareStart[cc.ID()+1]] {
				if s.Population <= 0 {
					continue
				}
				d := cv.Nearest().CellDistM[s.Cell]
				located += s.Population
				if float64(d) <= r.MaxM {
					covered += s.Population
				}
				sumDist += s.Population * float64(d)
				maxDist = max(maxDist, float64(d))
				cells++
			}
			if !near(ccLocated, located) || !near(ccCovered, covered) || cc.Cells != cells {
				t.Fatalf("%.1f m, commune %s: located %v covered %v cells %d, want %v %v %d", r.MaxM, cc.Code,
					ccLocated, ccCovered, cc.Cells, located, covered, cells)
			}
			if cc.CoveredPopulation != num.RoundPop(ccCovered) || cc.UncoveredPopulation != num.RoundPop(ccLocated)-num.RoundPop(ccCovered) ||
				cc.PopulationUnlocated != cc.Population-num.RoundPop(ccLocated) {
				t.Fatalf("%.1f m, commune %s: %+v not rounded once from located %v covered %v", r.MaxM, cc.Code, cc, ccLocated, ccCovered)
			}
			if !nearHalf(covered) && !nearHalf(located) &&
				(cc.CoveredPopulation != num.RoundPop(covered) || cc.UncoveredPopulation != num.RoundPop(located)-num.RoundPop(covered)) {
				t.Fatalf("%.1f m, commune %s: covered %d uncovered %d, want %d %d", r.MaxM, cc.Code,
					cc.CoveredPopulation, cc.UncoveredPopulation, num.RoundPop(covered), num.RoundPop(located)-num.RoundPop(covered))
			}
			if located == 0 {
				continue
			}
			if cc.CoveredShare == nil || cc.MeanDistanceM == nil || cc.MaxDistanceM == nil {
				t.Fatalf("%.1f m, commune %s: null figures with %v located inhabitants (%q)", r.MaxM, cc.Code, located, cc.NoDataReason)
			}
			if !near(*cc.MeanDistanceM, sumDist/located) || *cc.MaxDistanceM != maxDist {
				t.Fatalf("%.1f m, commune %s: mean %v max %v, want %v %v", r.MaxM, cc.Code,
					*cc.MeanDistanceM, *cc.MaxDistanceM, sumDist/located, maxDist)
			}
			// Wholly within reach is exactly 1, not 1 − ε: located is the
			// last of the prefix sums the covered population is read from.
			if maxDist <= r.MaxM && *cc.CoveredShare != 1 {
				t.Fatalf("%.1f m, commune %s: wholly within reach, covered share %v", r.MaxM, cc.Code, *cc.CoveredShare)
			}
		}
	}
}

// TestCoverageFiguresEqualCoverage checks that the fast figures equal
// those of the full coverage, field by field, for the nation, a
// département and a région, over one layer and a union, at several
// thresholds in km and minutes.
func TestCoverageFiguresEqualCoverage(t *testing.T) {
	e := coverageEngine(t)
	for _, layers := range [][]string{nil, {coverage.DefaultLayer, "cnfs-permanences"}} {
		for _, sc := range []struct{ dep, reg string }{{}, {dep: "23"}, {dep: "2A"}, {reg: "84"}} {
			for _, r := range profileReaches() {
				q := coverage.Query{Layers: layers, Reach: &r, Departement: sc.dep, Region: sc.reg, NoGaps: true}
				name := fmt.Sprintf("%v %v %.1fm", layers, sc, r.MaxM)
				cv := mustCoverage(t, e, q)
				f, err := coverage.ComputeFigures(e.Coverage(), q)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if f.Scope != cv.Scope || f.Reach != cv.Reach {
					t.Fatalf("%s: scope %v reach %v, want %v %v", name, f.Scope, f.Reach, cv.Scope, cv.Reach)
				}
				sameFigures(t, name, f.Summary, cv.Summary)
				if len(f.Regions) != len(cv.Regions) || len(f.Departements) != len(cv.Departements) {
					t.Fatalf("%s: %d régions %d départements, want %d %d", name,
						len(f.Regions), len(f.Departements), len(cv.Regions), len(cv.Departements))
				}
				for i := range f.Regions {
					sameFigures(t, name, f.Regions[i], cv.Regions[i])
				}
				for i := range f.Departements {
					sameFigures(t, name, f.Departements[i], cv.Departements[i])
				}
			}
		}
	}
}

// sameFigures compares field by field, null shares and distances (with
// their reason) included: a nil pointer equals only a nil pointer, values
// must be equal to the last bit.
func sameFigures(t *testing.T, name string, got coverage.AreaFigures, a coverage.AreaCoverage) {
	t.Helper()
	want := coverage.AreaFigures{Level: a.Level, Code: a.Code, Name: a.Name, Population: a.Population,
		CoveredPopulation: a.CoveredPopulation, UncoveredPopulation: a.UncoveredPopulation,
		PopulationUnlocated: a.PopulationUnlocated, CoveredShare: a.CoveredShare, MeanDistanceM: a.MeanDistanceM,
		NoDataReason: a.NoDataReason,
		Communes:     a.Communes, CommunesUncovered: a.CommunesUncovered, CommunesUnlocated: a.CommunesUnlocated}
	samePtr := func(p, q *float64) bool { return (p == nil) == (q == nil) && (p == nil || *p == *q) }
	g, w := got, want
	g.CoveredShare, g.MeanDistanceM, w.CoveredShare, w.MeanDistanceM = nil, nil, nil, nil
	if g != w || !samePtr(got.CoveredShare, want.CoveredShare) || !samePtr(got.MeanDistanceM, want.MeanDistanceM) {
		t.Fatalf("%s: %s %s\n got %+v share %v mean %v\nwant %+v share %v mean %v", name, a.Level, a.Code,
			got, coverage.Value(got.CoveredShare), coverage.Value(got.MeanDistanceM), want, coverage.Value(want.CoveredShare), coverage.Value(want.MeanDistanceM))
	}
}

// BenchmarkCoverageFigures is the national and per-département figures at
// a threshold changing at every call (15 to 45 minutes), profile warm.
func BenchmarkCoverageFigures(b *testing.B) {
	e := warmCoverage(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := coverage.ReachMinutes(float64(15+i%31), coverage.TravelModel{})
		i++
		if _, err := coverage.ComputeFigures(e.Coverage(), coverage.Query{Reach: &r}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCoverageWhollyWithinReach checks that when every inhabitant is
// within reach, every area (scope, région, département, EPCI) and commune
// with located inhabitants has a covered share of exactly 1 and no
// uncovered inhabitant, in the full coverage and in the fast figures:
// fractional sums must not leave 1 − ε (printed 99.9 %).
func TestCoverageWhollyWithinReach(t *testing.T) {
	e := coverageEngine(t)
	r := coverage.ReachKm(20000)
	for _, dep := range []string{"", "23"} {
		q := coverage.Query{Reach: &r, Departement: dep, NoGaps: true}
		cv := mustCoverage(t, e, q)
		f, err := coverage.ComputeFigures(e.Coverage(), q)
		if err != nil {
			t.Fatal(err)
		}
		areas := append([]coverage.AreaCoverage{cv.Summary}, cv.Regions...)
		areas = append(append(areas, cv.Departements...), cv.EPCIs...)
		for _, a := range areas {
			if a.CoveredShare != nil && (*a.CoveredShare != 1 || a.UncoveredPopulation != 0) {
				t.Errorf("%q: %s %s covered share %v, %d uncovered", dep, a.Level, a.Code, *a.CoveredShare, a.UncoveredPopulation)
			}
		}
		figs := append(append([]coverage.AreaFigures{f.Summary}, f.Regions...), f.Departements...)
		for _, a := range figs {
			if a.CoveredShare != nil && (*a.CoveredShare != 1 || a.UncoveredPopulation != 0) {
				t.Errorf("%q: figures of %s %s: covered share %v, %d uncovered", dep, a.Level, a.Code, *a.CoveredShare, a.UncoveredPopulation)
			}
		}
		for _, c := range cv.Communes {
			if c.CoveredShare != nil && (*c.CoveredShare != 1 || c.UncoveredPopulation != 0) {
				t.Errorf("%q: commune %s covered share %v, %d uncovered", dep, c.Code, *c.CoveredShare, c.UncoveredPopulation)
			}
		}
	}
}

// TestCoverageProfileBucketsUnchanged: the buckets of the real profile,
// held as share indexes with a prefix sum every 32 shares, give the covered
// population of the former distances and prefix sums bit for bit, at,
// just below and just above every distance.
func TestCoverageProfileBucketsUnchanged(t *testing.T) {
	if msg := coverage.BucketMismatch(coverageEngine(t).Coverage()); msg != "" {
		t.Fatal(msg)
	}
}

// TestScopeCellPopUnchanged: the populations of the département and
// région scope cells, summed from the relation when asked, equal bit for
// bit those the scopes held.
func TestScopeCellPopUnchanged(t *testing.T) {
	if msg := coverage.ScopePopMismatch(coverageEngine(t).Coverage()); msg != "" {
		t.Fatal(msg)
	}
}
