package data

import (
	"fmt"
	"slices"

	json "github.com/goccy/go-json"
	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data/boundaries"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/internal/flatbin"
)

// Encode appends the territory as built (communes with their dissolved
// shapes, areas and representative points, the administrative levels,
// former codes, the reconciliation report, the unmatched boundaries and
// the commune index) to w, for the engine snapshot (data/snapshot).
//
// What only a reload reads is left out: the boundary features and the
// boundaries a dissolved shape was assembled from (only their codes,
// validity and areas are kept, which BoundaryAreaKm2 reads). A territory
// decoded from it therefore lends nothing to the next reload
// (LoadTerritoryReusing builds everything again), which changes no result.
func (t *Territory) Encode(w *flatbin.Writer) error {
	if t.Index == nil {
		return fmt.Errorf("territory: no commune index to store")
	}
	cs := t.Communes
	for _, f := range []func(c *Commune) string{
		func(c *Commune) string { return c.Code }, func(c *Commune) string { return c.Name },
		func(c *Commune) string { return c.Departement }, func(c *Commune) string { return c.Region },
		func(c *Commune) string { return c.EPCI }, func(c *Commune) string { return c.Zone },
	} {
		w.Strings(column(cs, f))
	}
	pops, nFormer, nParts := make([]int64, len(cs)), make([]uint32, len(cs)), make([]uint32, len(cs))
	shapes, bounds, reps, areas := make([]orb.MultiPolygon, len(cs)), make([]orb.Bound, len(cs)), make([]orb.Point, len(cs)), make([]float64, len(cs))
	var former, partCodes, partInvalid []string
	var partAreas []float64
	for i := range cs {
		c := &cs[i]
		pops[i], nFormer[i], nParts[i] = int64(c.Population), uint32(len(c.FormerCodes)), uint32(len(c.parts))
		shapes[i], bounds[i], reps[i], areas[i] = c.Shape, c.Bound, c.Rep, c.AreaKm2
		former = append(former, c.FormerCodes...)
		for _, p := range c.parts {
			partCodes, partInvalid, partAreas = append(partCodes, p.code), append(partInvalid, p.invalid), append(partAreas, p.areaKm2)
		}
	}
	flatbin.Put(w, pops)
	flatbin.Put(w, nFormer)
	w.Strings(former)
	flatbin.Put(w, nParts)
	w.Strings(partCodes)
	w.Strings(partInvalid)
	flatbin.Put(w, partAreas)
	flatbin.PutMultiPolygons(w, shapes)
	flatbin.PutBounds(w, bounds)
	flatbin.Put(w, reps)
	flatbin.Put(w, areas)

	// The small parts (administrative levels, former codes, report) as
	// JSON: a few hundred kilobytes, decoded in milliseconds.
	formerKeys := make([]string, 0, len(t.formerCode))
	for k := range t.formerCode {
		formerKeys = append(formerKeys, k)
	}
	slices.Sort(formerKeys)
	formerVals := make([]string, len(formerKeys))
	for i, k := range formerKeys {
		formerVals[i] = t.formerCode[k]
	}
	w.Strings(formerKeys)
	w.Strings(formerVals)
	small, err := json.Marshal(territoryLevels{t.Departements, t.Regions, t.EPCIs, t.Report})
	if err != nil {
		return fmt.Errorf("territory: %w", err)
	}
	w.Blob(small)

	um := make([]orb.MultiPolygon, len(t.Unmatched))
	ub := make([]orb.Bound, len(t.Unmatched))
	for i, b := range t.Unmatched {
		um[i], ub[i] = b.Shape, b.Bound
	}
	w.Strings(column(t.Unmatched, func(b *boundaries.Boundary) string { return b.Code }))
	w.Strings(column(t.Unmatched, func(b *boundaries.Boundary) string { return b.Name }))
	w.Strings(column(t.Unmatched, func(b *boundaries.Boundary) string { return b.Invalid }))
	flatbin.PutMultiPolygons(w, um)
	flatbin.PutBounds(w, ub)

	t.Index.Encode(w)
	return nil
}

// territoryLevels are the parts of a territory Encode stores as JSON.
type territoryLevels struct {
	Departements []Departement
	Regions      []Region
	EPCIs        []EPCI
	Report       Reconciliation
}

// column returns f of every element of s.
func column[T any](s []T, f func(*T) string) []string {
	out := make([]string, len(s))
	for i := range s {
		out[i] = f(&s[i])
	}
	return out
}

