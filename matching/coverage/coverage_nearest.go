package coverage

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/matching/internal/par"
)

// NearestSet is, for one layer or a union of layers, the nearest service
// point of every grid cell centre and of every commune's representative
// point. It does not depend on any threshold: coverage thresholds it.
type NearestSet struct {
	layers []string // layer names, sorted; a layer index points into it
	sites  int      // sites over all layers

	CellDistM []float32 // great-circle metres from the cell centre; +Inf when no site
	cellSite  []int32   // site index in its layer; -1 when no site
	cellLayer []uint8   // layer index of cellSite; nil for a single layer

	communeDistM []float32 // from the commune's representative point; +Inf without shape
	communeSite  []int32
	communeLayer []uint8 // nil for a single layer
}

// layerOf returns the layer index of cell i's nearest site.
func (ns *NearestSet) layerOf(layer []uint8, i int) int {
	if layer == nil {
		return 0
	}
	return int(layer[i])
}

// cellNearestEntry is one cached nearestSet, computed once: the first caller
// computes it outside the cache lock, the others wait on once.
type cellNearestEntry struct {
	once sync.Once
	set  *NearestSet
}

// maxUnionLayers bounds the layers of one query (layer indexes are uint8).
const maxUnionLayers = 16

// ResolveLayers checks layer names against the cache's layers and returns
// them sorted without repeats; nil or empty means [DefaultLayer].
func (c *Cache) ResolveLayers(names []string) ([]string, error) {
	if len(names) == 0 {
		names = []string{DefaultLayer}
	}
	out := slices.Clone(UniqueLayers(names))
	sort.Strings(out)
	for _, n := range out {
		if _, ok := c.layers[n]; !ok {
			return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownLayer, n, strings.Join(slices.Sorted(maps.Keys(c.layers)), ", "))
		}
	}
	if len(out) > maxUnionLayers {
		return nil, fmt.Errorf("%w: %d layers, at most %d in one query", ErrUnknownLayer, len(out), maxUnionLayers)
	}
	return out, nil
}

// Nearest returns the cached nearest-site set of the union of layers
// (already resolved by ResolveLayers), computing what is missing: the
// distances of every grid cell and commune to the nearest site. Per-layer
// sets are computed once each; a union is the element-wise minimum of its
// layers' sets, so a site is never counted twice and the nearest site carries
// its layer. Do not modify it.
func (c *Cache) Nearest(layers []string) (*NearestSet, error) {
	sites := 0
	for _, n := range layers {
		sites += len(c.layers[n].Sites)
	}
	if sites == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoSites, strings.Join(layers, ", "))
	}
	if len(layers) == 1 {
		name := layers[0]
		ent := c.entry(name)
		ent.once.Do(func() { ent.set = c.computeLayerNearest(name) })
		return ent.set, nil
	}
	ent := c.entry(unionKey(layers)) // \x00 cannot occur in a layer name given by query
	ent.once.Do(func() {
		parts := make([]*NearestSet, len(layers))
		for i, n := range layers {
			parts[i], _ = c.Nearest([]string{n}) // a layer without sites yields an all-Inf set below
			if parts[i] == nil {
				parts[i] = c.emptyNearest(n)
			}
		}
		ent.set = unionNearest(parts, c.workers)
	})
	return ent.set, nil
}

// entry returns the cache entry of key, creating it under the lock.
func (c *Cache) entry(key string) *cellNearestEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	ent := c.nearest[key]
	if ent == nil {
		ent = &cellNearestEntry{}
		c.nearest[key] = ent
	}
	return ent
}

// Forget drops the cached nearest-site distances and population profiles
// of layer and of every union holding it, to measure or bound the memory
// they take (an engine's layers never change: a new engine replaces them).
func (c *Cache) Forget(layer string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for key := range c.nearest {
		if slices.Contains(strings.Split(key, "\x00"), layer) {
			delete(c.nearest, key)
		}
	}
	for key := range c.profiles {
		if slices.Contains(strings.Split(key, "\x00"), layer) {
			delete(c.profiles, key)
		}
	}
}

// emptyNearest is the set of a layer without sites: nothing is reachable.
func (c *Cache) emptyNearest(name string) *NearestSet {
	ns := &NearestSet{layers: []string{name},
		CellDistM: make([]float32, len(c.grid.Cells)), cellSite: make([]int32, len(c.grid.Cells)),
		communeDistM: make([]float32, len(c.territory.Communes)), communeSite: make([]int32, len(c.territory.Communes))}
	inf := float32(math.Inf(1))
	for i := range ns.CellDistM {
		ns.CellDistM[i], ns.cellSite[i] = inf, -1
	}
	for i := range ns.communeDistM {
		ns.communeDistM[i], ns.communeSite[i] = inf, -1
	}
	return ns
}

