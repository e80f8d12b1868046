package matching

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/maillage/maillage/data/indicators"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/matching/coverage"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/layerconf"
	"github.com/maillage/maillage/data/popgrid"
	"github.com/maillage/maillage/geo"
)

// Config says where the engine reads its data and how it builds its grid.
type Config struct {
	DataDir    string       // folder holding the real data files
	Resolution int          // H3 resolution of the population grid (default geo.DefaultResolution)
	CacheDir   string       // where the built grid is cached; "" disables the cache
	Workers    int          // goroutines for parallel work (default runtime.NumCPU())
	Logger     *slog.Logger // nil: discard
	// Layers declares the service layers (a layers file, --layer flags);
	// nil means the shipped files of DataDir (layerconf.Default).
	Layers *layerconf.Config
	// PopulationGrid, when set, is a population grid file
	// (popgrid.Load: INSEE données carroyées or weighted
	// points): each commune's population follows it over the commune's
	// cells, and its representative point becomes its most populated cell.
	// Empty: populations are spread in proportion to area.
	PopulationGrid string
	// Progress, when not nil, is told each start-up step as it begins
	// ("territory", "layers", "grid", "structures", "indicators"), for
	// progress bars.
	Progress func(step string)
	// Previous, when set, is the engine in service that a reload
	// replaces: its territory and grid, structures and indicators are
	// reused when their files are unchanged (same sha256), so that a
	// reload of new layers takes a fraction of a start-up.
	Previous *Engine
}

// DefaultLayer is the service layer used wherever a layer is implied: the
// France Services network of August 2024 (the one coverage measures by
// default).
const DefaultLayer = coverage.DefaultLayer

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
	structures       map[string][]people.Structure
	structureReports map[string]data.LoadReport
	structuresAt     time.Time
	// indicators are the digital fragility index and ZRR class of each
	// current commune, indicatorReport how the files were joined
	// (coverage.NewNeed); empty when the files are missing.
	indicators      indicators.Indicators
	indicatorReport indicators.IndicatorReport
	// indicatorSources are the indicator files as read, before their join
	// to the territory: a reload whose boundaries changed but not these
	// files joins them again (nil when the indicators came from a snapshot
	// or could not be read).
	indicatorSources *indicators.Sources

	// loadedAt is when the engine was built, files what it was read from
	// (reload.go), uploaded its layers added at run time (layers_uploaded.go).
	loadedAt time.Time
	files    []FileStatus
	uploaded map[string]LayerUpload

	workers int
	need    *coverage.Need  // indicators by commune id, nil without territory or indicators
	cov     *coverage.Cache // what the coverage analyses read and cache (package coverage)
	access  accessCache     // cell–supply pair tables of 2SFCA, beside cov (access_pairs.go)
}

// Timing is the duration of one start-up step.
type Timing struct {
	Step       string  `json:"step"`
	DurationMS float64 `json:"duration_ms"`
}

