package siteindex

import "github.com/paulmach/orb"

// Seed cells give Nearest a first search radius that is sure to be enough.
// The sphere is cut into lon/lat cells; every cell within a few cells of a
// site stores the ids of the (up to) seedK sites nearest to its centre. For a
// query p in such a cell, the k-th smallest distance from p to those seeds
// bounds the distance to p's k-th nearest site (they are k distinct sites),
// so a single box search of that radius finds the answer. Correctness never
// depends on the seeds: any k sites would do; near ones keep the box small.
//
// Two levels: fine cells near the sites (where nearly all queries fall), and
// coarse cells reaching far out to sea or abroad, whose seeds are looser but
// still spare the query several growing searches or a full tree walk.
var seedLevels = [...]struct {
	cellDeg float64
	reach   int // cells around each site's cell
}{
	{0.25, 2}, // about 55 km north–south
	{2, 4},    // about 900 km
}

// seedK is the number of seed ids per cell.
const seedK = 8

// seedGrid is one level of seed cells.
type seedGrid struct {
	cellDeg    float64
	cols, rows int
	cells      map[uint32]int32 // cell key → offset of its ids in ids (× seedK)
	ids        []int32
}

// cell returns the key of the cell holding p; ok is false for a point outside
// [-180, 180] × [-90, 90] (or NaN).
func (g *seedGrid) cell(p orb.Point) (key uint32, ok bool) {
	if !(p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90) {
		return 0, false
	}
	x := min(int((p[0]+180)/g.cellDeg), g.cols-1)
	y := min(int((p[1]+90)/g.cellDeg), g.rows-1)
	return uint32(y*g.cols + x), true
}

// buildSeeds fills ix.seeds; the tree must be built. Seeds are found with
// Nearest itself, which has no seeds yet and so searches growing boxes.
func (ix *Index) buildSeeds() {
	k := min(seedK, len(ix.pts))
	if k == 0 {
		return
	}
	var built [len(seedLevels)]seedGrid
	buf := make([]Neighbor, 0, k)
	for l, lv := range seedLevels {
		g := seedGrid{cellDeg: lv.cellDeg, cols: int(360 / lv.cellDeg), rows: int(180 / lv.cellDeg), cells: make(map[uint32]int32)}
		var keys []uint32
		for _, p := range ix.pts {
			key, ok := g.cell(p)
			if !ok {
				continue
			}
			cx, cy := int(key)%g.cols, int(key)/g.cols
			for y := max(cy-lv.reach, 0); y <= min(cy+lv.reach, g.rows-1); y++ {
				for dx := -lv.reach; dx <= lv.reach; dx++ {
					key := uint32(y*g.cols + (cx+dx+g.cols)%g.cols)
					if _, seen := g.cells[key]; !seen {
						g.cells[key] = int32(len(keys))
						keys = append(keys, key)
					}
				}
			}
		}
		g.ids = make([]int32, len(keys)*k)
		for i, key := range keys {
			x, y := int(key)%g.cols, int(key)/g.cols
			centre := orb.Point{-180 + (float64(x)+0.5)*g.cellDeg, -90 + (float64(y)+0.5)*g.cellDeg}
			buf = ix.Nearest(centre, k, buf)
			for j, nb := range buf {
				g.ids[i*k+j] = int32(nb.ID)
			}
		}
		built[l] = g
	}
	ix.seeds, ix.seedK = built, k
}

// seedRadius returns a radius in metres sure to hold the k points nearest to
// q.p, from the seeds of its cell at the finest level that has one; ok is
// false when no level does or k exceeds the seeds.
func (ix *Index) seedRadius(q *siteQuery, k int) (radiusM float64, ok bool) {
	if k > ix.seedK {
		return 0, false
	}
	for l := range ix.seeds {
		g := &ix.seeds[l]
		key, ok := g.cell(q.p)
		if !ok {
			return 0, false
		}
		if off, ok := g.cells[key]; ok {
			return mOfChord2(ix.kthSeedChord2(q, g.ids[int(off)*ix.seedK:(int(off)+1)*ix.seedK], k))*(1+1e-9) + 1e-3, true
		}
	}
	return 0, false
}

// kthSeedChord2 returns the k-th smallest squared chord from q.p to ids, by
// insertion into a sorted prefix.
func (ix *Index) kthSeedChord2(q *siteQuery, ids []int32, k int) float64 {
	var c2s [seedK]float64
	n := 0
	for _, id := range ids {
		c2 := q.chord2(id)
		if n == k && c2 >= c2s[k-1] {
			continue
		}
		if n < k {
			n++
		}
		i := n - 1
		for ; i > 0 && c2s[i-1] > c2; i-- {
			c2s[i] = c2s[i-1]
		}
		c2s[i] = c2
	}
	return c2s[k-1]
}
