package matching

import (
	"iter"
	"maps"
	"slices"
	"time"

	"github.com/maillage/maillage/data/indicators"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/matching/coverage"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/geo"
)

// The accessors below hand out the engine's data without copying it: the
// values they return are shared by every caller and must not be modified.
// An engine's data never changes once it is built; a new engine replaces it.

// Territory returns the loaded communes, departements and regions. Do not
// modify it.
func (e *Engine) Territory() *data.Territory { return e.territory }

// Grid returns the population grid. Do not modify it.
func (e *Engine) Grid() *geo.Grid { return e.grid }

// Layer returns the service layer called name, nil when no such layer is
// loaded. Do not modify it.
func (e *Engine) Layer(name string) *data.Layer { return e.layers[name] }

// Layers yields the loaded service layers by name, in name order. Do not
// modify them.
func (e *Engine) Layers() iter.Seq2[string, *data.Layer] {
	return func(yield func(string, *data.Layer) bool) {
		for _, name := range e.LayerNames() {
			if !yield(name, e.layers[name]) {
				return
			}
		}
	}
}

// LayerNames returns the loaded layer names, sorted.
func (e *Engine) LayerNames() []string { return layerNames(e.layers) }

// layerNames returns the keys of layers, sorted.
func layerNames(layers map[string]*data.Layer) []string {
	return slices.Sorted(maps.Keys(layers))
}

// Timings returns how long each start-up step took, in order.
func (e *Engine) Timings() []Timing { return slices.Clone(e.timings) }

// LoadTime returns how long Load took in all (zero for an engine built by
// New).
func (e *Engine) LoadTime() time.Duration { return e.loadTime }

// Structures returns the built-in host-structure dataset id
// (BuiltinStructuresDataset) and whether it is loaded. Do not modify it.
func (e *Engine) Structures(id string) ([]people.Structure, bool) {
	ss, ok := e.structures[id]
	return ss, ok
}

// BuiltinStructureIDs returns the ids of the loaded built-in structure
// datasets, sorted.
func (e *Engine) BuiltinStructureIDs() []string {
	return slices.Sorted(maps.Keys(e.structures))
}

// StructureReport returns what reading the built-in dataset id kept and
// rejected, and whether it is loaded.
func (e *Engine) StructureReport(id string) (data.LoadReport, bool) {
	rep, ok := e.structureReports[id]
	return rep, ok
}

// Indicator returns the indicators of the commune of INSEE code code (zero
// value when it has none).
func (e *Engine) Indicator(code string) indicators.CommuneIndicators { return e.indicators[code] }

// IndicatorReport returns how the indicator files were joined to the
// communes.
func (e *Engine) IndicatorReport() indicators.IndicatorReport { return e.indicatorReport }

// Workers returns how many goroutines the engine's parallel work uses.
func (e *Engine) Workers() int { return e.workers }

// Coverage returns what the coverage analyses of package coverage read of
// the engine and cache (nearest-site distances, the coverage index, the
// communes' indicators): their first argument, as in
// coverage.Compute(e.Coverage(), q).
func (e *Engine) Coverage() *coverage.Cache { return e.cov }
