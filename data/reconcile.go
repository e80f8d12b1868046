package data

import (
	"cmp"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/maillage/maillage/data/boundaries"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/valid"
)

// reconcile joins the 2018 boundaries to the current communes and fills
// t.Report:
//
//   - a boundary whose code is a current commune joins it (same code);
//   - a boundary whose code is a former commune (delegated, associated, or
//     any code resolveFormerCodes maps) joins the current commune it belongs
//     to: its polygons are dissolved into that commune's shape and its code
//     listed in FormerCodes (merged);
//   - any other boundary is unmatched: listed in the report and kept in
//     t.Unmatched;
//   - a current commune with no boundary at all is listed with its
//     population; one with only former communes' boundaries (its own code
//     absent in 2018) is listed in CommunesShapeOnlyMerged.
//
// Shapes and bounds are assembled here (dissolve); measure computes the
// representative points and areas.
func (t *Territory) reconcile(bounds []boundaries.Boundary) {
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
	slices.SortFunc(t.Unmatched, func(a, b boundaries.Boundary) int { return cmp.Compare(a.Code, b.Code) })

	for id := range t.Communes {
		t.Communes[id].assembleShape(bounds, own[id], merged[id])
	}
	t.dissolve()

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

// assembleShape records the boundaries the commune's shape comes from: its
// own-code boundaries, then its former communes' boundaries (by code). A
// commune of one valid boundary shares its parsed shape; any other gets its
// shape from dissolveShape.
func (c *Commune) assembleShape(bounds []boundaries.Boundary, own, merged []int) {
	if len(own) == 1 && len(merged) == 0 && bounds[own[0]].Invalid == "" {
		// The common case: share the parsed shape, no copy.
		c.Shape, c.Bound = bounds[own[0]].Shape, bounds[own[0]].Bound
		return
	}
	slices.SortFunc(merged, func(i, j int) int { return cmp.Compare(bounds[i].Code, bounds[j].Code) })
	all, polygons := slices.Concat(own, merged), 0
	for _, i := range all {
		b := &bounds[i]
		c.parts = append(c.parts, shapePart{code: b.Code, shape: b.Shape, invalid: b.Invalid})
		polygons += len(b.Shape)
	}
	for _, i := range merged {
		if code := bounds[i].Code; !slices.Contains(c.FormerCodes, code) {
			c.FormerCodes = append(c.FormerCodes, code)
		}
	}
	switch {
	case polygons == 0:
		c.parts = nil
	case len(c.parts) == 1 && c.parts[0].invalid == "":
		// One valid boundary of a former code: shared as is.
		c.Shape, c.Bound = bounds[all[0]].Shape, bounds[all[0]].Bound
	}
}

// needsDissolve reports whether the commune's shape is to be assembled by
// dissolveShape: it has several boundaries, or an invalid one.
func (c *Commune) needsDissolve() bool {
	return len(c.parts) > 1 || len(c.parts) == 1 && c.parts[0].invalid != ""
}

// dissolveShape sets the shape of a commune assembled from several
// boundaries, or from one invalid boundary: the union of their polygons
// (valid.DissolveShape), so that former communes sharing edges become one
// valid polygon and an invalid boundary is repaired. When the union fails
// the polygons are kept as read and the reason returned.
func (c *Commune) dissolveShape() error {
	var all orb.MultiPolygon
	for _, p := range c.parts {
		all = append(all, p.shape...)
	}
	shape, err := valid.DissolveShape(all)
	if err != nil {
		shape = all
	}
	c.Shape, c.Bound = shape, shape.Bound()
	return err
}

// repShape is the shape the commune's representative point is taken on:
// its own-code boundaries when it has some (the chef-lieu's town), else all
// its boundaries as read (whose largest polygon is the largest former
// commune, as before dissolving).
func (c *Commune) repShape() orb.MultiPolygon {
	if c.parts == nil {
		return c.Shape
	}
	var own, all orb.MultiPolygon
	for _, p := range c.parts {
		if p.code == c.Code {
			own = append(own, p.shape...)
		}
		all = append(all, p.shape...)
	}
	if len(own) == 0 {
		return all
	}
	return own
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
		return c.AreaKm2, code == c.Code
	}
	sum, found := 0.0, false
	for _, p := range c.parts {
		if p.code == code {
			sum, found = sum+p.areaKm2, true
		}
	}
	return sum, found
}

// dissolve assembles, on GOMAXPROCS goroutines, the shape of every commune
// made of several boundaries or of an invalid one (dissolveShape), and
// records in the report what was dissolved, repaired or kept invalid.
func (t *Territory) dissolve() {
	var ids []int
	for id := range t.Communes {
		if t.Communes[id].needsDissolve() {
			ids = append(ids, id)
		}
	}
	errs := make([]error, len(ids))
	var taken atomic.Int64
	forEachParallel(len(ids), func(k int) {
		c := &t.Communes[ids[k]]
		if t.prev.dissolved(c) {
			errs[k] = c.dissolveErr
			taken.Add(1)
			return
		}
		errs[k] = c.dissolveShape()
		c.dissolveErr = errs[k]
	})
	t.reused.Dissolved = int(taken.Load())
	r := &t.Report
	for k, id := range ids {
		c := &t.Communes[id]
		if len(c.parts) > 1 {
			r.ShapesDissolved++
		}
		for _, p := range c.parts {
			if p.invalid != "" {
				r.BoundariesInvalid = append(r.BoundariesInvalid, p.code+": "+p.invalid)
				if errs[k] == nil {
					r.BoundariesRepaired = append(r.BoundariesRepaired, p.code)
				}
			}
		}
		if errs[k] != nil {
			r.ShapesInvalid = append(r.ShapesInvalid, c.Code+": "+errs[k].Error())
		}
	}
	slices.Sort(r.BoundariesInvalid)
	slices.Sort(r.BoundariesRepaired)
}

// measure computes, on GOMAXPROCS goroutines, every commune's geodesic area
// (of its final shape) and representative point (see repShape), and the
// area of each boundary it was assembled from.
func (t *Territory) measure() {
	var taken atomic.Int64
	defer func() { t.reused.Measured = int(taken.Load()) }()
	forEachParallel(len(t.Communes), func(id int) {
		c := &t.Communes[id]
		if !c.HasShape() {
			return
		}
		if t.prev.measured(c) {
			taken.Add(1)
			return
		}
		c.Rep = geo.RepresentativePoint(c.repShape())
		c.AreaKm2 = geo.AreaKm2(c.Shape)
		for k := range c.parts {
			c.parts[k].areaKm2 = geo.AreaKm2(c.parts[k].shape)
		}
	})
}

// forEachParallel calls fn(0) … fn(n-1) on GOMAXPROCS goroutines (at most
// 8), each taking every workers-th index so that neighbouring, similar
// items spread over them.
func forEachParallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), 8, max(n, 1))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				fn(i)
			}
		})
	}
	wg.Wait()
}
