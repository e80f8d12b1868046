package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/param"
	"github.com/maillage/maillage/internal/present"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/siting"
)

// networkFlags are the flags of the compare and articulation subcommands.
type networkFlags struct {
	engineFlags
	reachFlags
	format, out, by     string
	departement, region string
	reachV              coverage.Reach
}

// register adds the shared flags; formats and bys list the allowed values,
// the first being the default.
func (f *networkFlags) register(fs *flag.FlagSet, formats, bys []string) {
	f.engineFlags.register(fs)
	f.reachFlags.register(fs)
	fs.StringVar(&f.format, "format", formats[0], strings.Join(formats, ", "))
	fs.StringVar(&f.by, "by", bys[0], strings.Join(bys, ", "))
	fs.StringVar(&f.out, "o", "", "output file (default stdout)")
	fs.StringVar(&f.departement, "departement", "", "restrict to one département (code)")
}

// check validates the reach, format and by flags.
func (f *networkFlags) check(formats, bys []string) error {
	var err error
	if f.reachV, err = f.reach(); err != nil {
		return err
	}
	if err := param.Format(formats...).Check(f.format); err != nil {
		return err
	}
	if err := (param.Choice{Name: "by", Allowed: bys}).Check(f.by); err != nil {
		return err
	}
	if f.format == "geojson" && f.by != bys[len(bys)-1] {
		return fmt.Errorf("--format geojson needs --by %s", bys[len(bys)-1])
	}
	return nil
}

func contains(list []string, s string) bool { return indexOf(list, s) >= 0 }

// networkCmd is a subcommand of this file: parse reads its arguments, exec
// runs it over a loaded engine (tests share one engine through exec).
type networkCmd interface {
	parse(args []string, stderr io.Writer) error
	flags() *engineFlags
	exec(e *matching.Engine, stdout, stderr io.Writer) error
}

// runNetwork parses, loads the engine (with a progress bar) and runs c.
func runNetwork(c networkCmd, work string, args []string, stdout, stderr io.Writer) error {
	if err := c.parse(args, stderr); err != nil {
		return asUsage(err)
	}
	p := newProgress(stderr, "territory", "layers", "grid", "structures", "indicators", work)
	e, err := c.flags().load(slog.New(slog.DiscardHandler), p.Step)
	if err != nil {
		p.Stop()
		return err
	}
	p.Step(work)
	err = c.exec(e, stdout, stderr)
	p.Stop()
	return err
}

// compareCmd is `maillage compare`.
type compareCmd struct {
	networkFlags
	from, to string
}

// compareChoices are the formats and --by values of compare, defaults first.
func compareChoices() (formats, bys []string) {
	return []string{"table", "csv", "json", "geojson"}, []string{"national", "departement", "commune"}
}

// runCompare prints how coverage changed from one network to another.
func runCompare(args []string, stdout, stderr io.Writer) error {
	return runNetwork(&compareCmd{}, "compare", args, stdout, stderr)
}

func (c *compareCmd) flags() *engineFlags { return &c.engineFlags }

