package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/maillage/maillage/data/indicators"
	"github.com/maillage/maillage/matching/registry"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/internal/metrics"
	"github.com/maillage/maillage/matching"
)

func runServe(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var ef engineFlags
	ef.register(fs)
	ef.registerLayersFile(fs) // serve --layers FILE
	var cfg api.Config
	fs.StringVar(&cfg.Addr, "addr", ":8080", "listen address")
	fs.Int64Var(&cfg.MaxBodyBytes, "max-body", 20<<20, "request body limit in bytes")
	fs.BoolVar(&cfg.NoAccessLog, "no-access-log", false, "do not log one line per request (method, route, status, bytes, duration_ms, request_id, client)")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", 10*time.Second, "grace period for in-flight requests on SIGINT/SIGTERM")
	// Bounds on expensive work (access.WorkLimits): 0 takes the default, -1 lifts the bound.
	fs.DurationVar(&cfg.Work.QueueTimeout, "queue-timeout", 5*time.Second, "how long an upload, match, siting analysis or large layer page waits for room before 503 busy")
	fs.Int64Var(&cfg.Work.UploadBytes, "concurrent-upload-bytes", 0, "body bytes of the uploads parsed at once (0: twice --max-body; -1: no bound)")
	fs.Int64Var(&cfg.Work.MatchEdges, "concurrent-match-edges", 0, "estimated candidate–structure pairs of the matches run at once (0: 20000000; -1: no bound)")
	fs.Int64Var(&cfg.Work.SitingSites, "concurrent-siting-sites", 0, "site units of the recommendations, evaluations and scenarios run at once (0: 80000, two national recommendations; -1: no bound)")
	fs.Int64Var(&cfg.Work.LayerFeatures, "concurrent-layer-features", 0, "features of the layer pages over 1000 features rendered at once (0: 60000; -1: no bound)")
	logFormat := fs.String("log-format", "text", "log lines as text (key=value) or json (one object per line, for a log collector)")
	fs.BoolVar(&cfg.Pprof, "pprof", false, "serve the Go profiles under /debug/pprof, to national tokens only")
	memLimitMiB := fs.Int64("memory-limit", defaultMemoryLimitMiB(8), memoryLimitUsage)
	gcPercent := fs.Int("gc-percent", defaultGCPercent, gcPercentUsage)
	var tf trustFlags
	tf.register(fs, &cfg)
	var pf preloadFlags
	pf.register(fs)
	fs.StringVar(&cfg.PublicURL, "public-url", "", "scheme://host[/prefix] clients reach the service at, for absolute OGC API links (default: each request's host)")
	fs.Func("cors", "comma-separated browser origins allowed to read answers (default *; \"\" sends no CORS headers)", func(v string) error {
		cfg.CORSOrigins = []string{}
		for _, o := range strings.Split(v, ",") {
			if o = strings.TrimSpace(o); o != "" {
				cfg.CORSOrigins = append(cfg.CORSOrigins, o)
			}
		}
		return nil
	})
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := checkAddr(cfg.Addr); err != nil {
		return err // before loading the data for seconds
	}
	log, err := newLogger(*logFormat, stderr)
	if err != nil {
		return err
	}
	cfg.Logger = log
	if limit := memoryLimitMiB(fs, *memLimitMiB, ef.resolution); limit > 0 && os.Getenv("GOMEMLIMIT") == "" {
		// Caches (coverage, tiles) fill as the server warms; a soft limit keeps
		// the resident set under ~800 MB instead of letting the heap double.
		// Much closer to the live heap, the collector runs back to back (600
		// MiB: 2.3 times as many collections, issue 17; BENCHMARKS.md).
		debug.SetMemoryLimit(limit << 20)
	}
	applyGCPercent(*gcPercent)
	store, err := tf.apply(&cfg, log)
	if err != nil {
		return err
	}
	defer store.Close()
	// Listen before loading, behind a gate answering /healthz (alive),
	// /readyz and everything else 503 until the data is loaded: an
	// orchestrator sees a starting replica, not a refused connection.
	m := metrics.New()
	cfg.Metrics, cfg.Readiness = m, api.NewReadiness(api.ReasonLoading)
	gate := api.NewGate(cfg.Readiness, m.Handler())
	srv := cfg.HTTPServer(gate)
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	defer srv.Close() // on a failed load; after a shutdown it does nothing
	log.Info("listening", "addr", ln.Addr().String(), "ready", false)
	e, err := ef.load(log, func(step string) { log.Info("loading", "step", step) })
	if err != nil {
		return err
	}
	m.SetEngineLoad(e.LoadTime())
	logStartup(log, e)
	reg := registry.New(m.Store(store), e)
	if err := pf.apply(reg, log); err != nil {
		return err
	}
	skipped, err := reg.Layers().Restore() // layers uploaded before the restart (POST /v1/layers)
	if err != nil {
		return err
	}
	for _, u := range reg.Engine().Uploads() {
		log.Info("uploaded layer loaded", "layer", u.Name, "file", u.File, "sites", len(reg.Engine().Layer(u.Name).Sites), "uploaded_at", u.UploadedAt)
	}
	for _, sk := range skipped {
		log.Warn("uploaded layer not loaded over this data (kept stored)", "layer", sk)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	cfg.DataDir = ef.dataDir // département and région boundaries of the map layers
	cfg.Loader = loader(&ef, &tf, cfg.Tokens, log)
	var warmer *mapWarmer // set before the server takes requests
	cfg.OnReload = func(matching.ReloadReport) { warmer.warm() }
	cfg.OnReloadStart = func() { warmer.pause() }
	a := api.New(reg, cfg)
	// map layers ready before the first map view, again after reloads
	warmer = startMapWarmer(ctx, a, log)
	defer reloadOnHangup(func() { _, _ = a.Reload(ctx) })() // a.Reload logs the outcome
	gate.Open(a.Handler())
	cfg.Readiness.Set("")
	log.Info("serving", "addr", ln.Addr().String(), "ready", true)
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	return srv.Shutdown(sctx)
}

// newLogger returns the server's logger writing to w in format (text or
// json).
func newLogger(format string, w io.Writer) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, usagef("--log-format %q: want text or json", format)
}

