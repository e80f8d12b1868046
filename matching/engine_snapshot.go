package matching

import (
	"log/slog"
	"time"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/indicators"
	"github.com/maillage/maillage/data/snapshot"
	"github.com/maillage/maillage/geo"
)

// startSnapshot is the engine snapshot of a start-up (data/snapshot): the
// territory, grid and indicators read from the cache folder when they
// were built from the same territory and indicator files, by the same
// program at the same resolution; else where the ones Load builds are
// written for the next start.
type startSnapshot struct {
	path, key string
	state     snapshot.State // zero when not read
}

// newStartSnapshot returns the snapshot of a start-up, not read yet (read):
// nil when none applies (no cache folder, a reload, which reuses the
// engine in service instead, or a population grid, which moves the
// representative points after the grid is built).
func newStartSnapshot(cfg Config, files []FileStatus) *startSnapshot {
	if cfg.CacheDir == "" || cfg.Previous != nil || cfg.PopulationGrid != "" {
		return nil
	}
	var inputs []string
	for _, f := range files {
		if f.Role == "territory" || f.Role == "indicators" {
			inputs = append(inputs, f.Name+":"+f.SHA256)
		}
	}
	if len(inputs) == 0 {
		return nil // LoadTerritory reports the missing files
	}
	return &startSnapshot{path: snapshot.Path(cfg.CacheDir, cfg.Resolution), key: snapshot.Key(cfg.Resolution, inputs...)}
}

// read reads the snapshot when it matches. A snapshot that cannot be used
// is logged with its file and why, and only costs the build.
func (s *startSnapshot) read(log *slog.Logger) {
	if s == nil {
		return
	}
	t0 := time.Now()
	st, err := snapshot.Read(s.path, s.key)
	switch {
	case err == nil:
		s.state = st
		log.Info("engine snapshot read", "file", s.path, "ms", msSince(t0))
	case snapshot.IsStale(err):
		log.Info("engine snapshot not used, building", "file", s.path, "reason", err.Error())
	default:
		log.Warn("engine snapshot ignored, building", "file", s.path, "err", err.Error())
	}
}

// territory returns the territory read, or nil.
func (s *startSnapshot) territory() *data.Territory {
	if s == nil {
		return nil
	}
	return s.state.Territory
}

// grid returns the grid read, or nil.
func (s *startSnapshot) grid() *geo.Grid {
	if s == nil {
		return nil
	}
	return s.state.Grid
}

// indicators returns the indicators read and true, or false.
func (s *startSnapshot) indicators() (indicators.Indicators, indicators.IndicatorReport, bool) {
	if s == nil || s.state.Territory == nil {
		return nil, indicators.IndicatorReport{}, false
	}
	return s.state.Indicators, s.state.IndicatorReport, true
}

// write stores p's territory, grid and indicators for the next start
// when they were built rather than read. A snapshot that cannot be
// written is logged and only costs the next start its build.
func (s *startSnapshot) write(p *Parts, log *slog.Logger) {
	if s == nil || s.state.Territory != nil {
		return
	}
	t0 := time.Now()
	st := snapshot.State{Territory: p.Territory, Grid: p.Grid, Indicators: p.Indicators, IndicatorReport: p.IndicatorReport}
	if err := snapshot.Write(s.path, s.key, st); err != nil {
		log.Warn("engine snapshot not written", "file", s.path, "err", err.Error())
		return
	}
	log.Info("engine snapshot written", "file", s.path, "ms", msSince(t0))
}

// msSince returns the milliseconds since t0, to the microsecond.
func msSince(t0 time.Time) float64 { return float64(time.Since(t0).Microseconds()) / 1000 }
