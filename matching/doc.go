// Package matching owns maillage's analyses over the loaded territory:
// coverage and gap zones, candidate↔host-structure assignment, and siting of
// new structures. The Engine value ties the datasets of package data to the
// indexes of package geo and caches per-layer results; it never changes once
// built (Load, New), so a reload builds a new one. The Registry keeps the
// uploaded datasets and match results in a data.Store and resolves them
// against its current engine.
//
// The solvers are pure algorithms in packages of their own, on indexes and
// costs: matching/assign (min-cost flow and greedy assignment, fed the
// candidate–structure graph built here from great-circle distances) and
// matching/mclp (lazy greedy for the maximal covering location problem,
// fed the open demand cells within reach of each candidate site).
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
