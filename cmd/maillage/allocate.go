package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/paulmach/orb/geojson"

	"github.com/maillage/maillage/internal/param"
	"github.com/maillage/maillage/internal/present"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/accessibility"
	"github.com/maillage/maillage/matching/alloc"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/registry"
)

// runAllocate prints where N new posts go (matching.Allocate): the
// départements as CSV, or the whole allocation as JSON, or the host points
// given posts as CSV (--points).
func runAllocate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("allocate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var ef engineFlags
	ef.register(fs)
	var rf reachFlags
	rf.register(fs)
	var posts int
	var supply, demand, objective, hosts, floors, caps, format, out, candidates string
	var points bool
	intVar(fs, &posts, param.Posts(), 1862, "new posts to place (default: the 1,862 between the 2021 committees' 2,138 and the 4,000 target)")
	fs.StringVar(&supply, "supply", matching.BuiltinStructuresDataset, "the posts in place: a structures dataset (posts) or a layer (sites)")
	fs.StringVar(&demand, "demand", coverage.DemandDifficulty, "difficulty (people in difficulty with digital tools, an estimate) or population")
	fs.StringVar(&objective, "objective", string(alloc.Equity), "equity (smallest largest shortfall of a département) or coverage (most people served at the reference ratio)")
	fs.StringVar(&hosts, "hosts", "", "candidate hosts, comma-separated: structures, france-services, communes (default structures,france-services)")
	fs.StringVar(&floors, "floors", "", "least posts by département, e.g. 23=5,48=3")
	fs.StringVar(&caps, "caps", "", "most posts by département, e.g. 75=40")
	fs.StringVar(&candidates, "candidates", "", "a file of candidate host points (CSV, JSON or GeoJSON, as proposals): adds the uploaded hosts")
	fs.StringVar(&format, "format", "csv", "csv or json")
	fs.BoolVar(&points, "points", false, "write the host points given posts instead of the départements (csv)")
	fs.StringVar(&out, "o", "", "output file (default stdout)")
	if err := fs.Parse(args); err != nil {
		return asUsage(err)
	}
	q := accessibility.AllocationQuery{Posts: posts, Supply: supply, Demand: demand, Objective: alloc.Objective(objective)}
	if hosts != "" {
		q.Hosts = strings.Split(hosts, ",")
	}
	var err error
	if q.Floors, err = param.ParseDepartementPosts("floors", floors); err != nil {
		return usageError{err}
	}
	if q.Caps, err = param.ParseDepartementPosts("caps", caps); err != nil {
		return usageError{err}
	}
	if err := param.CheckAllocation(q.Posts, objective, q.Hosts, q.Floors, q.Caps); err != nil {
		return usageError{err}
	}
	if err := param.Format("csv", "json").Check(format); err != nil {
		return usageError{err}
	}
	reach, err := rf.reach()
	if err != nil {
		return asUsage(err)
	}
	q.Reach = &reach
	p := newProgress(stderr, "territory", "layers", "grid", "allocate", "write")
	e, err := ef.load(slog.New(slog.DiscardHandler), p.Step)
	if err != nil {
		p.Stop()
		return err
	}
	if candidates != "" {
		ss, err := readStructures(candidates, e.Territory())
		if err != nil {
			p.Stop()
			return err
		}
		q.Candidates = registry.StructuresFrom(ss)
	}
	p.Step("allocate")
	a, err := accessibility.Allocate(context.Background(), e, q)
	if err != nil {
		p.Stop()
		return err
	}
	p.Step("write")
	err = writeOut(out, stdout, func(w io.Writer) error {
		switch {
		case format == "json":
			return writeJSON(w, allocationJSON(a))
		case points:
			return rowsOf(present.AllocatedPoints(), a.Points).writeCSV(w)
		}
		return rowsOf(present.AllocationDepartements(), a.Departements).writeCSV(w)
	})
	p.Stop()
	if err == nil {
		fmt.Fprintf(stderr, "%d posts (%s) on %d of %d candidate points: reference %.3f → %.3f per 10,000; people reaching it %.0f → %.0f; largest département shortfall %.3f → %.3f\n",
			a.Posts, a.Objective, len(a.Points), a.CandidatePoints, a.ReferenceBeforePer10k, a.ReferencePer10k,
			a.ReachingReferenceBefore, a.ReachingReferenceAfter, a.LargestShortfallBeforePer10k, a.LargestShortfallAfterPer10k)
	}
	return err
}

// allocationJSON is the allocation as POST /v1/allocations answers it: the
// host points as a GeoJSON FeatureCollection.
func allocationJSON(a *accessibility.Allocation) any {
	fc := geojson.NewFeatureCollection()
	for i := range a.Points {
		p := &a.Points[i]
		f := geojson.NewFeature(p.Point)
		f.ID = p.Kind + ":" + p.ID
		f.Properties = present.AllocatedPoints().Properties(p)
		fc.Append(f)
	}
	return struct {
		*accessibility.Allocation
		Points *geojson.FeatureCollection `json:"points"`
	}{a, fc}
}
