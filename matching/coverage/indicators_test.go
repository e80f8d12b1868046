package coverage_test

import (
	"encoding/csv"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/maillage/maillage/matching/internal/mtest"

	"github.com/maillage/maillage/matching/coverage"

	"github.com/maillage/maillage/data/boundaries"

	"github.com/maillage/maillage/data/indicators"

	orbgeo "github.com/paulmach/orb/geo"

	"github.com/maillage/maillage/data"
)

func TestCoverageTinyNeed(t *testing.T) {
	w := newTinyWorld(t)
	for _, tc := range []struct {
		name string
		q    coverage.Query
	}{
		{"national", coverage.Query{Reach: reachPtr(coverage.ReachKm(1))}},
		{"departement 02", coverage.Query{Reach: reachPtr(coverage.ReachKm(1)), Departement: "02"}},
		{"region 32", coverage.Query{Reach: reachPtr(coverage.ReachKm(1)), Region: "32", RankBy: coverage.RankByFragility}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cv := mustCoverage(t, w.e, tc.q)
			// At 1 km the only gap is B's disk: 70 inhabitants of B, index 8,
			// partly classed.
			if len(cv.Gaps) != 1 {
				t.Fatalf("%d gap zones, want 1", len(cv.Gaps))
			}
			z := cv.Gaps[0]
			if z.Population != 70 || math.Abs(z.PopulationInDifficulty-56) > 1e-9 || z.PopulationWithoutIndex != 0 ||
				z.ZRRPopulation != 0 || z.ZRRPartialPopulation != 70 {
				t.Errorf("gap %+v, want population 70, in difficulty 56, partial ZRR 70", z)
			}
			b := communeByCode(t, cv, "02001")
			if b.Fragility == nil || b.Fragility.Total != 8 || b.ZRR != indicators.ZRRPartial ||
				math.Abs(b.PopulationInDifficulty-56) > 1e-9 || math.Abs(b.UncoveredPopulationInDifficulty-56) > 1e-9 ||
				b.ZRRPopulation != 0 || b.ZRRPartialPopulation != 70 {
				t.Errorf("B %+v", b)
			}
			// B (7.8 inhabitants per km², fully uncovered) is the one rural
			// mairie.
			if len(cv.RuralMairies) != 1 {
				t.Fatalf("rural mairies %+v, want B", cv.RuralMairies)
			}
			if m := cv.RuralMairies[0]; m.Code != "02001" || m.ZRR != indicators.ZRRPartial || math.Abs(m.UncoveredPopulationInDifficulty-56) > 1e-9 ||
				m.Fragility == nil || m.Fragility.Total != 8 {
				t.Errorf("rural mairie %+v", m)
			}
		})
	}
	cv := mustCoverage(t, w.e, coverage.Query{Reach: reachPtr(coverage.ReachKm(1))})
	d := communeByCode(t, cv, "01002")
	if d.Fragility != nil || d.PopulationInDifficulty != 0 || d.ZRR != indicators.ZRRNotClassified {
		t.Errorf("D (no index, NC) %+v", d)
	}
	c := communeByCode(t, cv, "02002")
	if c.ZRR != "" || math.Abs(c.PopulationInDifficulty-10) > 1e-9 || c.UncoveredPopulationInDifficulty != 0 {
		t.Errorf("C (index 2, no boundary, no ZRR) %+v", c)
	}
	if _, err := coverage.Compute(w.e.Coverage(), coverage.Query{RankBy: "size"}); !errors.Is(err, coverage.ErrBadRankBy) {
		t.Errorf("rank_by size: err %v, want coverage.ErrBadRankBy", err)
	}
}

func TestCellDemandTiny(t *testing.T) {
	w := newTinyWorld(t)
	pop, err := coverage.CellDemand(w.e.Coverage(), "")
	if err != nil {
		t.Fatal(err)
	}
	frag, err := coverage.CellDemand(w.e.Coverage(), coverage.DemandDifficulty)
	if err != nil {
		t.Fatal(err)
	}
	weights, err := coverage.DemandWeights(w.e.Coverage(), coverage.DemandDifficulty)
	if err != nil {
		t.Fatal(err)
	}
	g := w.e.Grid()
	xD, _ := slices.BinarySearch(g.Cells, w.xD)
	for i, c := range g.Cells {
		// A's cells: 100 × 0.6; xD also holds D's 30 without index; B's
		// cells: 10 × 0.8.
		want := 60.0
		if slices.Contains(w.diskB, c) {
			want = 8
		}
		if math.Abs(frag[i]-want) > 1e-9 || pop[i] != float64(g.Population[i]) {
			t.Errorf("cell %d: difficulty demand %v, population %v; want %v, %v", i, frag[i], pop[i], want, g.Population[i])
		}
		if math.Abs(weights[i]*pop[i]-frag[i]) > 1e-9 {
			t.Errorf("cell %d: weight %v × population %v != %v", i, weights[i], pop[i], frag[i])
		}
		if i == xD && math.Abs(weights[i]-60.0/130) > 1e-12 {
			t.Errorf("cell xD: weight %v, want 60/130", weights[i])
		}
	}
	if w, err := coverage.DemandWeights(w.e.Coverage(), "population"); w != nil || err != nil {
		t.Errorf("population weights %v, %v; want nil", w, err)
	}
	if _, err := coverage.CellDemand(w.e.Coverage(), "age"); !errors.Is(err, coverage.ErrUnknownDemand) {
		t.Errorf("demand age: err %v", err)
	}
}

