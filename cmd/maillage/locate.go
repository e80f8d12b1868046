package main

import (
	"flag"
	"io"
	"log/slog"
	"strings"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/api/territory"
	"github.com/maillage/maillage/internal/param"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/lookup"
)

// runLocate answers, for every point of a file (CSV lon,lat[,id], a JSON
// array of {lon, lat, id} or a GeoJSON FeatureCollection of points), the
// commune containing it, or with --nearest its k nearest sites: the
// answers of POST /v1/communes/at and POST /v1/sites/nearest, written by
// the same code, one per point in order.
func runLocate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("locate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var ef engineFlags
	ef.register(fs)
	var nearest bool
	var k int
	var layers, format, out string
	fs.BoolVar(&nearest, "nearest", false, "answer the k nearest sites of each point instead of its commune")
	intVar(fs, &k, param.NearestK(), param.DefaultNearestK, "sites per point with --nearest")
	fs.StringVar(&layers, "layers", matching.DefaultLayer, "service layers of --nearest, comma-separated")
	fs.StringVar(&format, "format", "csv", "csv, json or geojson")
	fs.StringVar(&out, "o", "", "output file (default stdout)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("locate needs one file of points (CSV lon,lat[,id], JSON or GeoJSON; .gz read too)")
	}
	if err := param.Format("csv", "json", "geojson").Check(format); err != nil {
		return usagef("--%v", err)
	}
	path := fs.Arg(0)
	f, err := textio.OpenFile(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, _, err := people.ReadPoints(f, path, textio.FormatUnknown, textio.LocalFileLimits())
	if err != nil {
		return err
	}
	p := newProgress(stderr, "territory", "layers", "grid", "locate")
	e, err := ef.load(slog.New(slog.DiscardHandler), p.Step)
	if err != nil {
		p.Stop()
		return err
	}
	p.Step("locate")
	err = writeOut(out, stdout, func(w io.Writer) error {
		return locate(w, e, rows, nearest, k, strings.Split(layers, ","), format)
	})
	p.Stop()
	return err
}

// locate writes the answers for rows over e.
func locate(w io.Writer, e *matching.Engine, rows []people.PointRow, nearest bool, k int, layers []string, format string) error {
	pts := make([]orb.Point, len(rows))
	for i := range rows {
		pts[i] = rows[i].Point
	}
	if !nearest {
		return territory.WriteCommunesAt(w, format, rows, lookup.CommunesAt(e, pts))
	}
	for _, l := range layers {
		if e.Layer(l) == nil {
			return usagef("--layers: unknown layer %q (loaded: %s)", l, strings.Join(e.LayerNames(), ", "))
		}
	}
	return territory.WriteSitesNearest(w, format, rows, lookup.NearestSitesEach(e, pts, k, layers))
}
