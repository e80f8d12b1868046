package topo

import (
	"math"
	"slices"

	"github.com/maillage/maillage/geo"
	"github.com/paulmach/orb"
)

// Groups returns the outline of each group of shapes (the départements or
// régions of the communes) as a MultiPolygon made of this level's arcs:
// the arcs whose two sides belong to different groups, or to one group
// only, so that a group's outline runs exactly along its communes' borders
// at the same simplification. groupOf[s] is the group of shape s in
// [0, n), or -1 to leave it out. A group without shapes gets nil.
//
// Exterior rings come out counter-clockwise and holes clockwise, closed;
// where a group's outline touches itself at a junction its rings are split
// there (each ring keeps the group's interior on its left, turning as
// tightly as it can), and rings that collapsed are dropped.
func (l *TopoLevel) Groups(groupOf []int, n int) []orb.MultiPolygon {
	net := make([]map[int32]int, n)
	for s, g := range groupOf {
		if g < 0 || g >= n || s >= len(l.topo.shapes) {
			continue
		}
		if net[g] == nil {
			net[g] = map[int32]int{}
		}
		for _, poly := range l.topo.shapes[s] {
			for k, r := range poly {
				sign := 1
				if r.ccw != (k == 0) {
					sign = -1 // a ring wound against RFC 7946: its interior is on the right
				}
				for _, ref := range r.arcs {
					i, rev := ref.index()
					if rev {
						net[g][int32(i)] -= sign
					} else {
						net[g][int32(i)] += sign
					}
				}
			}
		}
	}
	out := make([]orb.MultiPolygon, n)
	for g, m := range net {
		var refs []arcRef
		for i, v := range m {
			switch {
			case v > 0:
				refs = append(refs, arcRef(i))
			case v < 0:
				refs = append(refs, ^arcRef(i))
			}
		}
		slices.Sort(refs) // map order must not change the output
		out[g] = l.outline(l.cancelTwins(refs))
	}
	return out
}

// cancelTwins drops the pairs of refs whose simplified points are the same
// run in opposite directions: the two sides of a shape of another group
// that collapsed between two shapes of this one, which then meet along it.
func (l *TopoLevel) cancelTwins(refs []arcRef) []arcRef {
	byKey := map[[3]orb.Point][]int{}
	lines := make([]orb.LineString, len(refs))
	for k, ref := range refs {
		a := l.directed(ref)
		lines[k] = a
		key := [3]orb.Point{a[0], a[1], a[len(a)-1]}
		byKey[key] = append(byKey[key], k)
	}
	gone := make([]bool, len(refs))
	for k, a := range lines {
		if gone[k] {
			continue
		}
		n := len(a)
		for _, j := range byKey[[3]orb.Point{a[n-1], a[n-2], a[0]}] {
			if j == k || gone[j] || len(lines[j]) != n {
				continue
			}
			twin := true
			for m := range a {
				if lines[j][m] != a[n-1-m] {
					twin = false
					break
				}
			}
			if twin {
				gone[k], gone[j] = true, true
				break
			}
		}
	}
	out := refs[:0]
	for k, ref := range refs {
		if !gone[k] {
			out = append(out, ref)
		}
	}
	return out
}

// directed returns the simplified points of ref in the direction it is
// run along.
func (l *TopoLevel) directed(ref arcRef) orb.LineString {
	i, rev := ref.index()
	a := l.arc(i, nil)
	if !rev {
		return a
	}
	b := slices.Clone(a)
	slices.Reverse(b)
	return b
}

// outline chains directed arcs (interior on their left) into rings and
// sorts them into polygons.
func (l *TopoLevel) outline(refs []arcRef) orb.MultiPolygon {
	lines := make([]orb.LineString, len(refs))
	from := map[orb.Point][]int{}
	for k, ref := range refs {
		lines[k] = l.directed(ref)
		from[lines[k][0]] = append(from[lines[k][0]], k)
	}
	used := make([]bool, len(refs))
	var exteriors, holes []orb.Ring
	for first := range refs {
		if used[first] {
			continue
		}
		used[first] = true
		ring := append(orb.Ring(nil), lines[first]...)
		for {
			end := ring[len(ring)-1]
			back := ring[len(ring)-2]
			next := -1
			best := math.Inf(1)
			for _, k := range from[end] {
				if used[k] && k != first {
					continue
				}
				if k == first && end != lines[first][0] {
					continue
				}
				if a := clockwiseAngle(end, back, lines[k][1]); a < best {
					next, best = k, a
				}
			}
			if next < 0 || next == first {
				break // closed (or an open chain from invalid input: dropped below)
			}
			used[next] = true
			ring = append(ring, lines[next][1:]...)
		}
		ring = dropRepeats(ring)
		if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
			continue
		}
		switch a := geo.RingSignedArea(ring); {
		case a > 0:
			exteriors = append(exteriors, ring)
		case a < 0:
			holes = append(holes, ring)
		}
	}
	return nestHoles(exteriors, holes)
}

// clockwiseAngle is the angle, in (0, 2π], swept clockwise around v from
// the direction of back to the direction of next: the smallest one is the
// tightest turn keeping the interior (on the left of the way in) on the
// left.
func clockwiseAngle(v, back, next orb.Point) float64 {
	a := math.Atan2(back[1]-v[1], back[0]-v[0]) - math.Atan2(next[1]-v[1], next[0]-v[0])
	for a <= 0 {
		a += 2 * math.Pi
	}
	for a > 2*math.Pi {
		a -= 2 * math.Pi
	}
	return a
}

// nestHoles puts each hole in the smallest exterior holding it; a hole
// held by none is dropped.
func nestHoles(exteriors, holes []orb.Ring) orb.MultiPolygon {
	if len(exteriors) == 0 {
		return nil
	}
	mp := make(orb.MultiPolygon, len(exteriors))
	areas := make([]float64, len(exteriors))
	for i, r := range exteriors {
		mp[i] = orb.Polygon{r}
		areas[i] = geo.RingSignedArea(r)
	}
	for _, h := range holes {
		p := h[0]
		for _, q := range h {
			if !ringsTouch(exteriors, q) {
				p = q
				break
			}
		}
		best := -1
		for i, r := range exteriors {
			if geo.RingContains(r, p) && (best < 0 || areas[i] < areas[best]) {
				best = i
			}
		}
		if best >= 0 {
			mp[best] = append(mp[best], h)
		}
	}
	return mp
}

// ringsTouch reports whether p lies on one of rings.
func ringsTouch(rings []orb.Ring, p orb.Point) bool {
	for _, r := range rings {
		if geo.RingTouches(r, p) {
			return true
		}
	}
	return false
}