// Load reads the territory and layers from cfg.DataDir and builds the grid
// (or reads it from the cache when the inputs are unchanged), then the
// engine over them (New).
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
	var p Parts
	start := time.Now()
	begin := func(name string) time.Time {
		if cfg.Progress != nil {
			cfg.Progress(name)
		}
		return time.Now()
	}
	took := func(name string, d time.Duration) {
		p.Timings = append(p.Timings, Timing{Step: name, DurationMS: float64(d.Microseconds()) / 1000})
	}

	t0 := begin("territory")
	files := dataFileStatuses(cfg.DataDir)
	reuse := reusable(cfg.Previous, files, cfg.Resolution)
	if cfg.PopulationGrid != "" {
		// The grid's populations and the territory's representative
		// points follow the population grid file, which reusable does not
		// watch: read them again (the grid cache is keyed by its checksum).
		reuse["territory"] = false
	}
	// A start-up reads the territory, grid and indicators from the engine snapshot
	// when it was built from the same files (engine_snapshot.go).
	// The located layers are read from the layers snapshot beside it
	// meanwhile (engine_layers_snapshot.go): they do not need the territory,
	// only the same inputs, so a late failure of the engine snapshot does
	// not touch them.
	snap := newStartSnapshot(cfg, files)
	decl := layerconf.Default(cfg.DataDir)
	if cfg.Layers != nil {
		decl = *cfg.Layers
	}
	early := startLayersSnapshot(snap, decl)
	snap.read(log)
	terr := cfg.Previous.territoryIf(reuse["territory"])
	if terr == nil {
		terr = snap.territory()
	}
	if terr == nil {
		var err error
		if terr, err = data.LoadTerritoryReusing(cfg.DataDir, cfg.Previous.territoryToReuse(cfg)); err != nil {
			return nil, err
		}
	}
	p.Territory = terr
	reuseOverSameGeometry(reuse, cfg.Previous, files, terr)
	took("territory", time.Since(t0))

	// The built-in structures only need the territory: read them while the
	// layers and the grid load (about 20 ms). So do the fragility index and
	// ZRR classes (about 150 ms). Each goroutine sets its own parts.
	type partLoad struct {
		err  error
		took time.Duration
	}
	structsDone, indicatorsDone := make(chan partLoad, 1), make(chan partLoad, 1)
	go func() {
		t := time.Now()
		var err error
		if prev := cfg.Previous; reuse["structures"] {
			p.Structures, p.StructureReports, p.StructuresAt = prev.structures, prev.structureReports, prev.structuresAt
		} else {
			err = loadBuiltinStructures(&p, cfg.DataDir, log)
		}
		structsDone <- partLoad{err, time.Since(t)}
	}()
	var indSources *indicators.Sources
	go func() {
		t := time.Now()
		var err error
		prev := cfg.Previous
		switch ind, rep, ok := snap.indicators(); {
		case reuse["indicators"]:
			p.Indicators, p.IndicatorReport, indSources = prev.indicators, prev.indicatorReport, prev.indicatorSources
		case ok:
			p.Indicators, p.IndicatorReport = ind, rep
		case reuse["indicatorFiles"] && prev.indicatorSources != nil:
			// the boundaries changed, not the indicator files: joined again
			indSources = prev.indicatorSources
			p.Indicators, p.IndicatorReport = indSources.Join(p.Territory)
		default:
			indSources, err = loadIndicators(&p, cfg.DataDir, log)
		}
		indicatorsDone <- partLoad{err, time.Since(t)}
	}()

	// The layers only need the territory too: they are located while the
	// grid is built (both read the territory, neither writes it), which
	// on two cores takes the layers' time off a reload whose communes
	// changed.
	begin("layers")
	type layersLoad struct {
		loaded []layerconf.LoadedLayer
		err    error
		took   time.Duration
	}
	layersDone := make(chan layersLoad, 1)
	go func() {
		t := time.Now()
		// The load reports stay with each layer (Layer.Report), which serve logs.
		// A start with the engine snapshot reads the located layers beside it
		// when their files are unchanged (engine_layers_snapshot.go).
		loaded, err := early.load(decl, terr, log)
		layersDone <- layersLoad{loaded, err, time.Since(t)}
	}()

	// With a population grid, building the grid moves the representative
	// points of the communes (followPopulation) that the layers and the
	// structures read for places located by commune: they are read first,
	// from the points of the territory as loaded (the layers always were;
	// the structures raced with the grid before).
	waitLayers := sync.OnceValue(func() layersLoad { return <-layersDone })
	waitStructs := sync.OnceValue(func() partLoad { return <-structsDone })
	if cfg.PopulationGrid != "" {
		waitLayers()
		waitStructs()
	}

	t0 = begin("grid")
	grid := cfg.Previous.gridIf(reuse["territory"])
	if grid == nil {
		grid = snap.grid()
	}
	if grid == nil {
		var gs gridStats
		var err error
		if grid, gs, err = reloadGrid(terr, cfg.Previous, cfg); err != nil {
			return nil, err
		}
		if cfg.Previous != nil {
			log.Info("territory reloaded", "reused", terr.Reused(), "grid", gs)
		}
	}
	p.Grid = grid
	gridTook := time.Since(t0)
	ll := waitLayers()
	if ll.err != nil {
		return nil, ll.err
	}
	loaded := ll.loaded
	p.Layers = layerconf.Layers(loaded)
	took("layers", ll.took)
	took("grid", gridTook)

	begin("structures")
	sl := waitStructs()
	if sl.err != nil {
		return nil, sl.err
	}
	took("structures", sl.took)

	begin("indicators")
	il := <-indicatorsDone
	if il.err != nil {
		return nil, il.err
	}
	took("indicators", il.took)
	snap.write(&p, log) // when built: the next start reads them

	p.Files = append(files, layerFileStatuses(loaded, early.knownFiles())...)
	p.LoadTime = time.Since(start)
	e := New(p, Options{Workers: cfg.Workers})
	e.indicatorSources = indSources
	if err := e.need.Err(); err != nil && len(p.Indicators) > 0 {
		log.Warn("people in difficulty not estimated: every commune counts without fragility index", "err", err)
	}
	return e, nil
}

// loadIndicators reads the fragility index and ZRR classes of the data
// folder into p, joined to the communes, and returns them as read (nil
// when not read). Missing files only leave every commune without
// indicators (logged); any other error fails.
func loadIndicators(p *Parts, dir string, log *slog.Logger) (*indicators.Sources, error) {
	src, err := indicators.ReadSources(dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		log.Warn("indicators not loaded: every commune counts without fragility index nor ZRR class", "err", err)
		p.Indicators, p.IndicatorReport = indicators.Indicators{}, indicators.IndicatorReport{}
		return nil, nil
	}
	p.Indicators, p.IndicatorReport = src.Join(p.Territory)
	return src, nil
}

