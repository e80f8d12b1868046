package lookup

import (
	"sort"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/geo/siteindex"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
)

// SiteHit is a site found near a point, with its great-circle distance.
type SiteHit struct {
	Site      *data.Site
	DistanceM float64
}

// NearestSites returns the k sites nearest to p over the union of layers,
// ordered by distance (ties by layer then id). Unknown layers are ignored:
// callers validate names first.
func NearestSites(e *matching.Engine, p orb.Point, k int, layers []string) []SiteHit {
	var hits []SiteHit
	var buf []siteindex.Neighbor
	for _, name := range coverage.UniqueLayers(layers) {
		l := e.Layer(name)
		if l == nil {
			continue
		}
		buf = l.Index.Nearest(p, k, buf)
		for _, n := range buf {
			hits = append(hits, SiteHit{Site: &l.Sites[n.ID], DistanceM: n.DistanceM})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].DistanceM != hits[j].DistanceM {
			return hits[i].DistanceM < hits[j].DistanceM
		}
		if hits[i].Site.Layer != hits[j].Site.Layer {
			return hits[i].Site.Layer < hits[j].Site.Layer
		}
		return hits[i].Site.ID < hits[j].Site.ID
	})
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits
}

// NearestSite returns the site nearest to p over the union of layers.
func NearestSite(e *matching.Engine, p orb.Point, layers []string) (*data.Site, float64, bool) {
	hits := NearestSites(e, p, 1, layers)
	if len(hits) == 0 {
		return nil, 0, false
	}
	return hits[0].Site, hits[0].DistanceM, true
}
