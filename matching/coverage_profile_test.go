package matching

import (
	"fmt"
	"testing"
)

// profileReaches are thresholds in km and in minutes, on either side of
// the default, with fractions of a metre.
func profileReaches() []Reach {
	out := []Reach{}
	for _, km := range []float64{0.5, 2, 5, 7.25, 10, 17.3, 30, 80} {
		out = append(out, ReachKm(km))
	}
	for _, m := range []float64{5, 15, 22.5, 30, 45, 90} {
		out = append(out, ReachMinutes(m, TravelModel{}))
	}
	return out
}

// TestCoverageProfileCommunes checks every commune's covered population,
// read from the profile by binary search, against the sum over its shares
// of the populations within reach, as coverage computed it before the
// profile, at several thresholds.
func TestCoverageProfileCommunes(t *testing.T) {
	e := coverageEngine(t)
	g := e.grid
	for _, r := range profileReaches() {
		cv := mustCoverage(t, e, CoverageQuery{Reach: &r, NoGaps: true})
		for k := range cv.Communes {
			cc := &cv.Communes[k]
			var located, covered, cells int
			var sumDist, maxDist float64
			for _, s := range g.Shares[g.ShareStart[cc.id]:g.ShareStart[cc.id+1]] {
				if s.Population <= 0 {
					continue
				}
				d := cv.ns.cellDistM[s.Cell]
				located += int(s.Population)
				if float64(d) <= r.MaxM {
					covered += int(s.Population)
				}
				sumDist += float64(s.Population) * float64(d)
				maxDist = max(maxDist, float64(d))
				cells++
			}
			if cc.CoveredPopulation != covered || cc.UncoveredPopulation != located-covered || cc.Cells != cells {
				t.Fatalf("%.1f m, commune %s: covered %d uncovered %d cells %d, want %d %d %d", r.MaxM, cc.Code,
					cc.CoveredPopulation, cc.UncoveredPopulation, cc.Cells, covered, located-covered, cells)
			}
			if located > 0 && (cc.MeanDistanceM != sumDist/float64(located) || cc.MaxDistanceM != maxDist) {
				t.Fatalf("%.1f m, commune %s: mean %v max %v, want %v %v", r.MaxM, cc.Code,
					cc.MeanDistanceM, cc.MaxDistanceM, sumDist/float64(located), maxDist)
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
	for _, layers := range [][]string{nil, {DefaultLayer, "cnfs-permanences"}} {
		for _, sc := range []struct{ dep, reg string }{{}, {dep: "23"}, {dep: "2A"}, {reg: "84"}} {
			for _, r := range profileReaches() {
				q := CoverageQuery{Layers: layers, Reach: &r, Departement: sc.dep, Region: sc.reg, NoGaps: true}
				name := fmt.Sprintf("%v %v %.1fm", layers, sc, r.MaxM)
				cv := mustCoverage(t, e, q)
				f, err := e.CoverageFigures(q)
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

func sameFigures(t *testing.T, name string, got AreaFigures, a AreaCoverage) {
	t.Helper()
	want := AreaFigures{Level: a.Level, Code: a.Code, Name: a.Name, Population: a.Population,
		CoveredPopulation: a.CoveredPopulation, UncoveredPopulation: a.UncoveredPopulation,
		PopulationUnlocated: a.PopulationUnlocated, CoveredShare: a.CoveredShare, MeanDistanceM: a.MeanDistanceM,
		Communes: a.Communes, CommunesUncovered: a.CommunesUncovered, CommunesUnlocated: a.CommunesUnlocated}
	if got != want {
		t.Fatalf("%s: %s %s\n got %+v\nwant %+v", name, a.Level, a.Code, got, want)
	}
}

// BenchmarkCoverageFigures is the national and per-département figures at
// a threshold changing at every call (15 to 45 minutes), profile warm.
func BenchmarkCoverageFigures(b *testing.B) {
	e := warmCoverage(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := ReachMinutes(float64(15+i%31), TravelModel{})
		i++
		if _, err := e.CoverageFigures(CoverageQuery{Reach: &r}); err != nil {
			b.Fatal(err)
		}
	}
}
