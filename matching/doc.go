// Package matching holds maillage's loaded territory and what every
// analysis reads from it. The Engine value ties the datasets of package
// data to the indexes of package geo and caches per-layer results (the
// coverage cache of package coverage: nearest sites, the coverage index of
// cells and areas; 2SFCA pair tables); it never changes once built (Load,
// New, Rebuild), so a reload builds a new one. matching/registry keeps the
// engine in service with the uploaded datasets, match results and layers
// in a data.Store, resolved against that engine.
//
// The analyses over an engine are packages of their own, functions taking
// it: matching/coverage (coverage, gap zones, rural mairies; it takes the
// engine's coverage.Cache, e.Coverage(), and imports nothing of matching,
// which builds that cache with each engine), matching/siting
// (recommendations, proposals, scenarios, network comparison,
// articulation) and matching/accessibility (2SFCA accessibility,
// allocation of posts). The pure algorithms need no engine:
// matching/pairing (the candidate–structure graph and suggestions, fed to
// the min-cost flow and greedy solvers of matching/assign), matching/mclp
// (lazy greedy for the maximal covering location problem), matching/fca
// (two-step floating catchment) and matching/alloc (allocation of posts).
package matching

// Long analyses take a context.Context and stop when it is done, returning
// its error wrapped (test with errors.Is(err, context.Canceled) or
// context.DeadlineExceeded). Their loops look at the context every
// stop.Every iterations (stop.At, stop.Err, par.ChunksCtx; see package stop
// for why that is cheap and soon enough).
//
// Shared caches an analysis builds on first use (nearest-site distances,
// the coverage index, priority flags) are finished even when the request
// that started them is cancelled: the next requests need them, and a
// half-built cache could not be kept.
