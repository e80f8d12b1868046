package matching

// CacheSizes are the entry counts of an engine's caches, for the server's
// metrics: each is read under its cache's lock, cheaply.
type CacheSizes struct {
	CoverageSets int // nearest-site sets of layers and unions of layers (package coverage)
	AccessTables int // cell–supply pair tables of 2SFCA (access_pairs.go)
}

// CacheSizes returns the entry counts of e's caches.
func (e *Engine) CacheSizes() CacheSizes {
	var s CacheSizes
	if c := e.cov; c != nil {
		s.CoverageSets = c.Sets()
	}
	e.access.mu.Lock()
	s.AccessTables = len(e.access.entries)
	e.access.mu.Unlock()
	return s
}
