package coverage

import (
	"runtime"
	"sync"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/geo"
)

// DefaultLayer is the service layer a query without layers measures: the
// France Services network of August 2024.
const DefaultLayer = data.LayerFranceServices

// Cache is what the coverage analyses read of an engine, and what they
// compute from it once and keep: the nearest-site sets of each layer and
// union of layers, the coverage index, the population profiles by distance
// and the priority flags. An engine builds its Cache with itself and hands
// it to the analyses (Compute, ComputeFigures, Prepare, CellDemand); the
// data it reads never changes, and a new engine gets a new Cache. Entries
// are built on first use by the first caller, the others waiting; the lock
// only guards the maps. It is safe for concurrent use.
type Cache struct {
	territory *data.Territory
	grid      *geo.Grid
	layers    map[string]*data.Layer
	workers   int
	need      *Need

	mu      sync.Mutex
	nearest map[string]*cellNearestEntry // layer name or union key → per-cell nearest site
	index   indexOnce                    // coverage scopes and grid adjacency (coverage_index.go)
	// profiles are the population profiles by distance of the nearest
	// sets, by the same key (coverage_profile.go).
	profiles map[string]*profileOnce
	priority priorityOnce // per-commune gap and rural flags (priority.go)
	// communeBufs are the commune buffers of answers without communes
	// (Query.NoCommunes, coverage_buf.go), reused between queries.
	communeBufs sync.Pool
}

// Data are the read-only parts of an engine a Cache reads. The Cache keeps
// them without copying: they must not be modified afterwards.
type Data struct {
	Territory *data.Territory
	Grid      *geo.Grid              // population grid over Territory
	Layers    map[string]*data.Layer // service layers by name
	// Need are the indicators of the communes (NewNeed); nil counts every
	// commune without indicators.
	Need    *Need
	Workers int // goroutines for parallel work (default runtime.NumCPU())
}

// NewCache returns an empty cache over d.
func NewCache(d Data) *Cache {
	if d.Need == nil {
		d.Need = &Need{}
	}
	if d.Workers <= 0 {
		d.Workers = runtime.NumCPU()
	}
	return &Cache{territory: d.Territory, grid: d.Grid, layers: d.Layers, workers: d.Workers, need: d.Need,
		nearest: map[string]*cellNearestEntry{}, profiles: map[string]*profileOnce{}}
}
