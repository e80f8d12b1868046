// Package valid checks and repairs polygon validity (the OGC simple-features
// rules GEOS and PostGIS apply): ValidatePolygon finds crossing or touching
// rings with a sweep over edges, ShapeValidator proves most shapes valid on a
// fast path and falls back to a library check, DissolveShape unions the
// pieces of a shape, and ShapeValidator.RepairGridShape mends rings folded
// by rounding to a tile grid. Simplification (geo/topo) and data loading use
// it to make sure no invalid shape is served.
package valid
