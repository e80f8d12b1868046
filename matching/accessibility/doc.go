// Package accessibility measures capacity against need over an engine's
// population grid: the two-step floating catchment accessibility of a
// supply (a layer's sites or a structures dataset's posts) against a
// demand (people in difficulty or inhabitants) by cell, commune, EPCI,
// département and région (Compute), and the allocation of new posts that
// best evens it out (Allocate). It reads the engine and its cached
// cell–supply pair tables, never changes them, and leaves the arithmetic to
// packages matching/fca and matching/alloc.
package accessibility