// DecodeTerritory reads a territory written by Encode. Its shapes, boxes
// and index arrays alias r's buffer (flatbin.Get), which must stay
// unmodified. A short or inconsistent buffer returns an error, never a
// territory that could make a lookup panic.
func DecodeTerritory(r *flatbin.Reader) (*Territory, error) {
	var cols [6][]string
	for k := range cols {
		cols[k] = r.Strings()
	}
	pops, nFormer := flatbin.Get[int64](r), flatbin.Get[uint32](r)
	former := r.Strings()
	nParts := flatbin.Get[uint32](r)
	partCodes, partInvalid, partAreas := r.Strings(), r.Strings(), flatbin.Get[float64](r)
	shapes := flatbin.GetMultiPolygons(r)
	bounds, reps, areas := flatbin.GetBounds(r), flatbin.Get[orb.Point](r), flatbin.Get[float64](r)
	formerKeys, formerVals := r.Strings(), r.Strings()
	small := r.Blob()
	uCodes, uNames, uInvalid := r.Strings(), r.Strings(), r.Strings()
	um, ub := flatbin.GetMultiPolygons(r), flatbin.GetBounds(r)
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("territory: %w", err)
	}
	n := len(cols[0])
	for _, l := range []int{len(cols[1]), len(cols[2]), len(cols[3]), len(cols[4]), len(cols[5]), len(pops), len(nFormer),
		len(nParts), len(shapes), len(bounds), len(reps), len(areas)} {
		if l != n {
			return nil, fmt.Errorf("territory: commune arrays of %d and %d entries", n, l)
		}
	}
	if len(partCodes) != len(partInvalid) || len(partCodes) != len(partAreas) || len(formerKeys) != len(formerVals) ||
		len(uNames) != len(uCodes) || len(uInvalid) != len(uCodes) || len(um) != len(uCodes) || len(ub) != len(uCodes) {
		return nil, fmt.Errorf("territory: array lengths do not match")
	}
	var lv territoryLevels
	if err := json.Unmarshal(small, &lv); err != nil {
		return nil, fmt.Errorf("territory: levels: %w", err)
	}
	t := &Territory{Departements: lv.Departements, Regions: lv.Regions, EPCIs: lv.EPCIs, Report: lv.Report,
		Communes: make([]Commune, n), fromSnapshot: true}
	fo, po := 0, 0
	for i := range t.Communes {
		nf, np := int(nFormer[i]), int(nParts[i])
		if nf > len(former)-fo || np > len(partCodes)-po {
			return nil, fmt.Errorf("territory: commune %d: former codes or parts out of range", i)
		}
		c := &t.Communes[i]
		*c = Commune{Code: cols[0][i], Name: cols[1][i], Departement: cols[2][i], Region: cols[3][i], EPCI: cols[4][i],
			Zone: cols[5][i], Population: int(pops[i]), Shape: shapes[i], Bound: bounds[i], Rep: reps[i], AreaKm2: areas[i]}
		if nf > 0 {
			c.FormerCodes = former[fo : fo+nf : fo+nf]
		}
		if np > 0 {
			c.parts = make([]shapePart, np)
			for k := range c.parts {
				c.parts[k] = shapePart{code: partCodes[po+k], invalid: partInvalid[po+k], areaKm2: partAreas[po+k]}
			}
		}
		fo, po = fo+nf, po+np
		if i > 0 && t.Communes[i-1].Code >= c.Code {
			return nil, fmt.Errorf("territory: communes not sorted by code at %q", c.Code)
		}
	}
	t.formerCode = make(map[string]string, len(formerKeys))
	for i, k := range formerKeys {
		t.formerCode[k] = formerVals[i]
	}
	if len(uCodes) > 0 {
		t.Unmatched = make([]boundaries.Boundary, len(uCodes))
		for i := range t.Unmatched {
			t.Unmatched[i] = boundaries.Boundary{Code: uCodes[i], Name: uNames[i], Invalid: uInvalid[i], Shape: um[i], Bound: ub[i]}
		}
	}
	t.indexCommunes()
	t.indexAdmin()
	idx := make([]orb.MultiPolygon, n)
	for i := range t.Communes {
		idx[i] = t.Communes[i].Shape
	}
	if t.Index = geo.DecodeCommuneIndex(r, idx); r.Err() != nil {
		return nil, fmt.Errorf("territory: %w", r.Err())
	}
	return t, nil
}