// buildGrid reads the cached grid when its key matches the inputs, else
// builds it and writes the cache.
func buildGrid(t *data.Territory, cfg Config) (*geo.Grid, error) {
	g, err := loadOrBuildGrid(t, cfg)
	if err != nil {
		return nil, err
	}
	followPopulation(t, g)
	return g, nil
}

// loadOrBuildGrid is buildGrid without moving representative points.
func loadOrBuildGrid(t *data.Territory, cfg Config) (*geo.Grid, error) {
	shapes, reps, pops := t.GridInputs()
	var points []geo.PopulationPoint
	var pointsSum string
	if cfg.PopulationGrid != "" {
		var err error
		if points, _, err = popgrid.Load(cfg.PopulationGrid); err != nil {
			return nil, err
		}
		if pointsSum, err = geo.FileChecksum(cfg.PopulationGrid); err != nil {
			return nil, err
		}
	}
	var cachePath, key string
	if cfg.CacheDir != "" {
		// Keyed by the inputs themselves: a change in the data files or in the
		// code that reconciles them both change the key.
		key = geo.InputsKey(shapes, reps, pops, cfg.Resolution) + "-" + geo.GridFormat()
		name := fmt.Sprintf("grid-res%d.bin", cfg.Resolution)
		if pointsSum != "" {
			key += "-pop" + pointsSum
			name = fmt.Sprintf("grid-res%d-pop%s.bin", cfg.Resolution, pointsSum[:12])
		}
		cachePath = filepath.Join(cfg.CacheDir, name)
		if g, err := geo.LoadGrid(cachePath, key); err == nil {
			return g, nil
		}
	}
	g, err := geo.BuildGridWeighted(shapes, reps, pops, points, func(p orb.Point) (int, bool) { return t.Index.At(p) }, cfg.Resolution, cfg.Workers)
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

// followPopulation moves the representative point of every commune whose
// population followed a population grid to the centre of its most
// populated cell: where its people live most densely, rather than its
// main town's centroid, so the nearest site of a commune is measured from
// there. A grid built without population grid changes nothing.
func followPopulation(t *data.Territory, g *geo.Grid) {
	for id, w := range g.Weighted {
		if !w || id >= len(t.Communes) {
			continue
		}
		if i, ok := g.MostPopulatedCell(id); ok {
			t.Communes[id].Rep = g.Centers[i]
		}
	}
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
	Structures       map[string][]people.Structure
	StructureReports map[string]data.LoadReport
	StructuresAt     time.Time
	// Indicators are the fragility index and ZRR class by INSEE code.
	Indicators      indicators.Indicators
	IndicatorReport indicators.IndicatorReport
	// Timings and LoadTime say how long each step of Load and the whole
	// load took (zero for an engine built in memory).
	Timings  []Timing
	LoadTime time.Duration
	// Files are the data files read, with their checksums (FileStatuses).
	Files []FileStatus
}

// Options tune an Engine built by New.
type Options struct {
	Workers int // goroutines for parallel work (default runtime.NumCPU())
	// DifficultyTotal is the number of people in difficulty with digital
	// tools the shares are calibrated on (coverage.NewNeed); 0 means
	// coverage.DifficultyNationalTotal.
	DifficultyTotal float64
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
		timings: p.Timings, loadTime: p.LoadTime, workers: opt.Workers,
		loadedAt: time.Now().UTC(), files: p.Files,
	}
	if e.territory != nil && e.indicators != nil {
		// A failed calibration leaves every commune without a share; the
		// error is kept in need (Need.Err) for Load to log.
		e.need = coverage.NewNeed(e.territory, e.indicators, opt.DifficultyTotal)
	}
	e.cov = newCoverageCache(e)
	return e
}

// newCoverageCache returns an empty coverage cache over e's data.
func newCoverageCache(e *Engine) *coverage.Cache {
	return coverage.NewCache(coverage.Data{Territory: e.territory, Grid: e.grid, Layers: e.layers,
		Need: e.need, Workers: e.workers})
}

// Rebuild returns a new engine over e's parts as change leaves them, with
// e's options: an engine never changes, so a caller that wants other layers
// or structures builds another one. change gets copies of the layer and
// structure maps, and must not modify the rest.
func (e *Engine) Rebuild(change func(p *Parts)) *Engine {
	p := Parts{Territory: e.territory, Layers: maps.Clone(e.layers), Grid: e.grid,
		Structures: maps.Clone(e.structures), StructureReports: e.structureReports, StructuresAt: e.structuresAt,
		Indicators: e.indicators, IndicatorReport: e.indicatorReport}
	change(&p)
	return New(p, Options{Workers: e.workers, DifficultyTotal: e.need.Target()})
}