func (c *compareCmd) parse(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	formats, bys := compareChoices()
	c.register(fs, formats, bys)
	fs.StringVar(&c.from, "from", data.LayerFranceServices2020, "earlier network: layers, comma-separated")
	fs.StringVar(&c.to, "to", data.LayerFranceServices, "later network: layers, comma-separated")
	fs.StringVar(&c.region, "region", "", "restrict to one région (code)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c.check(formats, bys)
}

func (c *compareCmd) exec(e *matching.Engine, stdout, stderr io.Writer) error {
	cmp, err := siting.CompareCoverage(context.Background(), e, siting.CompareQuery{From: strings.Split(c.from, ","), To: strings.Split(c.to, ","),
		Reach: &c.reachV, Departement: c.departement, Region: c.region})
	if err != nil {
		return err
	}
	var items rows
	switch c.by {
	case "national":
		items = rowsOf(present.AreaComparisons(), []siting.AreaComparison{cmp.Summary})
	case "departement":
		items = rowsOf(present.AreaComparisons(), cmp.Departements)
	default:
		items = rowsOf(present.CommuneComparisons(), cmp.Communes)
	}
	err = writeOut(c.out, stdout, func(w io.Writer) error {
		switch c.format {
		case "csv":
			return items.writeCSV(w)
		case "json":
			return writeJSON(w, map[string]any{"from": cmp.From, "to": cmp.To, "reach": cmp.Reach, "scope": cmp.Scope,
				"summary": cmp.Summary, "items": items.value()})
		case "geojson":
			fc, props := geojson.NewFeatureCollection(), present.CommuneComparisons()
			for i := range cmp.Communes {
				m := &cmp.Communes[i]
				com := &e.Territory().Communes[m.ID()]
				if !com.HasShape() {
					continue
				}
				f := geojson.NewFeature(com.Shape)
				f.ID, f.Properties = m.Code, props.Properties(m)
				fc.Append(f)
			}
			return writeJSON(w, fc)
		}
		if c.by == "commune" {
			return items.writeText(w, "code", "nom", "departement", "population", "change", "covered_population_before",
				"covered_population_after", "gained_population", "lost_population", "nearest_distance_before_m", "nearest_distance_after_m")
		}
		return items.writeText(w, "code", "nom", "population", "sites_before", "sites_after", "covered_population_before",
			"covered_population_after", "covered_share_before", "covered_share_after", "gained_population", "lost_population",
			"communes_gained", "communes_lost", "communes_mixed")
	})
	if err != nil {
		return err
	}
	s := cmp.Summary
	fmt.Fprintf(stderr, "%s, %s: %s (%d sites) covers %s of the located population, %s (%d sites) %s; %d inhabitants gained, %d lost\n",
		cmp.Reach, s.Name, strings.Join(cmp.From, "+"), s.SitesBefore, percent(s.CoveredShareBefore, s.NoDataReason),
		strings.Join(cmp.To, "+"), s.SitesAfter, percent(s.CoveredShareAfter, s.NoDataReason), s.GainedPopulation, s.LostPopulation)
	return nil
}

// percent writes a share as "12.34 %", or "no data (reason)" when it is
// missing: a missing share is never printed as 0 %.
func percent(share *float64, reason string) string {
	if share == nil {
		return "no data (" + reason + ")"
	}
	return fmt.Sprintf("%.2f %%", 100**share)
}

// articulationCmd is `maillage articulation`.
type articulationCmd struct {
	networkFlags
	source string
}

// articulationChoices are the formats and --by values of articulation,
// defaults first.
func articulationChoices() (formats, bys []string) {
	return []string{"table", "csv", "json", "geojson"}, []string{"national", "departement", "item"}
}

// runArticulation prints how advisors' places or host structures articulate
// with France Services.
func runArticulation(args []string, stdout, stderr io.Writer) error {
	return runNetwork(&articulationCmd{}, "articulation", args, stdout, stderr)
}

func (c *articulationCmd) flags() *engineFlags { return &c.engineFlags }

func (c *articulationCmd) parse(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("articulation", flag.ContinueOnError)
	fs.SetOutput(stderr)
	formats, bys := articulationChoices()
	c.register(fs, formats, bys)
	fs.StringVar(&c.source, "source", data.LayerCNFSPermanences, "places to classify: a layer, or the built-in structures "+matching.BuiltinStructuresDataset)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c.check(formats, bys)
}

func (c *articulationCmd) exec(e *matching.Engine, stdout, stderr io.Writer) error {
	a, err := siting.Articulate(e, siting.ArticulationQuery{Source: c.source, Reach: &c.reachV, Departement: c.departement})
	if err != nil {
		return err
	}
	var items rows
	switch c.by {
	case "national":
		items = rowsOf(present.ArticulationAreas(), []siting.ArticulationArea{a.National})
	case "departement":
		items = rowsOf(present.ArticulationAreas(), a.Departements)
	default:
		items = rowsOf(present.ArticulationItems(), a.Items)
	}
	err = writeOut(c.out, stdout, func(w io.Writer) error {
		switch c.format {
		case "csv":
			return items.writeCSV(w)
		case "json":
			return writeJSON(w, map[string]any{"source": a.Source, "reference": a.Reference, "reach": a.Reach,
				"co_located_max_m": a.CoLocatedMaxM, "national": a.National, "items": items.value()})
		case "geojson":
			fc, props := geojson.NewFeatureCollection(), present.ArticulationItems()
			for i := range a.Items {
				it := &a.Items[i]
				f := geojson.NewFeature(orb.Point{it.Lon, it.Lat})
				f.ID, f.Properties = it.ID, props.Properties(it)
				fc.Append(f)
			}
			return writeJSON(w, fc)
		}
		if c.by == "item" {
			return items.writeText(w, "id", "name", "departement", "posts", "class", "nearest_france_services_m",
				"added_population", "added_population_in_difficulty")
		}
		return items.writeText(w, "code", "nom", "places", "posts", "co_located", "complements", "duplicates",
			"population", "covered_by_france_services", "added_population", "added_population_in_difficulty",
			"covered_share_france_services", "covered_share_with_source")
	})
	if err != nil {
		return err
	}
	n := a.National
	fmt.Fprintf(stderr, "%s, %s against %s: %d places, %d co-located (≤ %g m), %d complement, %d duplicate; together they add %d inhabitants (%.0f in difficulty with digital tools)\n",
		a.Reach, a.Source, a.Reference, n.Places, n.CoLocated, a.CoLocatedMaxM, n.Complements, n.Duplicates,
		n.AddedPopulation, n.AddedPopulationInDifficulty)
	return nil
}
