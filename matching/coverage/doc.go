// Package coverage measures how much of the population lives within reach
// of the service points of chosen layers, and where the holes are: the
// coverage of the nation, régions, départements, EPCIs, communes and grid
// cells (Compute), the gap zones and the rural mairies lying in them, the
// same population figures at any threshold in microseconds
// (ComputeFigures), the reach of a travel time (Reach, TravelModel), and
// who needs it most (people in difficulty with digital tools, ZRR
// classes: Need, CellDemand).
//
// The analyses read an engine through its Cache: the territory, grid and
// layers, the communes' indicators, and what is computed from them once
// and kept (nearest sites of each layer and union of layers, the coverage
// index of scopes and cells, population profiles by distance, priority
// flags). A matching.Engine builds its Cache with itself (NewCache) and
// hands it out (Engine.Coverage), so coverage.Compute(e.Coverage(), q) is
// the call; this package does not import matching, whose engine and
// registry use it.
//
// Long work that several requests share (the caches) is finished even when
// the request that started it is cancelled: the next requests need it, and
// a half-built cache could not be kept.
package coverage
