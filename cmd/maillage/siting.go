package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/param"
	"github.com/maillage/maillage/internal/present"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/siting"
)

// sitingFlags are the flags the siting subcommands share.
type sitingFlags struct {
	engineFlags
	reachFlags
	layers      string
	format, out string
}

// register adds the shared siting flags to fs; formats are the allowed
// output formats, the first being the default.
func (f *sitingFlags) register(fs *flag.FlagSet, formats ...string) {
	f.engineFlags.register(fs)
	f.reachFlags.register(fs)
	fs.StringVar(&f.layers, "layers", matching.DefaultLayer, "existing service layers, comma-separated")
	fs.StringVar(&f.format, "format", formats[0], strings.Join(formats, ", "))
	fs.StringVar(&f.out, "o", "", "output file (default stdout)")
}

// checkFormat refuses a format outside allowed.
func (f *sitingFlags) checkFormat(allowed ...string) error {
	return asUsage(param.Format(allowed...).Check(f.format))
}

// sitingProgress is a progress bar that may be stopped more than once.
type sitingProgress struct {
	step func(string)
	stop func()
}

// prepare loads the engine and its coverage caches for the flags' layers,
// with a progress bar whose last steps are work and "write".
func (f *sitingFlags) prepare(stderr io.Writer, work string) (*matching.Engine, sitingProgress, error) {
	p := newProgress(stderr, "territory", "layers", "grid", "nearest sites", work, "write")
	sp := sitingProgress{step: p.Step, stop: sync.OnceFunc(p.Stop)}
	e, err := f.load(slog.New(slog.DiscardHandler), p.Step)
	if err == nil {
		p.Step("nearest sites")
		err = coverage.Prepare(e.Coverage(), strings.Split(f.layers, ","))
	}
	if err != nil {
		sp.stop()
		return nil, sp, err
	}
	p.Step(work)
	return e, sp, nil
}

// readStructures reads a proposals or sites file (CSV, JSON or GeoJSON, by
// extension or content; .gz accepted).
func readStructures(path string, t *data.Territory) ([]people.Structure, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ss, _, err := people.LoadStructures(f, path, textio.FormatUnknown, t, textio.LocalFileLimits())
	return ss, err
}

// writeOut writes through fn to the output file or stdout.
func writeOut(path string, stdout io.Writer, fn func(io.Writer) error) error {
	w, closeOut, err := output(path, stdout)
	if err != nil {
		return err
	}
	err = fn(w)
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	return err
}

// sitingCmd is a siting subcommand: parse reads its arguments, exec runs
// it over a loaded engine (tests share one engine through exec).
type sitingCmd interface {
	parse(args []string, stderr io.Writer) error
	base() *sitingFlags
	exec(e *matching.Engine, p sitingProgress, stdout, stderr io.Writer) error
}

// runSiting parses, loads the engine and runs c.
func runSiting(c sitingCmd, work string, args []string, stdout, stderr io.Writer) error {
	if err := c.parse(args, stderr); err != nil {
		return asUsage(err)
	}
	e, p, err := c.base().prepare(stderr, work)
	if err != nil {
		return err
	}
	defer p.stop()
	return c.exec(e, p, stdout, stderr)
}

func (f *sitingFlags) base() *sitingFlags { return f }

// recommendCmd is `maillage recommend`.
type recommendCmd struct {
	sitingFlags
	reachV          coverage.Reach
	dep, reg, cands string
	k               int
	demand          string
}

// runRecommend prints where k new sites would newly cover the most people.
func runRecommend(args []string, stdout, stderr io.Writer) error {
	return runSiting(&recommendCmd{}, "recommend", args, stdout, stderr)
}

func (c *recommendCmd) parse(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("recommend", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.register(fs, "csv", "json", "geojson")
	fs.StringVar(&c.dep, "departement", "", "recommend within one département (code)")
	fs.StringVar(&c.reg, "region", "", "recommend within one région (code)")
	intVar(fs, &c.k, param.K(), siting.DefaultRecommendK, fmt.Sprintf("sites to pick (1 to %d)", param.MaxRecommendK))
	fs.StringVar(&c.cands, "candidates", "", "candidate locations file (structures format); default: every commune's main town")
	fs.StringVar(&c.demand, "demand", coverage.DemandPopulation, "value of the people reached: population, or difficulty (people in difficulty with digital tools, an estimate)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (candidates go in --candidates FILE)", fs.Arg(0))
	}
	if err := c.checkFormat("csv", "json", "geojson"); err != nil {
		return err
	}
	if c.demand != coverage.DemandPopulation && c.demand != coverage.DemandDifficulty {
		return fmt.Errorf("--demand %q: want %s or %s", c.demand, coverage.DemandPopulation, coverage.DemandDifficulty)
	}
	var err error
	c.reachV, err = c.reach()
	return err
}

