package coverage_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/maillage/maillage/matching/coverage"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
)

// checkSums checks covered + uncovered + unlocated = population for an area.
func checkSums(t *testing.T, a coverage.AreaCoverage) {
	t.Helper()
	if a.CoveredPopulation+a.UncoveredPopulation+a.PopulationUnlocated != a.Population || a.CoveredPopulation < 0 || a.UncoveredPopulation < 0 {
		t.Errorf("%s %s: covered %d + uncovered %d + unlocated %d != population %d", a.Level, a.Code,
			a.CoveredPopulation, a.UncoveredPopulation, a.PopulationUnlocated, a.Population)
	}
}

func TestCoverageRealConservation(t *testing.T) {
	e := coverageEngine(t)
	cv := mustCoverage(t, e, coverage.Query{})
	total := 0
	for i := range e.Territory().Communes {
		total += e.Territory().Communes[i].Population
	}
	if cv.Summary.Population != total || len(cv.Communes) != len(e.Territory().Communes) {
		t.Errorf("summary population %d over %d communes, territory %d over %d", cv.Summary.Population, len(cv.Communes), total, len(e.Territory().Communes))
	}
	if cv.Summary.PopulationUnlocated != e.Territory().Report.PopulationWithoutShape {
		t.Errorf("unlocated %d, reconciliation says %d without shape", cv.Summary.PopulationUnlocated, e.Territory().Report.PopulationWithoutShape)
	}
	checkSums(t, cv.Summary)
	for _, list := range [][]coverage.AreaCoverage{cv.Regions, cv.Departements, cv.EPCIs} {
		for _, a := range list {
			checkSums(t, a)
		}
	}
	depSum := 0
	for _, d := range cv.Departements {
		depSum += d.Population
	}
	if depSum != total {
		t.Errorf("départements sum to %d, total %d", depSum, total)
	}
	for _, c := range cv.Communes {
		if c.CoveredPopulation+c.UncoveredPopulation+c.PopulationUnlocated != c.Population {
			t.Fatalf("commune %s does not add up: %+v", c.Code, c)
		}
	}
	t.Logf("%s, %s: %d/%d covered (%.2f %%), %d unlocated, %d gap zones, %d rural mairies",
		cv.Layers, cv.Reach, cv.Summary.CoveredPopulation, cv.Summary.Population, 100*coverage.Value(cv.Summary.CoveredShare),
		cv.Summary.PopulationUnlocated, len(cv.Gaps), len(cv.RuralMairies))

	// A département query gives the figures of its row in the national one.
	for _, code := range []string{"23", "2A", "75", "974"} {
		dep := mustCoverage(t, e, coverage.Query{Departement: code})
		i := slices.IndexFunc(cv.Departements, func(a coverage.AreaCoverage) bool { return a.Code == code })
		if i < 0 {
			t.Fatalf("département %s missing from the national answer", code)
		}
		want := cv.Departements[i]
		want.Level = coverage.LevelDepartement
		got := dep.Summary
		if got.Population != want.Population || got.CoveredPopulation != want.CoveredPopulation ||
			got.Communes != want.Communes || got.CommunesUncovered != want.CommunesUncovered ||
			!slices.Equal(got.WorstCommunes, want.WorstCommunes) {
			t.Errorf("département %s alone %+v, in the national answer %+v", code, got, want)
		}
	}
}

func TestCoverageRealMonotone(t *testing.T) {
	e := coverageEngine(t)
	prev := -1
	for _, km := range []float64{0, 1, 5, 10, 23.077, 50, 100, 1000} {
		cv := mustCoverage(t, e, coverage.Query{Reach: reachPtr(coverage.ReachKm(km)), NoGaps: true})
		s := cv.Summary
		checkSums(t, s)
		if s.CoveredPopulation < prev {
			t.Errorf("%v km covers %d, less than %d at a smaller threshold", km, s.CoveredPopulation, prev)
		}
		prev = s.CoveredPopulation
		switch km {
		case 0:
			if s.CoveredPopulation != 0 {
				t.Errorf("0 km covers %d inhabitants", s.CoveredPopulation)
			}
		case 1000:
			for _, c := range cv.Communes {
				if c.Located && c.UncoveredPopulation > 0 && e.Territory().Communes[c.ID()].Zone == "metro" {
					t.Errorf("1,000 km leaves %d of metropolitan %s %s uncovered", c.UncoveredPopulation, c.Code, c.Name)
				}
			}
		}
	}
}

