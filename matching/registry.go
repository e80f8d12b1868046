package matching

import (
	"sync/atomic"

	"github.com/maillage/maillage/data"
)

// Registry owns the uploaded datasets and stored match results: it keeps
// them in a data.Store and resolves them against an engine (its territory
// to read uploads, its built-in structures, its priority weights). The
// engine can be replaced (SetEngine) while the store stays, so a reload of
// the data keeps every upload. A Registry is safe for concurrent use.
type Registry struct {
	store  data.Store
	engine atomic.Pointer[Engine]
	cache  datasetCache // rows, indexes and results of the last datasets used (datasets.go)
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
func (r *Registry) Engine() *Engine { return r.engine.Load() }

// SetEngine points the registry to e (nil: an engine without data), as
// after a reload of the data. It drops the cached rows and results, which
// may refer to the previous engine's built-in datasets; a read running
// meanwhile finishes against the engine it started with.
func (r *Registry) SetEngine(e *Engine) {
	if e == nil {
		e = New(Parts{}, Options{})
	}
	c := &r.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	r.engine.Store(e)
	c.gen++
	c.cache, c.order = nil, nil
}

// Store returns the store holding the uploaded datasets and match results.
func (r *Registry) Store() data.Store { return r.store }
