package matching

import (
	"sync"
	"sync/atomic"

	"github.com/maillage/maillage/data"
)

// Registry owns the uploaded datasets and stored match results: it keeps
// them in a data.Store and resolves them against an engine (its territory
// to read uploads, its built-in structures, its priority weights). The
// engine can be replaced (SetEngine) while the store stays, so a reload of
// the data keeps every upload. A Registry is safe for concurrent use.
type Registry struct {
	store     data.Store
	inService atomic.Pointer[served]
	gens      atomic.Uint64 // engines set so far: the generation of the last one
	cache     datasetCache  // rows, indexes and results of the last datasets used (datasets.go)
	// change serialises the changes of the engine that read then replace
	// it (Reload, AddLayer, DeleteLayer), so none loses another's work.
	change sync.Mutex
}

// served is the engine in service and its generation, swapped together.
type served struct {
	e   *Engine
	gen uint64
}

// NewRegistry returns a registry over store (nil: a data.NewMemoryStore,
// lost at exit) resolving datasets against e (nil: an engine without
// data, enough for stored datasets and inline matches).
func NewRegistry(store data.Store, e *Engine) *Registry {
	if store == nil {
		store = data.NewMemoryStore()
	}
	r := &Registry{store: store}
	r.SetEngine(e)
	return r
}

// Engine returns the engine the registry resolves datasets against.
func (r *Registry) Engine() *Engine { return r.inService.Load().e }

// Current returns the engine in service and its generation: 1 for the
// engine the registry was made with, one more at each SetEngine (reloads,
// layer uploads and deletions). A request that reads it once and uses that
// engine throughout answers from one consistent state.
func (r *Registry) Current() (*Engine, uint64) {
	s := r.inService.Load()
	return s.e, s.gen
}

// SetEngine points the registry to e (nil: an engine without data), as
// after a reload of the data, and returns its generation. It drops the
// cached rows and results, which may refer to the previous engine's
// built-in datasets; a read running meanwhile finishes against the engine
// it started with.
func (r *Registry) SetEngine(e *Engine) uint64 {
	if e == nil {
		e = New(Parts{}, Options{})
	}
	c := &r.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	gen := r.gens.Add(1)
	r.inService.Store(&served{e: e, gen: gen})
	c.gen++
	c.cache, c.order = nil, nil
	return gen
}

// Store returns the store holding the uploaded datasets and match results.
func (r *Registry) Store() data.Store { return r.store }
