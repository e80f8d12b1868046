package coverage

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/geo"
)

// coverageProfile is, for one nearest-site set, the located population by
// nearest-site distance, sorted, with prefix sums: the covered population at
// any threshold is a binary search. It holds every figure of a commune or
// an area that does not depend on the threshold, computed as coverage
// computes them (same order of summation), so that answers read from it are
// identical to the last bit.
//
// Populations are fractional (a commune's population spread over its cells,
// geo.Grid): the prefix sums are float64 and nothing is rounded here;
// figures are rounded once, when results are built (roundPop).
//
// Communes: the distances of a commune's inhabited cells (its population
// shares), ascending, dist[start[i]:start[i+1]], with cum the population
// up to and including each. Areas are kept per bucket of communes sharing a
// département and a région (the units every scope and area is a union of),
// each with its inhabited cells' shares ordered by distance and its
// inhabited located communes' smallest distances, sorted. A bucket holds its
// shares as indexes in Grid.Shares and its prefix sums every
// bucketCumEvery shares only (the sums between are made again, in the
// same order, so that they come out identical): 4.25 bytes a share where
// distances and sums took 12, read by a few hundred binary searches per
// answer.
type coverageProfile struct {
	start []int32   // per commune, into dist and cum; len communes+1
	dist  []float32 // per inhabited share, ascending within a commune
	cum   []float64 // population of the commune up to and including the share

	commune []communeBase // per commune, threshold-independent figures

	buckets  []profileBucket
	bucketOf map[[2]int32]int32 // (département index, région index) → bucket
	shares   []geo.CellShare    // Grid.Shares, which bucket orders index
	cellDist []float32          // the nearest-site distance of each grid cell (NearestSet.CellDistM)

	scopes map[*CellScope]*figureScope // threshold-independent area figures per scope (coverage_figures.go)
}

// communeBase is what computeCommunes gets from a commune's shares
// whatever the threshold.
type communeBase struct {
	located   float64 // fractional inhabitants placed on the grid, summed in distance order (= the last cum)
	cells     int
	meanDistM float64 // over located inhabitants, 0 without any
	maxDistM  float64
}

// profileBucket is the population profile of the communes sharing a
// département index and a région index (-1: none).
type profileBucket struct {
	dep, reg int32
	order    []int32   // inhabited located shares (indexes in Grid.Shares) by ascending distance
	cumEvery []float64 // population up to and including order[k·bucketCumEvery + bucketCumEvery − 1]
	minDist  []float32 // smallest distance of each inhabited located commune, ascending
}

// bucketCumEvery is how many shares of a bucket one kept prefix sum spans.
const bucketCumEvery = 32

// bucketDist returns the distance of the k-th share of b.
func (p *coverageProfile) bucketDist(b *profileBucket, k int) float32 {
	return p.cellDist[p.shares[b.order[k]].Cell]
}

// bucketCum returns the population of b's shares up to and including the k-th,
// summed share by share from the first as buildProfile summed them.
func (p *coverageProfile) bucketCum(b *profileBucket, k int) float64 {
	blk := (k + 1) / bucketCumEvery
	var sum float64
	if blk > 0 {
		sum = b.cumEvery[blk-1]
	}
	for j := blk * bucketCumEvery; j <= k; j++ {
		sum += p.shares[b.order[j]].Population
	}
	return sum
}

// coveredIn returns how many of the sorted distances are within maxM, as
// Coverage.covered decides it.
func coveredIn(dist []float32, maxM float64) int {
	return sort.Search(len(dist), func(i int) bool { return float64(dist[i]) > maxM })
}

// communeCovered returns the covered population of commune ci at maxM.
func (p *coverageProfile) communeCovered(ci int32, maxM float64) float64 {
	lo, hi := p.start[ci], p.start[ci+1]
	k := coveredIn(p.dist[lo:hi], maxM)
	if k == 0 {
		return 0
	}
	return p.cum[int(lo)+k-1]
}

// bucketCovered returns the covered population of bucket b at maxM and
// the number of its inhabited located communes with at least one covered
// inhabitant.
func (p *coverageProfile) bucketCovered(b *profileBucket, maxM float64) (pop float64, communes int) {
	k := sort.Search(len(b.order), func(k int) bool { return float64(p.bucketDist(b, k)) > maxM })
	if k > 0 {
		pop = p.bucketCum(b, k-1)
	}
	return pop, coveredIn(b.minDist, maxM)
}

// profileOnce holds the lazily built profile of one nearest-site set.
type profileOnce struct {
	once sync.Once
	p    *coverageProfile
}