// logStartup logs what was loaded and what could not be reconciled.
func logStartup(log *slog.Logger, e *matching.Engine) {
	r := e.Territory().Report
	log.Info("territory loaded",
		"communes", len(e.Territory().Communes), "with_shape", e.Territory().Index.Len(),
		"boundaries", r.Boundaries, "same_code", r.BoundariesSameCode, "merged", r.BoundariesMerged,
		"boundaries_unmatched", len(r.BoundariesUnmatched), "communes_without_shape", len(r.CommunesWithoutShape),
		"population_total", r.PopulationTotal, "population_without_shape", r.PopulationWithoutShape,
		"shapes_dissolved", r.ShapesDissolved, "boundaries_repaired", len(r.BoundariesRepaired))
	for _, b := range r.BoundariesInvalid {
		log.Info("invalid boundary", "boundary", b)
	}
	for _, s := range r.ShapesInvalid {
		log.Warn("commune shape left invalid", "commune", s)
	}
	for _, name := range e.LayerNames() {
		l := e.Layer(name)
		rep := l.Report
		log.Info("layer loaded", "layer", name, "file", rep.File, "read", rep.Read, "loaded", rep.Loaded,
			"codes_mapped", rep.CodesMapped, "snapped", rep.Snapped, "commune_mismatch", rep.CommuneMismatch,
			"mobile", rep.Mobile, "rejected", len(rep.Rejects))
		for _, rj := range rep.Rejects {
			log.Warn("site rejected", "layer", name, "file", rj.File, rj.Where, rj.Line, "id", rj.ID, "reason", rj.Reason)
		}
	}
	for _, id := range e.BuiltinStructureIDs() {
		rep, _ := e.StructureReport(id)
		log.Info("dataset loaded", "dataset", id, "file", rep.File, "read", rep.Read, "loaded", rep.Loaded,
			"codes_mapped", rep.CodesMapped, "located_by_commune", rep.LocatedByCommune,
			"commune_mismatch", rep.CommuneMismatch, "rejected", len(rep.Rejects))
		for _, rj := range rep.Rejects {
			log.Warn("structure rejected", "dataset", id, "file", rj.File, rj.Where, rj.Line, "id", rj.ID, "reason", rj.Reason)
		}
	}
	for _, r := range []indicators.IndicatorFileReport{e.IndicatorReport().Fragility, e.IndicatorReport().ZRR} {
		if r.File == "" {
			continue
		}
		log.Info("indicators loaded", "file", r.File, "read", r.Read, "matched", r.Matched, "mapped_from_former", r.MappedFromFormer,
			"arrondissements", r.Arrondissements, "unknown", len(r.Unknown), "invalid", len(r.Invalid),
			"combined", r.Combined, "communes_without", len(r.CommunesWithout))
	}
	for _, t := range e.Timings() {
		log.Info("startup step", "step", t.Step, "ms", t.DurationMS)
	}
	log.Info("ready", "cells", e.Grid().Len(), "h3_resolution", e.Grid().Resolution, "load_ms", e.LoadTime().Milliseconds())
}