// TestCoverageRealNeed checks the indicator figures of the real coverage
// two ways: the communes' (population × index) against the gap zones'
// (cell shares × index), and the rankings.
func TestCoverageRealNeed(t *testing.T) {
	e := coverageEngine(t)
	if e.IndicatorReport().Fragility.Read == 0 {
		t.Fatal("no indicators loaded")
	}
	t.Logf("start-up steps %+v, load %v", e.Timings(), e.LoadTime())
	r := e.IndicatorReport()
	if r.Fragility.Read != 35008 || len(r.Fragility.CommunesWithout) == 0 || len(r.ZRR.CommunesWithout) == 0 {
		t.Errorf("indicator report: fragility read %d, without %d, ZRR without %d", r.Fragility.Read,
			len(r.Fragility.CommunesWithout), len(r.ZRR.CommunesWithout))
	}
	for _, q := range []coverage.Query{{}, {Departement: "23"}, {Region: "75"}} {
		cv := mustCoverage(t, e, q)
		s := cv.Summary
		var difficulty, zrr, partial, gapPop, without float64
		for _, z := range cv.Gaps {
			difficulty += z.PopulationInDifficulty
			zrr += float64(z.ZRRPopulation)
			partial += float64(z.ZRRPartialPopulation)
			without += float64(z.PopulationWithoutIndex)
			gapPop += float64(z.Population)
			if z.PopulationWithoutIndex > z.Population || z.ZRRPopulation+z.ZRRPartialPopulation > z.Population ||
				z.PopulationInDifficulty > float64(z.Population-z.PopulationWithoutIndex)+1e-6 {
				t.Errorf("%s: gap %s: %+v", s.Code, z.ID, z)
			}
		}
		// Zones round their fractional inhabitants one by one (and those
		// under half an inhabitant are not listed), the summary once.
		tol := 0.5*float64(len(cv.Gaps)+cv.GapZonesUnpopulated) + 1
		if math.Abs(gapPop-float64(s.UncoveredPopulation)) > tol || math.Abs(difficulty-s.UncoveredPopulationInDifficulty) > 1e-4*s.PopulationInDifficulty+1 ||
			math.Abs(zrr-float64(s.UncoveredZRRPopulation)) > tol {
			t.Errorf("%s: gap zones hold %v inhabitants, %v in difficulty, %v ZRR; uncovered %d, %v in difficulty, %d ZRR",
				s.Code, gapPop, difficulty, zrr, s.UncoveredPopulation, s.UncoveredPopulationInDifficulty, s.UncoveredZRRPopulation)
		}
		var cf float64
		var cw, cz, cp int
		for _, c := range cv.Communes {
			cf += c.PopulationInDifficulty
			if c.Fragility == nil {
				cw += c.Population
			}
			cz += c.ZRRPopulation
			cp += c.ZRRPartialPopulation
		}
		if math.Abs(cf-s.PopulationInDifficulty) > 1e-6*cf || cw != s.PopulationWithoutIndex || cz != s.ZRRPopulation || cp != s.ZRRPartialPopulation {
			t.Errorf("%s: summary %+v; communes in difficulty %v, without %d, ZRR %d, partial %d", s.Code, s, cf, cw, cz, cp)
		}
		if s.PopulationInDifficulty <= 0 || s.PopulationInDifficulty >= float64(s.Population) || s.ZRRPopulation <= 0 {
			t.Errorf("%s: implausible need figures %+v", s.Code, s)
		}
	}

	// Rankings: same zones and mairies, ordered by their key.
	byPop := mustCoverage(t, e, coverage.Query{})
	for _, rank := range []string{coverage.RankByFragility, coverage.RankByZRR} {
		cv := mustCoverage(t, e, coverage.Query{RankBy: rank})
		if len(cv.Gaps) != len(byPop.Gaps) || len(cv.RuralMairies) != len(byPop.RuralMairies) {
			t.Fatalf("%s: %d zones, %d mairies; by population %d, %d", rank, len(cv.Gaps), len(cv.RuralMairies),
				len(byPop.Gaps), len(byPop.RuralMairies))
		}
		ids := map[string]bool{}
		for i, z := range cv.Gaps {
			ids[z.ID] = true
			if z.Rank != i+1 {
				t.Fatalf("%s: zone %d has rank %d", rank, i, z.Rank)
			}
			if i == 0 {
				continue
			}
			p := cv.Gaps[i-1]
			if rank == coverage.RankByFragility && p.PopulationInDifficulty < z.PopulationInDifficulty ||
				rank == coverage.RankByZRR && p.ZRRPopulation < z.ZRRPopulation {
				t.Fatalf("%s: zone %d (%+v) ranks after %+v", rank, i, z, p)
			}
		}
		for _, z := range byPop.Gaps {
			if !ids[z.ID] {
				t.Fatalf("%s: zone %s missing", rank, z.ID)
			}
		}
		for i := 1; i < len(cv.RuralMairies); i++ {
			p, m := cv.RuralMairies[i-1], cv.RuralMairies[i]
			if rank == coverage.RankByFragility && p.UncoveredPopulationInDifficulty < m.UncoveredPopulationInDifficulty ||
				rank == coverage.RankByZRR && coverage.ZRRCode(p.ZRR) > coverage.ZRRCode(m.ZRR) {
				t.Fatalf("%s: mairie %+v ranks after %+v", rank, m, p)
			}
		}
	}

	// The difficulty demand of the grid is the population in difficulty located.
	d, err := coverage.CellDemand(e.Coverage(), coverage.DemandDifficulty)
	if err != nil {
		t.Fatal(err)
	}
	var sum, want float64
	for _, v := range d {
		sum += v
	}
	for _, c := range byPop.Communes {
		want += float64(c.CoveredPopulation+c.UncoveredPopulation) * c.DifficultyShare
	}
	if math.Abs(sum-want) > 1e-6*want {
		t.Errorf("difficulty demand over cells %v, over located communes %v", sum, want)
	}
}

