// Package registry keeps what a running server adds to its engine: the
// uploaded datasets, the stored match results and the layers uploaded at
// run time, in a data.Store, resolved against the engine in service. Its
// Registry holds that engine and swaps it whole (SetEngine, Reload); the
// three kinds of upload are each a type of their own that the Registry
// hands out: Datasets (uploaded candidates, structures and proposals with
// the cache of their converted rows), Matches (match runs, stored results
// and the suggestions over them) and Layers (service layers uploaded at
// run time).
package registry

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/matching"
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
	datasets  Datasets      // rows, indexes and results of the last datasets used (datasets.go)
	matches   Matches
	layers    Layers
	// change serialises the changes of the engine that read then replace
	// it (Reload, Layers.Add, Layers.Delete), so none loses another's work.
	change sync.Mutex
}

// served is the engine in service and its generation, swapped together.
type served struct {
	e   *matching.Engine
	gen uint64
}

// New returns a registry over store (nil: a data.NewMemoryStore, lost at
// exit) resolving datasets against e (nil: an engine without data, enough
// for stored datasets and inline matches).
func New(store data.Store, e *matching.Engine) *Registry {
	if store == nil {
		store = data.NewMemoryStore()
	}
	r := &Registry{store: store}
	r.datasets.reg = r
	r.matches.reg = r
	r.layers.reg = r
	r.SetEngine(e)
	return r
}

// Engine returns the engine the registry resolves datasets against.
func (r *Registry) Engine() *matching.Engine { return r.inService.Load().e }

// Current returns the engine in service and its generation: 1 for the
// engine the registry was made with, one more at each SetEngine (reloads,
// layer uploads and deletions). A request that reads it once and uses that
// engine throughout answers from one consistent state.
func (r *Registry) Current() (*matching.Engine, uint64) {
	s := r.inService.Load()
	return s.e, s.gen
}

// SetEngine points the registry to e (nil: an engine without data), as
// after a reload of the data, and returns its generation. It drops the
// cached rows and results, which may refer to the previous engine's
// built-in datasets; a read running meanwhile finishes against the engine
// it started with.
func (r *Registry) SetEngine(e *matching.Engine) uint64 {
	if e == nil {
		e = matching.New(matching.Parts{}, matching.Options{})
	}
	c := &r.datasets.cache
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

// Datasets returns the uploaded datasets and the built-in ones.
func (r *Registry) Datasets() *Datasets { return &r.datasets }

// Matches returns the match runs, stored match results and suggestions.
func (r *Registry) Matches() *Matches { return &r.matches }

// Layers returns the service layers uploaded at run time.
func (r *Registry) Layers() *Layers { return &r.layers }

// Reload builds a new engine with load, adds the uploaded layers of the
// store, and puts it in service in one atomic swap: requests that read
// the engine before it go on with the old one. A failing load leaves the
// registry as it was and returns an error wrapping
// matching.ErrReloadFailed. Only one reload or layer change runs at a
// time: another one running gives matching.ErrReloadBusy at once.
func (r *Registry) Reload(ctx context.Context, load matching.Loader) (matching.ReloadReport, error) {
	if load == nil {
		return matching.ReloadReport{}, fmt.Errorf("%w: this server has no loader (it was not started from a data folder)", matching.ErrReloadFailed)
	}
	if !r.change.TryLock() {
		return matching.ReloadReport{}, matching.ErrReloadBusy
	}
	defer r.change.Unlock()
	t0 := time.Now()
	base, err := load(ctx, r.Engine())
	if err != nil {
		return matching.ReloadReport{}, fmt.Errorf("%w: %w", matching.ErrReloadFailed, err)
	}
	if err := ctx.Err(); err != nil {
		return matching.ReloadReport{}, fmt.Errorf("%w: %w", matching.ErrReloadFailed, err)
	}
	e, skipped, err := r.layers.withUploaded(base)
	if err != nil {
		return matching.ReloadReport{}, fmt.Errorf("%w: %w", matching.ErrReloadFailed, err)
	}
	gen := r.SetEngine(e)
	return matching.ReloadReport{Generation: gen, LoadMS: float64(time.Since(t0).Microseconds()) / 1000,
		LoadedAt: e.LoadedAt(), Layers: e.LayerNames(), Timings: base.Timings(), UploadedSkipped: skipped}, nil
}