// profileFor returns the cached profile of ns, the nearest-site set of the
// union of layers, building it once.
func (c *Cache) profileFor(layers []string, ns *NearestSet, ix *Index) *coverageProfile {
	key := unionKey(layers)
	c.mu.Lock()
	ent := c.profiles[key]
	if ent == nil {
		ent = &profileOnce{}
		c.profiles[key] = ent
	}
	c.mu.Unlock()
	ent.once.Do(func() { ent.p = buildProfile(c.territory, c.grid, ns, ix) })
	return ent.p
}

// buildProfile sorts the inhabited shares of every commune and of every
// bucket by nearest-site distance.
func buildProfile(t *data.Territory, g *geo.Grid, ns *NearestSet, ix *Index) *coverageProfile {
	shares, shareStart := g.Shares, g.ShareStart
	nc := len(t.Communes)
	p := &coverageProfile{start: make([]int32, nc+1), commune: make([]communeBase, nc), bucketOf: map[[2]int32]int32{},
		shares: shares, cellDist: ns.CellDistM}
	for ci := 0; ci < nc && ci+1 < len(shareStart); ci++ {
		n := int32(0)
		for _, s := range shares[shareStart[ci]:shareStart[ci+1]] {
			if s.Population > 0 {
				n++
			}
		}
		p.start[ci+1] = n
	}
	for ci := 0; ci < nc; ci++ {
		p.start[ci+1] += p.start[ci]
	}
	p.dist = make([]float32, p.start[nc])
	p.cum = make([]float64, p.start[nc])
	type pair struct {
		d   float32
		pop float64
	}
	var tmp []pair
	bucketLen := map[int32]int{}
	for ci := 0; ci < nc && ci+1 < len(shareStart); ci++ {
		tmp = tmp[:0]
		b := &p.commune[ci]
		for _, s := range shares[shareStart[ci]:shareStart[ci+1]] {
			if s.Population <= 0 {
				continue
			}
			d := ns.CellDistM[s.Cell]
			b.maxDistM = max(b.maxDistM, float64(d))
			b.cells++
			tmp = append(tmp, pair{d, s.Population})
		}
		// Stable, so that the sums below do not depend on the sort's
		// whims among equal distances.
		slices.SortStableFunc(tmp, func(a, b pair) int { return cmp.Compare(a.d, b.d) })
		// The located population is the last prefix sum, summed in the
		// same order as the covered one: a commune wholly within reach
		// has a covered share of exactly 1.
		var cum, sumDist float64
		for k, pr := range tmp {
			cum += pr.pop
			sumDist += pr.pop * float64(pr.d)
			p.dist[int(p.start[ci])+k], p.cum[int(p.start[ci])+k] = pr.d, cum
		}
		b.located = cum
		if b.located > 0 {
			b.meanDistM = sumDist / b.located
		}
		key := [2]int32{ix.CommuneDep[ci], ix.CommuneReg[ci]}
		bi, ok := p.bucketOf[key]
		if !ok {
			bi = int32(len(p.buckets))
			p.bucketOf[key] = bi
			p.buckets = append(p.buckets, profileBucket{dep: key[0], reg: key[1]})
		}
		bucketLen[bi] += len(tmp)
	}
	for bi := range p.buckets {
		p.buckets[bi].order = make([]int32, 0, bucketLen[int32(bi)])
	}
	for ci := 0; ci < nc && ci+1 < len(shareStart); ci++ {
		lo, hi := p.start[ci], p.start[ci+1]
		if lo == hi { // no located inhabitant
			continue
		}
		bi := p.bucketOf[[2]int32{ix.CommuneDep[ci], ix.CommuneReg[ci]}]
		// Each share's own population again (not a difference of prefix
		// sums, which would not give it back to the last bit).
		for k := shareStart[ci]; k < shareStart[ci+1]; k++ {
			if shares[k].Population > 0 {
				p.buckets[bi].order = append(p.buckets[bi].order, k)
			}
		}
		p.buckets[bi].minDist = append(p.buckets[bi].minDist, p.dist[lo])
	}
	for bi := range p.buckets {
		b := &p.buckets[bi]
		slices.SortStableFunc(b.order, func(i, j int32) int {
			return cmp.Compare(ns.CellDistM[shares[i].Cell], ns.CellDistM[shares[j].Cell])
		})
		b.cumEvery = make([]float64, len(b.order)/bucketCumEvery)
		var cum float64
		for k, i := range b.order {
			cum += shares[i].Population
			if (k+1)%bucketCumEvery == 0 {
				b.cumEvery[(k+1)/bucketCumEvery-1] = cum
			}
		}
		b.minDist = slices.Clip(b.minDist)
		slices.Sort(b.minDist)
	}
	p.scopes = buildFigureScopes(t, ix, p)
	return p
}

// unionKey is the cache key of a resolved union of layers.
func unionKey(layers []string) string { return strings.Join(layers, "\x00") }