// TestCoverageRealBruteForce checks cached cell distances against a scan of
// every site, on 2,000 random cells, for one layer and a union.
func TestCoverageRealBruteForce(t *testing.T) {
	e := coverageEngine(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, layers := range [][]string{{coverage.DefaultLayer}, {"cnfs-permanences", "france-services-2020"}} {
		layers, err := e.Coverage().ResolveLayers(layers)
		if err != nil {
			t.Fatal(err)
		}
		ns, err := e.Coverage().Nearest(layers)
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; n < 2000; n++ {
			i := rng.IntN(len(e.Grid().Cells))
			p := e.Grid().Centers[i]
			bd, bl := math.Inf(1), ""
			for _, l := range layers {
				for _, s := range e.Layer(l).Sites {
					if d := geo.DistanceM(p, s.Point); d < bd {
						bd, bl = d, l
					}
				}
			}
			got := float64(ns.CellDistM[i])
			if math.Abs(got-bd) > 1e-6*bd+1e-3 {
				t.Fatalf("%v cell %v: cached %.3f m, brute force %.3f m (%s)", layers, e.Grid().Cells[i], got, bd, bl)
			}
			l, site := ns.CellSite(i)
			if d := geo.DistanceM(p, e.Layer(l).Sites[site].Point); math.Abs(d-bd) > 1e-6*bd+1e-3 {
				t.Fatalf("%v cell %v: cached site at %.3f m, brute force %.3f m", layers, e.Grid().Cells[i], d, bd)
			}
		}
	}
}

// TestCoverageRealGapZones checks that gap zones are connected, disjoint,
// maximal and made of uncovered cells, nationally and in a département.
func TestCoverageRealGapZones(t *testing.T) {
	e := coverageEngine(t)
	for _, q := range []coverage.Query{{}, {Reach: reachPtr(coverage.ReachKm(10))}, {Departement: "48"}} {
		cv := mustCoverage(t, e, q)
		g := e.Grid()
		owner := map[geo.Cell]int{}
		pop := 0
		for zi, z := range cv.Gaps {
			if zi > 0 && z.Population > cv.Gaps[zi-1].Population {
				t.Errorf("zone %s ranked after a smaller one", z.ID)
			}
			cells := cv.GapCells(zi)
			if z.ID != "gap-"+cells[0].String() || len(cells) != z.Cells {
				t.Errorf("zone %s: id or cell count wrong (%d cells, first %v)", z.ID, len(cells), cells[0])
			}
			for _, c := range cells {
				if o, dup := owner[c]; dup {
					t.Fatalf("cell %v in zones %d and %d", c, o, zi)
				}
				owner[c] = zi
				i, _ := g.Index(c)
				if cv.Covered(cv.Nearest().CellDistM[i]) {
					t.Fatalf("zone %s holds covered cell %v", z.ID, c)
				}
			}
			// Connected: a walk over H3 neighbours inside the zone reaches every cell.
			in := map[geo.Cell]bool{}
			for _, c := range cells {
				in[c] = true
			}
			seen := map[geo.Cell]bool{cells[0]: true}
			stack := []geo.Cell{cells[0]}
			for len(stack) > 0 {
				c := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				for _, nb := range geo.Disk(c, 1) {
					if in[nb] && !seen[nb] {
						seen[nb] = true
						stack = append(stack, nb)
					}
				}
			}
			if len(seen) != len(cells) {
				t.Errorf("zone %s: %d of %d cells reachable", z.ID, len(seen), len(cells))
			}
			pop += z.Population
			// The outline from border cells equals geo.CellsOutline (every cell).
			if zi < 20 && z.Cells < 5000 {
				mine, ref := cv.GapOutline(zi), geo.CellsOutline(cells)
				if len(mine) != len(ref) || math.Abs(geo.AreaKm2(mine)-geo.AreaKm2(ref)) > 1e-9*geo.AreaKm2(ref) {
					t.Errorf("zone %s: outline of %d polygons, %.6f km²; geo.CellsOutline %d polygons, %.6f km²",
						z.ID, len(mine), geo.AreaKm2(mine), len(ref), geo.AreaKm2(ref))
				}
				rings := func(mp orb.MultiPolygon) (n int) {
					for _, p := range mp {
						n += len(p)
					}
					return n
				}
				if rings(mine) != rings(ref) {
					t.Errorf("zone %s: %d rings, geo.CellsOutline %d", z.ID, rings(mine), rings(ref))
				}
				if a := geo.AreaKm2(mine); math.Abs(a-z.AreaKm2) > 0.005*z.AreaKm2 {
					t.Errorf("zone %s: outline of %.3f km², zone area %.3f km²", z.ID, a, z.AreaKm2)
				}
			}
		}
		// Maximal and complete: every uncovered populated cell of the scope is
		// in a zone, and no zone cell has an uncovered neighbour of the scope
		// outside its zone.
		sc := cv.ScopeOf()
		for k := 0; k < sc.Len(); k++ {
			i := sc.Cell(k)
			if cv.Covered(cv.Nearest().CellDistM[i]) {
				continue
			}
			zi, ok := owner[g.Cells[i]]
			if !ok {
				// A zone holding less than half an inhabitant (fractional
				// shares of a small commune) rounds to 0: unpopulated, not
				// listed; its cells hold less than that.
				if sc.CellPop(k) >= 0.5 {
					t.Fatalf("uncovered populated cell %v (%v inhabitants) in no zone", g.Cells[i], sc.CellPop(k))
				}
				continue
			}
			for _, nb := range e.Grid().Neighbors(i, nil) {
				if sc.Pos(nb) >= 0 && !cv.Covered(cv.Nearest().CellDistM[nb]) {
					if oz, ok := owner[g.Cells[nb]]; !ok || oz != zi {
						t.Fatalf("uncovered neighbours %v and %v in different zones", g.Cells[i], g.Cells[nb])
					}
				}
			}
		}
		// Each zone rounds its fractional inhabitants, the summary their
		// sum (and zones under half an inhabitant are not listed).
		if tol := 0.5*float64(len(cv.Gaps)+cv.GapZonesUnpopulated) + 1; math.Abs(float64(pop-cv.Summary.UncoveredPopulation)) > tol {
			t.Errorf("%+v: zones hold %d inhabitants, %d uncovered", q, pop, cv.Summary.UncoveredPopulation)
		}
		for _, m := range cv.RuralMairies {
			if m.DensityPerKm2 >= coverage.RuralDensityMaxKm2 || m.GapShare < coverage.RuralGapShareMin {
				t.Errorf("rural mairie %s breaks the rule: %+v", m.Code, m)
			}
		}
	}
}

// TestPopulationInDifficultyNational checks the calibration on the real
// data: the national coverage counts 13 million people in difficulty (the
// old population × index / 10 gave about 35 million), each département
// fewer than its inhabitants.
func TestPopulationInDifficultyNational(t *testing.T) {
	e := coverageEngine(t)
	cv := mustCoverage(t, e, coverage.Query{})
	s := cv.Summary
	if math.Abs(s.PopulationInDifficulty-coverage.DifficultyNationalTotal) > 1 {
		t.Errorf("national people in difficulty %.1f, want %d ± 1", s.PopulationInDifficulty, coverage.DifficultyNationalTotal)
	}
	a, total := e.Coverage().DifficultyFactor()
	t.Logf("factor a = %.6f (share = min(1, a × index / 10)), total %.1f, population without index %d, uncovered in difficulty %.0f",
		a, total, s.PopulationWithoutIndex, s.UncoveredPopulationInDifficulty)
	if !(a > 0.2 && a < 0.6) {
		t.Errorf("factor %v: want about 13 / 35", a)
	}
	var sum float64
	for _, d := range cv.Departements {
		if d.PopulationInDifficulty > float64(d.Population) || d.PopulationInDifficulty < 0 {
			t.Errorf("%s: %v in difficulty for %d inhabitants", d.Code, d.PopulationInDifficulty, d.Population)
		}
		sum += d.PopulationInDifficulty
	}
	if math.Abs(sum-coverage.DifficultyNationalTotal) > 1 {
		t.Errorf("départements sum to %.1f in difficulty", sum)
	}
}
