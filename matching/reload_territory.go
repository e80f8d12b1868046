package matching

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/geo"
)

// territoryToReuse returns the territory in service for a reload whose
// territory files changed to take unchanged geometry from
// (data.LoadTerritoryReusing), or nil when it must not: with a population
// grid, followPopulation moves the representative points after the grid is
// built, so that territory is not what a load of its files builds.
func (e *Engine) territoryToReuse(cfg Config) *data.Territory {
	if e == nil || e.territory == nil || e.grid == nil || e.grid.Weighted != nil || cfg.PopulationGrid != "" {
		return nil
	}
	return e.territory
}

// gridStats is what building the grid of a reload took from the grid in
// service (zero for a start-up).
type gridStats = geo.GridReuseStats

// reloadGrid builds the grid of t, a territory reloaded from prev's
// (territoryToReuse), taking from prev's grid the cells away from the
// communes whose shape changed (geo.BuildGridReusing); without such a
// territory it is buildGrid. The grid cache is written when it holds
// another grid, so the next start-up reads this one.
func reloadGrid(t *data.Territory, prev *Engine, cfg Config) (*geo.Grid, gridStats, error) {
	pt := prev.territoryToReuse(cfg)
	if pt == nil || prev.grid.Resolution != cfg.Resolution {
		g, err := buildGrid(t, cfg)
		return g, gridStats{}, err
	}
	shapes, reps, pops := t.GridInputs()
	prevShapes, _, _ := pt.GridInputs()
	reuse := geo.GridReuse{Prev: prev.grid, PrevShapes: prevShapes, Same: t.SameShapes(pt)}
	g, stats, err := geo.BuildGridReusing(reuse, shapes, reps, pops, nil, t.Index.At, cfg.Resolution, cfg.Workers)
	if err != nil {
		return nil, stats, fmt.Errorf("grid res %d: %w", cfg.Resolution, err)
	}
	if cfg.CacheDir != "" {
		key := geo.InputsKey(shapes, reps, pops, cfg.Resolution) + "-" + geo.GridFormat()
		path := filepath.Join(cfg.CacheDir, fmt.Sprintf("grid-res%d.bin", cfg.Resolution))
		if stored, err := geo.CachedGridKey(path); err != nil || stored != key {
			if err := os.MkdirAll(cfg.CacheDir, 0o755); err == nil {
				_ = g.Save(path, key) // a cache that cannot be written only costs time
			}
		}
	}
	return g, stats, nil
}

// reuseOverSameGeometry widens reuse (reusable) for a reload whose
// territory files changed but not its geometry: a boundaries file of other
// bytes holding the same communes (data.TerritoryReuse.Geometry), with the
// COG files unchanged. The structures and the indicators are derived from
// the communes' codes, shapes, areas and representative points and from
// their own files, so they are reused when their own files are unchanged,
// as with an unchanged territory.
func reuseOverSameGeometry(reuse map[string]bool, prev *Engine, now []FileStatus, t *data.Territory) {
	if reuse["territory"] || prev == nil || !t.Reused().Geometry {
		return
	}
	sums := func(files []FileStatus, role string) string {
		var s string
		for _, f := range files {
			// The boundaries file, plain or gzip.
			if f.Role == role && strings.TrimSuffix(f.Name, ".gz") != strings.TrimSuffix(data.CommunesFile, ".gz") {
				s += f.Name + ":" + f.SHA256 + ";"
			}
		}
		return s
	}
	if sums(prev.files, "territory") != sums(now, "territory") {
		return
	}
	for _, role := range []string{"structures", "indicators"} {
		reuse[role] = sums(prev.files, role) == sums(now, role)
	}
}
