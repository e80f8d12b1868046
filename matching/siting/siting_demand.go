package siting

import (
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/matching/internal/sphere"
	"github.com/maillage/maillage/matching/internal/stop"
)

// demandSet is the open demand of a siting query: the grid cells of a scope
// that hold demand and are out of reach of every existing site, the only
// cells a new site can add. Cells are stored in strip order (see within):
// a demand index is a position in that order.
//
// A cell is within reach of a point p when
// float64(float32(geo.DistanceM(centre, p))) <= maxM, the very test the
// coverage analysis applies to its float32 nearest-site distances, so that
// adding a site to a layer covers exactly the cells the siting analysis
// says it covers.
type demandSet struct {
	maxM   float64
	cell   []int32       // grid index of each demand cell
	vec    []sphere.Vec3 // unit vector of its centre
	lon    []float64     // longitude of its centre, ascending within a strip
	pop    []float64     // inhabitants counted (the scope's population in the cell, fractional)
	weight []float64     // demand value: pop × the cell's demand weight

	stripDeg   float64 // strip height in degrees of latitude
	strip0     int     // strip number of the first strip
	stripStart []int32 // demand cells of strip strip0+s: [stripStart[s], stripStart[s+1])

	in2, out2 float64 // squared chords: surely within reach below in2, surely out of reach above out2
}

// reachSlack is the relative margin around the reach inside which the chord
// test defers to the exact haversine and float32 test (it covers the float32
// rounding of distances, 6e-8 relative, with room to spare).
const reachSlack = 1e-6

// newDemandSet builds the open demand from candidate cells: cells[k] is a
// grid index, pops[k] its population, weights (nil: 1) a per-grid-cell
// multiplier of it. Cells with no demand are dropped. It stops when ctx is
// done (a national demand holds some 750,000 cells).
func newDemandSet(ctx context.Context, g *geo.Grid, maxM float64, cells []int32, pops []float64, weights []float64) (*demandSet, error) {
	const dropped = math.MinInt32
	d := &demandSet{maxM: maxM}
	d.stripDeg = max(maxM/geo.EarthRadiusM*180/math.Pi/4, 0.01)
	theta := maxM / geo.EarthRadiusM
	lo, hi := math.Max(theta*(1-reachSlack)-1e-12, 0), theta*(1+reachSlack)+1e-12
	d.in2, d.out2 = sphere.ChordOfAngle(lo), sphere.ChordOfAngle(hi)

	// The order is by (strip, longitude, k): a counting sort by strip, then
	// each strip sorted on its own, so that the context is looked at between
	// strips and no single sort runs over the whole country.
	strip := make([]int32, len(cells))
	first, last, n := math.MaxInt32, math.MinInt32, 0
	for k, c := range cells {
		if pops[k] <= 0 || (weights != nil && !(weights[c] > 0)) {
			strip[k] = dropped
			continue
		}
		s := int(math.Floor((g.Centers[c][1] + 90) / d.stripDeg))
		strip[k] = int32(s)
		first, last, n = min(first, s), max(last, s), n+1
	}
	if n == 0 {
		return d, stop.Err(ctx, "demand")
	}
	d.strip0 = first
	ns := last - first + 1
	d.stripStart = make([]int32, ns+1)
	for _, s := range strip {
		if s != dropped {
			d.stripStart[int(s)-first+1]++
		}
	}
	for s := 0; s < ns; s++ {
		d.stripStart[s+1] += d.stripStart[s]
	}
	order := make([]int32, n) // positions in cells, by strip then k
	fill := slices.Clone(d.stripStart[:ns])
	for k, s := range strip {
		if s != dropped {
			order[fill[int(s)-first]] = int32(k)
			fill[int(s)-first]++
		}
	}
	for s := 0; s < ns; s++ {
		if err := ctx.Err(); err != nil {
			return nil, stop.Err(ctx, "demand")
		}
		slices.SortFunc(order[d.stripStart[s]:d.stripStart[s+1]], func(a, b int32) int {
			if c := cmp.Compare(g.Centers[cells[a]][0], g.Centers[cells[b]][0]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
	}
	d.cell, d.vec, d.lon = make([]int32, n), make([]sphere.Vec3, n), make([]float64, n)
	d.pop, d.weight = make([]float64, n), make([]float64, n)
	for i, k := range order {
		if err := stop.At(ctx, i, "demand"); err != nil {
			return nil, err
		}
		c := cells[k]
		d.cell[i], d.lon[i], d.pop[i] = c, g.Centers[c][0], pops[k]
		d.vec[i] = sphere.UnitVec(g.Centers[c])
		d.weight[i] = pops[k]
		if weights != nil {
			d.weight[i] *= weights[c]
		}
	}
	return d, nil
}

// len returns the number of demand cells.
func (d *demandSet) len() int { return len(d.cell) }

// reaches reports whether demand cell i is within reach of p (unit vector
// pv): the chord decides away from the threshold, the exact test near it.
func (d *demandSet) reaches(g *geo.Grid, i int, p orb.Point, pv sphere.Vec3) bool {
	c2 := sphere.Chord2(pv, d.vec[i])
	switch {
	case c2 <= d.in2:
		return true
	case c2 > d.out2:
		return false
	}
	return float64(float32(geo.DistanceM(g.Centers[d.cell[i]], p))) <= d.maxM
}

// within appends to dst[:0] the demand cells within reach of p, in demand
// order, and returns it. It visits the strips overlapping the box around
// the reach and, in each, the cells whose longitude lies in the box.
func (d *demandSet) within(g *geo.Grid, p orb.Point, dst []int32) []int32 {
	dst = dst[:0]
	if len(d.cell) == 0 {
		return dst
	}
	pv := sphere.UnitVec(p)
	b := geo.BoundAround(p, d.maxM*(1+reachSlack)+1e-3)
	s0 := max(int(math.Floor((b.Min[1]+90)/d.stripDeg))-d.strip0, 0)
	s1 := min(int(math.Floor((b.Max[1]+90)/d.stripDeg))-d.strip0, len(d.stripStart)-2)
	for s := s0; s <= s1; s++ {
		lo, hi := int(d.stripStart[s]), int(d.stripStart[s+1])
		lons := d.lon[lo:hi]
		k, _ := slices.BinarySearch(lons, b.Min[0])
		for i := lo + k; i < hi && d.lon[i] <= b.Max[0]; i++ {
			// reaches, inlined: the chord decides away from the threshold.
			v := &d.vec[i]
			dx, dy, dz := pv[0]-v[0], pv[1]-v[1], pv[2]-v[2]
			c2 := dx*dx + dy*dy + dz*dz
			if c2 <= d.in2 || (c2 <= d.out2 && d.reaches(g, i, p, pv)) {
				dst = append(dst, int32(i))
			}
		}
	}
	return dst
}
