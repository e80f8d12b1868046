package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/paulmach/orb/geojson"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/param"
	"github.com/maillage/maillage/internal/present"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
)

// coverageFlags are the flags of the coverage subcommand.
type coverageFlags struct {
	engineFlags
	reachFlags
	by, format, out string
	layers          string
	departement     string
	region          string
	rankBy          string
}

// runCoverage prints coverage figures by area, commune, gap zone or rural
// mairie as CSV, JSON or GeoJSON.
func runCoverage(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("coverage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f coverageFlags
	f.engineFlags.register(fs)
	f.reachFlags.register(fs)
	fs.StringVar(&f.by, "by", "departement", strings.Join(coverageBys(), ", "))
	fs.StringVar(&f.format, "format", "csv", "csv, json or geojson (geojson: --by commune or gaps)")
	fs.StringVar(&f.out, "o", "", "output file (default stdout)")
	fs.StringVar(&f.layers, "layers", matching.DefaultLayer, "service layers, comma-separated")
	fs.StringVar(&f.departement, "departement", "", "restrict to one département (code)")
	fs.StringVar(&f.region, "region", "", "restrict to one région (code)")
	fs.StringVar(&f.rankBy, "rank-by", coverage.RankByPopulation, "order of gap zones and rural mairies: population, fragility or zrr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	reach, err := f.reach()
	if err != nil {
		return err
	}
	if err := param.Format("csv", "json", "geojson").Check(f.format); err != nil {
		return asUsage(err)
	}
	if err := (param.Choice{Name: "by", Allowed: coverageBys()}).Check(f.by); err != nil {
		return asUsage(err)
	}
	if f.format == "geojson" && f.by != "commune" && f.by != "gaps" {
		return usagef("--format geojson needs --by commune or --by gaps")
	}

	p := newProgress(stderr, "territory", "layers", "grid", "nearest sites", "coverage", "write")
	e, err := f.load(slog.New(slog.DiscardHandler), p.Step)
	if err != nil {
		p.Stop()
		return err
	}
	q := coverage.Query{Layers: strings.Split(f.layers, ","), Reach: &reach,
		Departement: f.departement, Region: f.region, RankBy: f.rankBy}
	p.Step("nearest sites")
	if err := coverage.Prepare(e.Coverage(), q.Layers); err != nil {
		p.Stop()
		return err
	}
	p.Step("coverage")
	cv, err := coverage.Compute(e.Coverage(), q)
	if err != nil {
		p.Stop()
		return err
	}
	p.Step("write")
	err = writeOut(f.out, stdout, func(w io.Writer) error {
		return writeCoverage(w, e.Territory(), cv, f.by, f.format)
	})
	p.Stop()
	return err
}

// coverageBys are the values of coverage --by.
func coverageBys() []string {
	return []string{"national", "region", "departement", "epci", "commune", "gaps", "rural"}
}

// writeCoverage writes the part of cv selected by by in format.
func writeCoverage(w io.Writer, t *data.Territory, cv *coverage.Coverage, by, format string) error {
	var items rows
	switch by {
	case "national":
		items = rowsOf(present.AreaCoverages(), []coverage.AreaCoverage{cv.Summary})
	case "region":
		items = rowsOf(present.AreaCoverages(), cv.Regions)
	case "departement":
		items = rowsOf(present.AreaCoverages(), cv.Departements)
	case "epci":
		items = rowsOf(present.AreaCoverages(), cv.EPCIs)
	case "commune":
		items = rowsOf(present.CommuneCoverages(), cv.Communes)
	case "gaps":
		items = rowsOf(present.GapZones(), cv.Gaps)
	case "rural":
		items = rowsOf(present.RuralMairies(), cv.RuralMairies)
	default:
		return fmt.Errorf("--by %q: want national, region, departement, epci, commune, gaps or rural", by)
	}
	switch format {
	case "csv":
		return items.writeCSV(w)
	case "json":
		return writeJSON(w, map[string]any{"layers": cv.Layers, "reach": cv.Reach, "scope": cv.Scope,
			"summary": cv.Summary, "items": items.value()})
	case "geojson":
		return writeCoverageGeoJSON(w, t, cv, by)
	default:
		return fmt.Errorf("--format %q: want csv, json or geojson", format)
	}
}

// writeCoverageGeoJSON writes communes (with their shapes) or gap zones
// (with their outlines) as a FeatureCollection.
func writeCoverageGeoJSON(w io.Writer, t *data.Territory, cv *coverage.Coverage, by string) error {
	fc := geojson.NewFeatureCollection()
	if by == "commune" {
		props := present.CommuneCoverages()
		for i := range cv.Communes {
			c := &cv.Communes[i]
			com := &t.Communes[c.ID()]
			if !com.HasShape() {
				continue
			}
			f := geojson.NewFeature(com.Shape)
			f.ID = c.Code
			f.Properties = props.Properties(c)
			fc.Append(f)
		}
	} else {
		props := present.GapZones()
		for i := range cv.Gaps {
			f := geojson.NewFeature(cv.GapOutline(i))
			f.ID = cv.Gaps[i].ID
			f.Properties = props.Properties(&cv.Gaps[i])
			b := cv.Gaps[i].BBox
			f.BBox = geojson.BBox(b[:])
			fc.Append(f)
		}
	}
	return json.NewEncoder(w).Encode(fc)
}

// output opens the output file, or stdout when path is "".
func output(path string, stdout io.Writer) (io.Writer, func() error, error) {
	if path == "" {
		return stdout, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}