func (c *recommendCmd) exec(e *matching.Engine, p sitingProgress, stdout, stderr io.Writer) error {
	weights, err := coverage.DemandWeights(e.Coverage(), c.demand)
	if err != nil {
		return err
	}
	q := siting.RecommendQuery{Layers: strings.Split(c.layers, ","), Reach: &c.reachV,
		Departement: c.dep, Region: c.reg, K: c.k, Demand: c.demand, DemandWeights: weights}
	if c.cands != "" {
		var err error
		if q.Candidates, err = readStructures(c.cands, e.Territory()); err != nil {
			return err
		}
	}
	rec, err := siting.Recommend(context.Background(), e, q)
	if err != nil {
		return err
	}
	p.step("write")
	if err := writeOut(c.out, stdout, func(w io.Writer) error { return writeRecommendation(w, rec, c.format) }); err != nil {
		return err
	}
	p.stop()
	fmt.Fprintln(stderr, recommendSummary(rec))
	return nil
}

// writeRecommendation writes the picks as CSV, the whole answer as JSON, or
// the picks as GeoJSON points with the rest as foreign members.
func writeRecommendation(w io.Writer, rec *siting.Recommendation, format string) error {
	switch format {
	case "json":
		return writeJSON(w, rec)
	case "geojson":
		summary := *rec
		summary.Picks = nil
		return writeJSON(w, pointsGeoJSON(present.SitePicks(), rec.Picks, func(pk *siting.SitePick) (string, orb.Point) {
			return pk.ID, orb.Point{pk.Lon, pk.Lat}
		}, summary, "picks"))
	}
	return present.SitePicks().WriteCSV(w, rec.Picks)
}

// recommendSummary is the account printed on stderr.
func recommendSummary(rec *siting.Recommendation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %.2f %% of %d located inhabitants within %s of %s; ", rec.Scope.Name, rec.Scope.Code,
		100*rec.CoveredShareBefore, rec.PopulationLocated, rec.Reach, strings.Join(rec.Layers, "+"))
	fmt.Fprintf(&b, "%d site(s) picked among %d candidates → %.2f %% (+%d)", len(rec.Picks), rec.Candidates,
		100*rec.CoveredShareAfter, rec.CoveredAfter-rec.CoveredBefore)
	switch {
	case rec.Exhausted && len(rec.Picks) == 0:
		b.WriteString("; no candidate adds anyone")
	case rec.Exhausted:
		b.WriteString("; no other candidate adds anyone")
	}
	fmt.Fprintf(&b, ".\nOptimum for %d sites ≤ %.0f (%s): the picks reach at least %.1f %% of it.", rec.K,
		rec.Bound.UpperBound, rec.Demand, 100*rec.Bound.AchievedShare)
	return b.String()
}

// evaluateCmd is `maillage evaluate`.
type evaluateCmd struct {
	sitingFlags
	reachV       coverage.Reach
	redundancyKm float64
	path         string
}

// runEvaluate judges the proposed sites of a file.
func runEvaluate(args []string, stdout, stderr io.Writer) error {
	return runSiting(&evaluateCmd{}, "evaluate", args, stdout, stderr)
}

