package matching

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/geo"
)

// Config says where the engine reads its data and how it builds its grid.
type Config struct {
	DataDir    string       // folder holding the real data files
	Resolution int          // H3 resolution of the population grid (default geo.DefaultResolution)
	CacheDir   string       // where the built grid is cached; "" disables the cache
	Workers    int          // goroutines for parallel work (default runtime.NumCPU())
	Logger     *slog.Logger // nil: discard
	// Progress, when not nil, is told each start-up step as it begins
	// ("territory", "layers", "grid", "structures", "indicators"), for
	// progress bars.
	Progress func(step string)
}

// DefaultLayer is the service layer used wherever a layer is implied: the
// France Services network of August 2024.
const DefaultLayer = "france-services"

// Engine is the loaded territory, its service layers and population grid,
// with the per-layer nearest-site distances computed on demand and cached.
// Its data is read through accessors (engine_access.go) and never changes
// after Load or New returns: to change the data, build a new Engine. It is
// safe for concurrent use.
type Engine struct {
	territory *data.Territory
	layers    map[string]*data.Layer
	grid      *geo.Grid
	timings   []Timing // how long each start-up step took
	loadTime  time.Duration
	// structures are the built-in host-structure datasets by id
	// (BuiltinStructuresDataset: cnfs-structures-2021.json), read at load
	// when the file is present; structureReports say what was rejected,
	// structuresAt when the file was last modified.
	structures       map[string][]data.Structure
	structureReports map[string]data.LoadReport
	structuresAt     time.Time
	// indicators are the digital fragility index and ZRR class of each
	// current commune, indicatorReport how the files were joined
	// (indicators.go); empty when the files are missing.
	indicators      data.Indicators
	indicatorReport data.IndicatorReport

	workers  int
	mu       sync.Mutex
	nearest  map[string]*cellNearestEntry // layer name → per-cell nearest site
	covIndex coverageIndexOnce            // coverage scopes and grid adjacency, built on first use (coverage_index.go)
	priority priorityOnce                 // per-commune gap and rural flags of the priority weights (match.go)
	need     communeNeed                  // indicators by commune id (indicators.go)
}

// Timing is the duration of one start-up step.
type Timing struct {
	Step       string  `json:"step"`
	DurationMS float64 `json:"duration_ms"`
}

// Load reads the territory and layers from cfg.DataDir and builds the grid
// (or reads it from the cache when the inputs are unchanged).
func Load(cfg Config) (*Engine, error) {
	if cfg.Resolution == 0 {
		cfg.Resolution = geo.DefaultResolution
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.NumCPU()
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := &Engine{workers: cfg.Workers, nearest: map[string]*cellNearestEntry{}}
	start := time.Now()
	begin := func(name string) time.Time {
		if cfg.Progress != nil {
			cfg.Progress(name)
		}
		return time.Now()
	}
	step := func(name string, t0 time.Time) {
		e.timings = append(e.timings, Timing{Step: name, DurationMS: float64(time.Since(t0).Microseconds()) / 1000})
	}

	t0 := begin("territory")
	terr, err := data.LoadTerritory(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	e.territory = terr
	step("territory", t0)

	// The built-in structures only need the territory: read them while the
	// layers and the grid load (about 20 ms).
	type structsLoad struct {
		err  error
		took time.Duration
	}
	structsDone := make(chan structsLoad, 1)
	go func() {
		t := time.Now()
		err := e.loadBuiltinStructures(cfg.DataDir, log)
		structsDone <- structsLoad{err, time.Since(t)}
	}()
	// So do the fragility index and ZRR classes (about 150 ms).
	indicatorsDone := make(chan structsLoad, 1)
	go func() {
		t := time.Now()
		err := e.loadIndicators(cfg.DataDir, log)
		indicatorsDone <- structsLoad{err, time.Since(t)}
	}()

	t0 = begin("layers")
	layers, err := data.LoadDefaultLayers(cfg.DataDir, terr)
	if err != nil {
		return nil, err
	}
	e.layers = layers
	step("layers", t0)

	t0 = begin("grid")
	grid, err := e.buildGrid(cfg)
	if err != nil {
		return nil, err
	}
	e.grid = grid
	step("grid", t0)

	begin("structures")
	sl := <-structsDone
	if sl.err != nil {
		return nil, sl.err
	}
	e.timings = append(e.timings, Timing{Step: "structures", DurationMS: float64(sl.took.Microseconds()) / 1000})

	begin("indicators")
	il := <-indicatorsDone
	if il.err != nil {
		return nil, il.err
	}
	e.timings = append(e.timings, Timing{Step: "indicators", DurationMS: float64(il.took.Microseconds()) / 1000})

	e.loadTime = time.Since(start)
	return e, nil
}

// buildGrid reads the cached grid when its key matches the inputs, else
// builds it and writes the cache.
func (e *Engine) buildGrid(cfg Config) (*geo.Grid, error) {
	t := e.territory
	shapes, reps, pops := t.GridInputs()
	var cachePath, key string
	if cfg.CacheDir != "" {
		// Keyed by the inputs themselves: a change in the data files or in the
		// code that reconciles them both change the key.
		key = geo.InputsKey(shapes, reps, pops, cfg.Resolution)
		cachePath = filepath.Join(cfg.CacheDir, fmt.Sprintf("grid-res%d.bin", cfg.Resolution))
		if g, err := geo.LoadGrid(cachePath, key); err == nil {
			return g, nil
		}
	}
	g, err := geo.BuildGrid(shapes, reps, pops, func(p orb.Point) (int, bool) { return t.Index.At(p) }, cfg.Resolution, e.workers)
	if err != nil {
		return nil, fmt.Errorf("grid res %d: %w", cfg.Resolution, err)
	}
	if cachePath != "" {
		if err := os.MkdirAll(cfg.CacheDir, 0o755); err == nil {
			_ = g.Save(cachePath, key) // a cache that cannot be written only costs time
		}
	}
	return g, nil
}

// Parts are the data an Engine is built from. Every part may be left zero:
// an engine without a territory answers only what needs none (stored
// datasets, inline matches).
type Parts struct {
	Territory *data.Territory
	Layers    map[string]*data.Layer // service layers by name
	Grid      *geo.Grid              // population grid over Territory
	// Structures are built-in host-structure datasets by id, with what
	// reading each kept and rejected and when their file was modified.
	Structures       map[string][]data.Structure
	StructureReports map[string]data.LoadReport
	StructuresAt     time.Time
	// Indicators are the fragility index and ZRR class by INSEE code.
	Indicators      data.Indicators
	IndicatorReport data.IndicatorReport
}

// Options tune an Engine built by New.
type Options struct {
	Workers int // goroutines for parallel work (default runtime.NumCPU())
}

// New builds an engine from parts already in memory, as Load does from the
// data folder. The engine keeps the parts without copying them: the caller
// must not modify them afterwards.
func New(p Parts, opt Options) *Engine {
	if opt.Workers <= 0 {
		opt.Workers = runtime.NumCPU()
	}
	e := &Engine{
		territory: p.Territory, layers: p.Layers, grid: p.Grid,
		structures: p.Structures, structureReports: p.StructureReports, structuresAt: p.StructuresAt,
		indicators: p.Indicators, indicatorReport: p.IndicatorReport,
		workers: opt.Workers, nearest: map[string]*cellNearestEntry{},
	}
	if e.territory != nil && e.indicators != nil {
		e.need = newCommuneNeed(e.territory, e.indicators)
	}
	return e
}
