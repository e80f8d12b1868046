package data

import (
	"cmp"
	"runtime"
	"slices"
	"sync"

	"github.com/maillage/maillage/geo"
)

// reconcile joins the 2018 boundaries to the current communes and fills
// t.Report:
//
//   - a boundary whose code is a current commune joins it (same code);
//   - a boundary whose code is a former commune (delegated, associated, or
//     any code resolveFormerCodes maps) joins the current commune it belongs
//     to: its polygons are appended to that commune's shape and its code
//     listed in FormerCodes (merged);
//   - any other boundary is unmatched: listed in the report and kept in
//     t.Unmatched;
//   - a current commune with no boundary at all is listed with its
//     population; one with only former communes' boundaries (its own code
//     absent in 2018) is listed in CommunesShapeOnlyMerged.
//
// Shapes and bounds are assembled here; measure computes the
// representative points and areas.
func (t *Territory) reconcile(bounds []Boundary) {
	r := &t.Report
	r.Boundaries = len(bounds)
	own := make([][]int, len(t.Communes))    // boundary indexes of the commune's own code
	merged := make([][]int, len(t.Communes)) // boundary indexes of its former codes
	for i, b := range bounds {
		if id, ok := t.byCode[b.Code]; ok {
			own[id] = append(own[id], i)
			r.BoundariesSameCode++
			continue
		}
		if cur, ok := t.formerCode[b.Code]; ok {
			id := t.byCode[cur]
			merged[id] = append(merged[id], i)
			r.BoundariesMerged++
			continue
		}
		r.BoundariesUnmatched = append(r.BoundariesUnmatched, b.Code)
		t.Unmatched = append(t.Unmatched, b)
	}
	slices.Sort(r.BoundariesUnmatched)
	slices.SortFunc(t.Unmatched, func(a, b Boundary) int { return cmp.Compare(a.Code, b.Code) })

	for id := range t.Communes {
		t.Communes[id].assembleShape(bounds, own[id], merged[id])
	}

	r.Communes = len(t.Communes)
	for id := range t.Communes {
		c := &t.Communes[id]
		r.PopulationTotal += c.Population
		switch {
		case !c.HasShape():
			r.CommunesWithoutShape = append(r.CommunesWithoutShape, c.Code)
			r.PopulationWithoutShape += c.Population
		default:
			r.CommunesWithShape++
			r.PopulationWithShape += c.Population
			if len(own[id]) == 0 {
				r.CommunesShapeOnlyMerged = append(r.CommunesShapeOnlyMerged, c.Code)
			}
		}
	}
}

// assembleShape sets the commune's shape: its own-code boundaries followed
// by its former communes' boundaries (by code), with their bound;
// ownParts counts the leading own-code polygons.
func (c *Commune) assembleShape(bounds []Boundary, own, merged []int) {
	if len(own)+len(merged) == 0 {
		return
	}
	if len(own) == 1 && len(merged) == 0 {
		// The common case: share the parsed shape, no copy.
		c.Shape, c.Bound, c.ownParts = bounds[own[0]].Shape, bounds[own[0]].Bound, len(bounds[own[0]].Shape)
	} else {
		slices.SortFunc(merged, func(i, j int) int { return cmp.Compare(bounds[i].Code, bounds[j].Code) })
		first := true
		for k, i := range slices.Concat(own, merged) {
			b := &bounds[i]
			if k < len(own) {
				c.ownParts += len(b.Shape)
			}
			c.parts = append(c.parts, shapePart{code: b.Code, polygons: len(b.Shape)})
			if len(b.Shape) == 0 {
				continue
			}
			c.Shape = append(c.Shape, b.Shape...)
			if first {
				c.Bound, first = b.Bound, false
			} else {
				c.Bound = c.Bound.Union(b.Bound)
			}
		}
		for _, i := range merged {
			if code := bounds[i].Code; !slices.Contains(c.FormerCodes, code) {
				c.FormerCodes = append(c.FormerCodes, code)
			}
		}
	}
	if len(c.Shape) == 0 {
		c.Shape, c.ownParts, c.parts = nil, 0, nil
	}
}

// measureParts returns the area of the commune's shape, measuring each of
// its parts on the way when it was assembled from several boundaries.
func (c *Commune) measureParts() float64 {
	if c.parts == nil {
		return geo.AreaKm2(c.Shape)
	}
	total, at := 0.0, 0
	for k := range c.parts {
		p := &c.parts[k]
		p.areaKm2 = geo.AreaKm2(c.Shape[at : at+p.polygons])
		at += p.polygons
		total += p.areaKm2
	}
	return total
}

// BoundaryAreaKm2 returns the geodesic area (km²) of the 2018 boundaries of
// code (summed when the file repeats the code) as joined to a current
// commune: its own boundary or that of a former commune merged into it.
// It reports false for a code with no boundary joined to a commune.
func (t *Territory) BoundaryAreaKm2(code string) (float64, bool) {
	c, ok := t.Commune(code)
	if !ok || !c.HasShape() {
		return 0, false
	}
	if c.parts == nil {
		return c.AreaKm2, code == c.Code && c.ownParts > 0
	}
	sum, found := 0.0, false
	for _, p := range c.parts {
		if p.code == code {
			sum, found = sum+p.areaKm2, true
		}
	}
	return sum, found
}

// measure computes, on GOMAXPROCS goroutines, every commune's geodesic area
// and representative point: taken on the commune's own-code boundary when
// it has one (the chef-lieu's town), else on the merged shape.
func (t *Territory) measure() {
	workers := min(runtime.GOMAXPROCS(0), 8)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for id := w; id < len(t.Communes); id += workers {
				c := &t.Communes[id]
				if !c.HasShape() {
					continue
				}
				rep := c.Shape
				if c.ownParts > 0 {
					rep = c.Shape[:c.ownParts]
				}
				c.Rep = geo.RepresentativePoint(rep)
				c.AreaKm2 = c.measureParts()
			}
		})
	}
	wg.Wait()
}
