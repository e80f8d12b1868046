package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/paulmach/orb/geojson"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/param"
	"github.com/maillage/maillage/internal/present"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/accessibility"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/fca"
)

// runAccess prints 2SFCA accessibility (supply per 10,000 of demand within
// reach) by area or commune as CSV, JSON or GeoJSON.
func runAccess(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("access", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var ef engineFlags
	ef.register(fs)
	var maxMinutes, maxKm, sigmaKm float64
	var supply, demand, decay, by, format, out, dep, sortBy string
	decimalVar(fs, &maxMinutes, "max-minutes", 0, "reach in minutes (default 30; converted at 60 km/h with a 1.3 detour factor)")
	decimalVar(fs, &maxKm, "max-km", 0, "reach in straight-line km (instead of --max-minutes)")
	fs.StringVar(&supply, "supply", matching.BuiltinStructuresDataset, "a structures dataset (posts) or a layer (sites, 1 each)")
	fs.StringVar(&demand, "demand", coverage.DemandDifficulty, "difficulty (people in difficulty with digital tools, an estimate) or population")
	fs.StringVar(&decay, "decay", string(fca.DecayNone), "distance decay: none, linear or gaussian")
	decimalVar(fs, &sigmaKm, "sigma-km", 0, "width of the gaussian decay in km (default half the reach)")
	fs.StringVar(&by, "by", "departement", "national, region, departement, epci or commune")
	fs.StringVar(&format, "format", "csv", "csv, json or geojson (geojson: --by commune)")
	fs.StringVar(&dep, "departement", "", "only the areas of this département (communes in it, EPCI holding one of its communes): the prefect's view")
	fs.StringVar(&sortBy, "sort", "", "access (lowest accessibility first), demand or below_half; default the territory's order")
	fs.StringVar(&out, "o", "", "output file (default stdout)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if sortBy != "" {
		if err := (param.Choice{Name: "sort", Allowed: accessibility.AccessSorts()}).Check(sortBy); err != nil {
			return usageError{err}
		}
	}
	if maxKm > 0 && maxMinutes > 0 {
		return fmt.Errorf("give --max-minutes or --max-km, not both")
	}
	reach := coverage.DefaultReach()
	switch {
	case maxKm > 0:
		reach = coverage.ReachKm(maxKm)
	case maxMinutes > 0:
		reach = coverage.ReachMinutes(maxMinutes, coverage.DefaultTravelModel())
	}
	switch by {
	case "national", "region", "departement", "epci", "commune":
	default:
		return fmt.Errorf("--by %q: want national, region, departement, epci or commune", by)
	}
	if format != "csv" && format != "json" && format != "geojson" {
		return fmt.Errorf("--format %q: want csv, json or geojson", format)
	}
	if format == "geojson" && by != "commune" {
		return fmt.Errorf("--format geojson needs --by commune")
	}
	p := newProgress(stderr, "territory", "layers", "grid", "access", "write")
	e, err := ef.load(slog.New(slog.DiscardHandler), p.Step)
	if err != nil {
		p.Stop()
		return err
	}
	p.Step("access")
	a, err := accessibility.Compute(e, accessibility.AccessQuery{Supply: supply, Demand: demand, Reach: &reach,
		Decay: fca.Decay{Kind: fca.DecayKind(decay), Sigma: sigmaKm * 1000}})
	if err != nil {
		p.Stop()
		return err
	}
	p.Step("write")
	if dep != "" {
		if _, ok := e.Territory().Departement(dep); !ok {
			p.Stop()
			return usagef("--departement %q: no such département", dep)
		}
	}
	err = writeOut(out, stdout, func(w io.Writer) error { return writeAccess(w, e.Territory(), a, by, dep, sortBy, format) })
	p.Stop()
	if err == nil {
		fmt.Fprintf(stderr, "%s, %s against %s: %.0f %s, reference %.3f per 10,000; %.1f %% of the demand below half of it\n",
			a.Reach, a.Supply, a.Demand, a.SupplyTotal, a.SupplyKind, a.ReferencePer10k, 100*a.National.ShareBelowHalf)
	}
	return err
}

// writeAccess writes the areas of a of level by (of département dep when
// set, in the order sortBy: Access.Select) in format.
func writeAccess(w io.Writer, t *data.Territory, a *accessibility.Access, by, dep, sortBy, format string) error {
	areas, communes, err := a.Select(by, dep, sortBy)
	if err != nil {
		return err
	}
	items := rowsOf(present.AccessAreas(), areas)
	if communes != nil {
		items = rowsOf(present.CommuneAccesses(), communes)
	}
	switch format {
	case "csv":
		return items.writeCSV(w)
	case "json":
		return writeJSON(w, map[string]any{"supply": a.Supply, "supply_kind": a.SupplyKind, "demand": a.Demand,
			"reach": a.Reach, "decay": a.Decay, "supply_total": a.SupplyTotal, "demand_total": a.DemandTotal,
			"reference_per_10k": a.ReferencePer10k, "national": a.National, "items": items.value()})
	case "geojson":
		fc := geojson.NewFeatureCollection()
		for i := range communes {
			com, ok := t.Commune(communes[i].Code)
			if !ok || !com.HasShape() {
				continue
			}
			f := geojson.NewFeature(com.Shape)
			f.ID = com.Code
			f.Properties = present.CommuneAccesses().Properties(&communes[i])
			fc.Append(f)
		}
		return json.NewEncoder(w).Encode(fc)
	default:
		return fmt.Errorf("--format %q: want csv, json or geojson", format)
	}
}