// TestEngineIndicatorsMerged checks a commune merged since 2018: Neuville
// Saint Denis (28319, formerly Rouvray-Saint-Denis) took in Barmainville
// (28025) and Neuvy-en-Beauce (28276); the engine gives it the mean of the
// three rows of the fragility file weighted by the areas of their 2018
// boundaries, measured here independently with orb (the COG gives no
// population to delegated communes).
func TestEngineIndicatorsMerged(t *testing.T) {
	e := coverageEngine(t)
	dir, err := mtest.DataDir()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, data.FragilityFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	total := map[string]float64{}
	for _, r := range recs[1:] {
		if v, err := strconv.ParseFloat(r[8], 64); err == nil {
			total[r[2]] = v
		}
	}
	bs, err := boundaries.Load(filepath.Join(dir, data.CommunesFile))
	if err != nil {
		t.Fatal(err)
	}
	area := map[string]float64{}
	for _, b := range bs {
		area[b.Code] += orbgeo.Area(b.Shape)
	}
	id, ok := e.Territory().CommuneID("28319")
	if !ok {
		t.Fatal("28319 unknown")
	}
	var sw, sv float64
	for _, code := range []string{"28319", "28025", "28276"} {
		if _, ok := total[code]; !ok || area[code] == 0 {
			t.Fatalf("%s: total %v area %v", code, total[code], area[code])
		}
		sw += area[code]
		sv += area[code] * total[code]
	}
	want := sv / sw
	got := e.Indicator(e.Territory().Communes[id].Code)
	if got.Fragility == nil || math.Abs(got.Fragility.Total-want) > 1e-6 {
		t.Fatalf("28319: total %+v, want %v", got.Fragility, want)
	}
	cv := mustCoverage(t, e, coverage.Query{Departement: "28", NoGaps: true})
	c := communeByCode(t, cv, "28319")
	a, _ := e.Coverage().DifficultyFactor()
	if math.Abs(c.PopulationInDifficulty-float64(c.Population)*a*want/10) > 1e-6 || c.ZRR != indicators.ZRRPartial {
		t.Errorf("28319 coverage: in difficulty %v for %d inhabitants (index %v), ZRR %q", c.PopulationInDifficulty, c.Population, want, c.ZRR)
	}
	t.Logf("28319: %d inhabitants, index %.4f (parts %v %v %v)", c.Population, want, total["28319"], total["28025"], total["28276"])
}
