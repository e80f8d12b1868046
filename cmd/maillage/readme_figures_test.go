package main

import (
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/accessibility"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/registry"
	"github.com/maillage/maillage/matching/siting"
)

// figure computes one README figure, exactly as the README prints it.
type figure func(d *docData) (string, error)

// docData is the loaded engine and the analyses the figures share, each
// computed once.
type docData struct {
	e        *matching.Engine
	coverage map[string]*coverage.Coverage
	compare  map[float64]*siting.CoverageComparison
	recs     map[string]*siting.Recommendation
	matches  map[string]*registry.MatchResult
	allocs   map[string]*accessibility.Allocation // by objective (readme_alloc_test.go)
}

// newDocData starts the figures' shared analyses over e.
func newDocData(e *matching.Engine) *docData {
	return &docData{e: e, coverage: map[string]*coverage.Coverage{},
		compare: map[float64]*siting.CoverageComparison{}, recs: map[string]*siting.Recommendation{},
		matches: map[string]*registry.MatchResult{}, allocs: map[string]*accessibility.Allocation{}}
}

// sharedEngine is the engine of the package's tests (the siting tests load
// it through the commands' flags), loaded once.
func sharedEngine(t *testing.T) *matching.Engine {
	t.Helper()
	sitingEngine.once.Do(func() {
		f := engineFlags{dataDir: testData, cacheDir: filepath.Join(os.TempDir(), "maillage-test-cache"),
			resolution: 8, workers: runtime.NumCPU()}
		sitingEngine.e, sitingEngine.err = f.load(slog.New(slog.DiscardHandler), nil)
	})
	if sitingEngine.err != nil {
		t.Fatal(sitingEngine.err)
	}
	return sitingEngine.e
}

// cov is `maillage coverage --layers layer --max-minutes minutes
// [--departement dep] [--rank-by rankBy]`.
func (d *docData) cov(layer string, minutes float64, dep, rankBy string) (*coverage.Coverage, error) {
	key := fmt.Sprint(layer, minutes, dep, rankBy)
	if cv, ok := d.coverage[key]; ok {
		return cv, nil
	}
	reach := coverage.ReachMinutes(minutes, coverage.DefaultTravelModel())
	q := coverage.Query{Layers: []string{layer}, Reach: &reach, Departement: dep, RankBy: rankBy}
	if err := coverage.Prepare(d.e.Coverage(), q.Layers); err != nil {
		return nil, err
	}
	cv, err := coverage.Compute(d.e.Coverage(), q)
	if err != nil {
		return nil, err
	}
	d.coverage[key] = cv
	return cv, nil
}

// cmp is `maillage compare --max-minutes minutes` (2020 → 2024 networks).
func (d *docData) cmp(minutes float64) (*siting.CoverageComparison, error) {
	if c, ok := d.compare[minutes]; ok {
		return c, nil
	}
	reach := coverage.ReachMinutes(minutes, coverage.DefaultTravelModel())
	c, err := siting.CompareCoverage(testContext(), d.e, siting.CompareQuery{From: []string{data.LayerFranceServices2020},
		To: []string{data.LayerFranceServices}, Reach: &reach})
	if err != nil {
		return nil, err
	}
	d.compare[minutes] = c
	return c, nil
}

// recommend is `maillage recommend --departement dep --layers layer
// --max-minutes minutes --k k`.
func (d *docData) recommend(dep, layer string, minutes float64, k int) (*siting.Recommendation, error) {
	key := fmt.Sprint(dep, layer, minutes, k)
	if r, ok := d.recs[key]; ok {
		return r, nil
	}
	reach := coverage.ReachMinutes(minutes, coverage.DefaultTravelModel())
	r, err := siting.Recommend(testContext(), d.e, siting.RecommendQuery{Layers: []string{layer}, Reach: &reach, Departement: dep, K: k})
	if err != nil {
		return nil, err
	}
	d.recs[key] = r
	return r, nil
}

// articulate is `maillage articulation --source source --max-minutes minutes`.
func (d *docData) articulate(source string, minutes float64) (*siting.ArticulationArea, error) {
	reach := coverage.ReachMinutes(minutes, coverage.DefaultTravelModel())
	a, err := siting.Articulate(d.e, siting.ArticulationQuery{Source: source, Reach: &reach})
	if err != nil {
		return nil, err
	}
	return &a.National, nil
}