// computeLayerNearest computes the nearest site of one layer for every cell
// centre and every commune representative point, on c.workers goroutines.
func (c *Cache) computeLayerNearest(name string) *NearestSet {
	l := c.layers[name]
	g := c.grid
	sitePts := make([]orb.Point, len(l.Sites))
	for i := range l.Sites {
		sitePts[i] = l.Sites[i].Point
	}
	ns := &NearestSet{layers: []string{name}, sites: len(sitePts),
		CellDistM: make([]float32, len(g.Cells)), cellSite: make([]int32, len(g.Cells))}
	nearestPoints(g.Centers, nil, g.Groups(), sitePts, ns.CellDistM, ns.cellSite, c.workers)

	comm := c.territory.Communes
	ns.communeDistM = make([]float32, len(comm))
	ns.communeSite = make([]int32, len(comm))
	reps := make([]orb.Point, len(comm))
	for i := range comm {
		reps[i] = comm[i].Rep
		ns.communeDistM[i], ns.communeSite[i] = float32(math.Inf(1)), -1
	}
	order, starts := communeGroups(comm)
	nearestPoints(reps, order, starts, sitePts, ns.communeDistM, ns.communeSite, c.workers)
	return ns
}

// communeTileDeg is the side of the lon/lat tiles grouping communes for the
// nearest-site search.
const communeTileDeg = 0.25

// communeGroups orders the communes with a shape by lon/lat tile of their
// representative point and returns that order with the tile group starts.
func communeGroups(comm []data.Commune) (order []int32, starts []int32) {
	keys := make([]int64, len(comm))
	for i := range comm {
		if !comm[i].HasShape() {
			continue
		}
		p := comm[i].Rep
		keys[i] = int64(math.Floor((p[1]+90)/communeTileDeg))*10000 + int64(math.Floor((p[0]+180)/communeTileDeg))
		order = append(order, int32(i))
	}
	slices.SortFunc(order, func(a, b int32) int {
		if keys[a] != keys[b] {
			if keys[a] < keys[b] {
				return -1
			}
			return 1
		}
		return int(a - b)
	})
	starts = []int32{0}
	for k := 1; k < len(order); k++ {
		if keys[order[k]] != keys[order[k-1]] {
			starts = append(starts, int32(k))
		}
	}
	if len(order) == 0 {
		return nil, []int32{0}
	}
	return order, append(starts, int32(len(order)))
}

// unionNearest merges per-layer sets (in layer order) element-wise: the
// nearest site over the union, ties to the first layer.
func unionNearest(parts []*NearestSet, workers int) *NearestSet {
	u := &NearestSet{}
	for _, p := range parts {
		u.layers = append(u.layers, p.layers[0])
		u.sites += p.sites
	}
	merge := func(dist func(*NearestSet) []float32, site func(*NearestSet) []int32) ([]float32, []int32, []uint8) {
		n := len(dist(parts[0]))
		d := slices.Clone(dist(parts[0]))
		s := slices.Clone(site(parts[0]))
		l := make([]uint8, n)
		par.Chunks(workers, (n+chunkSize-1)/chunkSize, func(c int) {
			lo, hi := c*chunkSize, min(n, (c+1)*chunkSize)
			for li := 1; li < len(parts); li++ {
				pd, ps := dist(parts[li]), site(parts[li])
				for i := lo; i < hi; i++ {
					if pd[i] < d[i] {
						d[i], s[i], l[i] = pd[i], ps[i], uint8(li)
					}
				}
			}
		})
		return d, s, l
	}
	u.CellDistM, u.cellSite, u.cellLayer = merge(
		func(p *NearestSet) []float32 { return p.CellDistM }, func(p *NearestSet) []int32 { return p.cellSite })
	u.communeDistM, u.communeSite, u.communeLayer = merge(
		func(p *NearestSet) []float32 { return p.communeDistM }, func(p *NearestSet) []int32 { return p.communeSite })
	return u
}

// Sets returns how many nearest-site sets the cache holds, for the
// server's metrics.
func (c *Cache) Sets() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.nearest)
}

// UniqueLayers returns names without repeats, in first-seen order, so that a
// layer named twice never counts its sites twice.
func UniqueLayers(names []string) []string {
	out := names[:0:0]
	seen := map[string]bool{}
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
