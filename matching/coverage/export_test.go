package coverage

// Names the external tests of this package read.

// ZRRCode is zrrCode: the rank of a ZRR class under RankByZRR.
var ZRRCode = zrrCode

// BuildIndex is buildCoverageIndex, for its benchmark.
var BuildIndex = buildCoverageIndex

// ComputeLayerNearest is computeLayerNearest, uncached, for its benchmark.
func (c *Cache) ComputeLayerNearest(name string) *NearestSet { return c.computeLayerNearest(name) }

// CellSite returns the layer and the index in it of cell i's nearest site.
func (ns *NearestSet) CellSite(i int) (layer string, site int32) {
	return ns.layers[ns.layerOf(ns.cellLayer, i)], ns.cellSite[i]
}

// ScopeOf returns the cells cv was computed over.
func (cv *Coverage) ScopeOf() *CellScope { return cv.sc }

// Fractional returns the fractional located and covered inhabitants of c,
// before rounding.
func (c *CommuneCoverage) Fractional() (located, covered float64) { return c.located, c.covered }
