package coverage

// communeBuf holds the communes of an answer that does not keep them
// (Query.NoCommunes) and the values they point to, reused from query to
// query through the Cache.
type communeBuf struct {
	communes []CommuneCoverage
	vals     []float64 // three per commune: share, mean and max distance
}

// grow makes room for n communes.
func (b *communeBuf) grow(n int) {
	if cap(b.communes) < n {
		b.communes = make([]CommuneCoverage, n)
	}
	if cap(b.vals) < 3*n {
		b.vals = make([]float64, 3*n)
	}
}

// getCommuneBuf returns a buffer for computeCommunes, from an earlier
// query when one is free.
func (c *Cache) getCommuneBuf() *communeBuf {
	if b, ok := c.communeBufs.Get().(*communeBuf); ok {
		return b
	}
	return &communeBuf{}
}

// putCommuneBuf returns b for a later query. The pool drops what the
// collector claims, so an idle server does not keep the buffers.
func (c *Cache) putCommuneBuf(b *communeBuf) { c.communeBufs.Put(b) }