func (c *evaluateCmd) parse(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("evaluate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.register(fs, "csv", "json", "geojson")
	floatVar(fs, &c.redundancyKm, param.RedundancyKm(), siting.DefaultRedundancyM/1000, "flag proposals closer than this to an existing France Services (0: never)")
	var err error
	if c.path, err = parseWithFile(fs, args, "evaluate proposals.csv [flags]"); err != nil {
		return err
	}
	if err := c.checkFormat("csv", "json", "geojson"); err != nil {
		return err
	}
	c.reachV, err = c.reach()
	return err
}

func (c *evaluateCmd) exec(e *matching.Engine, p sitingProgress, stdout, stderr io.Writer) error {
	props, err := readStructures(c.path, e.Territory())
	if err != nil {
		return err
	}
	q := siting.SitingQuery{Layers: strings.Split(c.layers, ","), Reach: &c.reachV, RedundancyM: c.redundancyKm * 1000}
	if c.redundancyKm == 0 {
		q.RedundancyM = -1
	}
	ev, err := siting.EvaluateProposals(context.Background(), e, props, q)
	if err != nil {
		return err
	}
	p.step("write")
	err = writeOut(c.out, stdout, func(w io.Writer) error {
		switch c.format {
		case "json":
			return writeJSON(w, ev)
		case "geojson":
			summary := *ev
			summary.Proposals = nil
			return writeJSON(w, pointsGeoJSON(present.Proposals(), ev.Proposals, func(r *siting.ProposalResult) (string, orb.Point) {
				return r.ID, orb.Point{r.Lon, r.Lat}
			}, summary, "proposals"))
		}
		return present.Proposals().WriteCSV(w, ev.Proposals)
	})
	if err != nil {
		return err
	}
	p.stop()
	fmt.Fprintf(stderr, "%d proposal(s): %d fill a gap, %d extend the covered area, %d redundant; together +%d inhabitants within %s (sum of gains %d): %.3f %% → %.3f %% nationally.\n",
		len(ev.Proposals), ev.FillsGap, ev.Extends, ev.Redundant, ev.JointGainPopulation, ev.Reach, ev.SumGainPopulation,
		100*ev.CoveredShareBefore, 100*ev.CoveredShareAfter)
	return nil
}

// scenarioCmd is `maillage scenario`.
type scenarioCmd struct {
	sitingFlags
	reachV  coverage.Reach
	by      string
	changed bool
	path    string
}

// runScenario compares coverage with a file's sites added to the baseline.
func runScenario(args []string, stdout, stderr io.Writer) error {
	return runSiting(&scenarioCmd{}, "scenario", args, stdout, stderr)
}

func (c *scenarioCmd) parse(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("scenario", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.register(fs, "csv", "json")
	fs.StringVar(&c.by, "by", "departement", "national, region or departement (csv)")
	fs.BoolVar(&c.changed, "changed", false, "list only the areas that gain (csv)")
	var err error
	if c.path, err = parseWithFile(fs, args, "scenario sites.csv [flags]"); err != nil {
		return err
	}
	if err := c.checkFormat("csv", "json"); err != nil {
		return err
	}
	switch c.by {
	case "national", "region", "departement":
	default:
		return fmt.Errorf("--by %q: want national, region or departement", c.by)
	}
	c.reachV, err = c.reach()
	return err
}

func (c *scenarioCmd) exec(e *matching.Engine, p sitingProgress, stdout, stderr io.Writer) error {
	sites, err := readStructures(c.path, e.Territory())
	if err != nil {
		return err
	}
	sc, err := siting.CompareScenario(context.Background(), e, sites, siting.SitingQuery{Layers: strings.Split(c.layers, ","), Reach: &c.reachV})
	if err != nil {
		return err
	}
	areas := sc.Departements
	switch c.by {
	case "national":
		areas = []siting.AreaChange{sc.National}
	case "region":
		areas = sc.Regions
	}
	if c.changed {
		var kept []siting.AreaChange
		for _, a := range areas {
			if a.GainPopulation > 0 {
				kept = append(kept, a)
			}
		}
		areas = kept
	}
	p.step("write")
	err = writeOut(c.out, stdout, func(w io.Writer) error {
		if c.format == "json" {
			return writeJSON(w, sc)
		}
		return present.AreaChanges().WriteCSV(w, areas)
	})
	if err != nil {
		return err
	}
	p.stop()
	fmt.Fprintf(stderr, "%d site(s): +%d inhabitants within %s nationally (%.3f %% → %.3f %%).\n", sc.Sites,
		sc.National.GainPopulation, sc.Reach, 100*sc.National.CoveredShareBefore, 100*sc.National.CoveredShareAfter)
	return nil
}

// parseWithFile parses flags given before or after one file argument.
func parseWithFile(fs *flag.FlagSet, args []string, usage string) (string, error) {
	var file string
	for {
		if err := parseFlags(fs, args); err != nil {
			return "", err
		}
		if fs.NArg() == 0 {
			break
		}
		if file != "" {
			return "", fmt.Errorf("one file expected, got %q and %q (usage: maillage %s)", file, fs.Arg(0), usage)
		}
		file, args = fs.Arg(0), fs.Args()[1:]
	}
	if file == "" {
		return "", fmt.Errorf("missing file (usage: maillage %s)", usage)
	}
	return file, nil
}