// num prints an integer with thousands separators, as the README does.
func num(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// pct prints a 0–1 share as a percentage with dec decimals; a whole
// population covered is "100 %", never a rounded 99.99… shown as 100.
func pct(share float64, dec int) string {
	if share == 1 {
		return "100 %"
	}
	v := 100 * share
	if s := fmt.Sprintf("%.*f", dec, v); s != "100" && !strings.HasPrefix(s, "100.") {
		return s + " %"
	}
	// Just under 1: print the floor so it never reads as full coverage.
	p := math.Pow(10, float64(dec))
	return fmt.Sprintf("%.*f %%", dec, math.Floor(v*p)/p)
}

// located is the population placed on the grid.
func located(a coverage.AreaCoverage) int { return a.Population - a.PopulationUnlocated }

// zoneShare sums the départements whose code passes keep and returns their
// covered share of the located population.
func zoneShare(cv *coverage.Coverage, keep func(code string) bool) float64 {
	var cov, loc int
	for _, dp := range cv.Departements {
		if keep(dp.Code) {
			cov += dp.CoveredPopulation
			loc += located(dp)
		}
	}
	if loc == 0 {
		return 0
	}
	return float64(cov) / float64(loc)
}

// metropolitan and overseas split départements: the five overseas
// départements are 971–976; the other overseas collectivities (975, 977,
// 978, 98x) have no boundary and no located inhabitant.
func metropolitan(code string) bool { return !strings.HasPrefix(code, "97") }
func overseas(code string) bool     { return strings.HasPrefix(code, "97") }

// reachKm is the straight-line reach of a threshold under the default model.
func reachKm(minutes float64) string {
	return fmt.Sprintf("%.1f km", coverage.ReachMinutes(minutes, coverage.DefaultTravelModel()).MaxM/1000)
}

// share, count and other one-line figures of a national coverage.
func covFig(layer string, minutes float64, fn func(cv *coverage.Coverage) string) figure {
	return func(d *docData) (string, error) {
		cv, err := d.cov(layer, minutes, "", "")
		if err != nil {
			return "", err
		}
		return fn(cv), nil
	}
}

// depFig is a figure of one département's coverage.
func depFig(layer string, minutes float64, dep string, fn func(cv *coverage.Coverage) string) figure {
	return func(d *docData) (string, error) {
		cv, err := d.cov(layer, minutes, dep, "")
		if err != nil {
			return "", err
		}
		return fn(cv), nil
	}
}

// territoryFig is a figure of the loaded engine (reconciliation, load reports, grid).
func territoryFig(fn func(e *matching.Engine) string) figure {
	return func(d *docData) (string, error) { return fn(d.e), nil }
}

// layerReport is a figure of a layer's load report.
func layerReport(name string, fn func(r data.LoadReport) int) figure {
	return func(d *docData) (string, error) {
		l := d.e.Layer(name)
		if l == nil {
			return "", fmt.Errorf("no layer %q", name)
		}
		return num(fn(l.Report)), nil
	}
}

// compareFig is a figure of the 2020 → 2024 comparison.
func compareFig(minutes float64, fn func(s siting.AreaComparison) string) figure {
	return func(d *docData) (string, error) {
		c, err := d.cmp(minutes)
		if err != nil {
			return "", err
		}
		return fn(c.Summary), nil
	}
}

// readmeFigures maps each figure name marked in the README to its
// computation. The command in each comment is the one the README quotes.
func readmeFigures() map[string]figure {
	fs, fs20 := data.LayerFranceServices, data.LayerFranceServices2020
	share := func(dec int) func(cv *coverage.Coverage) string {
		return func(cv *coverage.Coverage) string { return pct(coverage.Value(cv.Summary.CoveredShare), dec) }
	}
	figs := map[string]figure{
		// Where the next posts go (readme_alloc_test.go).
		"alloc-equity":       allocFig("equity", allocSummary),
		"alloc-coverage":     allocFig("coverage", allocSummary),
		"alloc-equity-table": allocFig("equity", allocTable),
		"alloc-2021-under":   allocFig("equity", alloc2021(true)),
		"alloc-2021-over":    allocFig("equity", alloc2021(false)),
		// The data (engine load: maillage layers, /healthz).
		"boundaries": territoryFig(func(e *matching.Engine) string { return num(e.Territory().Report.Boundaries) }),
		"fs-sites":   layerReport(fs, func(r data.LoadReport) int { return r.Loaded }),
		"structures-read": func(d *docData) (string, error) {
			rep, _ := d.e.StructureReport(matching.BuiltinStructuresDataset)
			return num(rep.Read), nil
		},
		"fs-read":      layerReport(fs, func(r data.LoadReport) int { return r.Read }),
		"fs2020-sites": layerReport(fs20, func(r data.LoadReport) int { return r.Loaded }),
		"cnfs-places":  layerReport(data.LayerCNFSPermanences, func(r data.LoadReport) int { return r.Loaded }),
		"structures": territoryFig(func(e *matching.Engine) string {
			ss, _ := e.Structures(matching.BuiltinStructuresDataset)
			posts := 0
			for _, s := range ss {
				posts += s.Posts
			}
			return fmt.Sprintf("%s structures, %s posts", num(len(ss)), num(posts))
		}),
		"boundaries-same-code": territoryFig(func(e *matching.Engine) string { return num(e.Territory().Report.BoundariesSameCode) }),
		"boundaries-merged":    territoryFig(func(e *matching.Engine) string { return num(e.Territory().Report.BoundariesMerged) }),
		"boundaries-unmatched": territoryFig(func(e *matching.Engine) string { return num(len(e.Territory().Report.BoundariesUnmatched)) }),
		"shapes-dissolved":     territoryFig(func(e *matching.Engine) string { return num(e.Territory().Report.ShapesDissolved) }),
		"boundaries-repaired": territoryFig(func(e *matching.Engine) string {
			r := e.Territory().Report
			return fmt.Sprintf("%d (%s)", len(r.BoundariesRepaired), strings.Join(r.BoundariesRepaired, ", "))
		}),
		"communes":            territoryFig(func(e *matching.Engine) string { return num(e.Territory().Report.Communes) }),
		"communes-with-shape": territoryFig(func(e *matching.Engine) string { return num(e.Territory().Report.CommunesWithShape) }),
		"communes-without-shape": territoryFig(func(e *matching.Engine) string {
			com := 0
			for _, code := range e.Territory().Report.CommunesWithoutShape {
				if c, ok := e.Territory().Commune(code); ok && c.Zone == "com" {
					com++
				}
			}
			n := len(e.Territory().Report.CommunesWithoutShape)
			return fmt.Sprintf("%s (%s overseas collectivities `zone: com`, %s communes", num(n), num(com), num(n-com))
		}),
		"population":           territoryFig(func(e *matching.Engine) string { return num(e.Territory().Report.PopulationTotal) }),
		"population-unlocated": territoryFig(func(e *matching.Engine) string { return num(e.Territory().Report.PopulationWithoutShape) }),
		"population-located":   territoryFig(func(e *matching.Engine) string { return num(e.Territory().Report.PopulationWithShape) }),
		"fs-codes-mapped":      layerReport(fs, func(r data.LoadReport) int { return r.CodesMapped }),
		"fs-snapped":           layerReport(fs, func(r data.LoadReport) int { return r.Snapped }),
		"fs-declared-used":     layerReport(fs, func(r data.LoadReport) int { return r.DeclaredCommuneUsed }),
		"fs-mismatch":          layerReport(fs, func(r data.LoadReport) int { return r.CommuneMismatch }),
		"fs-mobile":            layerReport(fs, func(r data.LoadReport) int { return r.Mobile }),
		"grid-cells":           territoryFig(func(e *matching.Engine) string { return num(e.Grid().Len()) }),
		"reach-20":             func(*docData) (string, error) { return reachKm(20), nil },
		"reach-30":             func(*docData) (string, error) { return reachKm(30), nil },

		// maillage coverage --by national (--layers france-services-2020).
		"cov2024-30-share":   covFig(fs, 30, share(2)),
		"cov2024-20-share":   covFig(fs, 20, share(2)),
		"cov2024-20-share-1": covFig(fs, 20, share(1)),
		"cov2024-30-out":     covFig(fs, 30, func(cv *coverage.Coverage) string { return num(cv.Summary.UncoveredPopulation) }),
		"cov2024-20-out":     covFig(fs, 20, func(cv *coverage.Coverage) string { return num(cv.Summary.UncoveredPopulation) }),
		"metro-20":           covFig(fs, 20, func(cv *coverage.Coverage) string { return pct(zoneShare(cv, metropolitan), 2) }),
		"metro-30":           covFig(fs, 30, func(cv *coverage.Coverage) string { return pct(zoneShare(cv, metropolitan), 2) }),
		"drom-20":            covFig(fs, 20, func(cv *coverage.Coverage) string { return pct(zoneShare(cv, overseas), 1) }),
		"drom-30":            covFig(fs, 30, func(cv *coverage.Coverage) string { return pct(zoneShare(cv, overseas), 1) }),
		"guyane-30": covFig(fs, 30, func(cv *coverage.Coverage) string {
			return pct(zoneShare(cv, func(c string) bool { return c == "973" }), 1)
		}),
		"cov2020-30-covered": covFig(fs20, 30, func(cv *coverage.Coverage) string { return num(cv.Summary.CoveredPopulation) }),
		"cov2020-30-share":   covFig(fs20, 30, share(2)),
		"cov2020-20-share":   covFig(fs20, 20, share(2)),
		"cov2020-30-metro":   covFig(fs20, 30, func(cv *coverage.Coverage) string { return pct(zoneShare(cv, metropolitan), 2) }),
		"cov2020-30-communes-out": covFig(fs20, 30, func(cv *coverage.Coverage) string {
			return num(cv.Summary.CommunesUncovered)
		}),
		"cov2020-30-lowest": covFig(fs20, 30, lowestDepartements(5)),
		"cov2020-30-full": covFig(fs20, 30, func(cv *coverage.Coverage) string {
			n := 0
			for _, dp := range cv.Departements {
				if located(dp) > 0 && dp.UncoveredPopulation == 0 {
					n++
				}
			}
			return num(n)
		}),
		"cov2020-30-gaps-table": covFig(fs20, 30, gapsTable),
		"cov2024-30-difficulty-gaps": func(d *docData) (string, error) {
			cv, err := d.cov(fs, 30, "", coverage.RankByFragility)
			if err != nil {
				return "", err
			}
			return difficultyGapsTable(d.e.Territory(), cv), nil
		},

		// maillage compare --max-minutes 30 (then 20).
		"compare-30-gained": compareFig(30, func(s siting.AreaComparison) string { return num(s.GainedPopulation) }),
		"compare-20-gained": compareFig(20, func(s siting.AreaComparison) string { return num(s.GainedPopulation) }),
		"compare-30-communes": compareFig(30, func(s siting.AreaComparison) string {
			return fmt.Sprintf("%s communes gained, %s lost", num(s.CommunesGained), noneOr(s.CommunesLost))
		}),
		"compare-20-lost": compareFig(20, func(s siting.AreaComparison) string { return noneOr(s.LostPopulation) }),

		// maillage articulation --max-minutes 30 (then 20; --source cnfs-structures-2021).
		"articulation-table": articulationTable,

		// The map's prefect path: Creuse (23).
		"creuse-30":       depFig(fs, 30, "23", share(1)),
		"creuse-15":       depFig(fs, 15, "23", share(1)),
		"creuse-15-out":   depFig(fs, 15, "23", func(cv *coverage.Coverage) string { return num(cv.Summary.UncoveredPopulation) }),
		"creuse-15-gaps":  depFig(fs, 15, "23", func(cv *coverage.Coverage) string { return fmt.Sprintf("%d gap zones", len(cv.Gaps)) }),
		"creuse-15-rural": depFig(fs, 15, "23", func(cv *coverage.Coverage) string { return fmt.Sprintf("%d rural mairies", len(cv.RuralMairies)) }),
	}
	for _, more := range []map[string]figure{sitingFigures(), matchFigures(), layerFigures()} {
		for name, f := range more {
			figs[name] = f
		}
	}
	return figs
}

// noneOr is n, or "none" for 0.
func noneOr(n int) string {
	if n == 0 {
		return "none"
	}
	return num(n)
}
