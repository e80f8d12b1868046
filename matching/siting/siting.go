package siting

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/internal/num"
	"github.com/maillage/maillage/matching/internal/stop"
)

// Errors of the siting analyses, wrapped with the offending value; test them
// with errors.Is. The API maps both to 400.
var (
	ErrBadSiting   = errors.New("invalid siting query")
	ErrNoProposals = errors.New("no site given") // no proposal, scenario site or candidate
)

// DefaultRedundancyM is the distance to an existing France Services below
// which a proposal is flagged redundant.
const DefaultRedundancyM = 5000.0

// SitingQuery says against which existing network proposals and scenarios
// are judged.
type SitingQuery struct {
	// Layers are the existing service layers (empty: [DefaultLayer]). A
	// cell they reach is already covered: a new site gains nothing there.
	Layers []string
	// Reach is the threshold; nil means DefaultReach (30 minutes).
	Reach *coverage.Reach
	// RedundancyM is the distance to the nearest existing France Services
	// under which a proposal is redundant: 0 means DefaultRedundancyM, a
	// negative value turns the rule off.
	RedundancyM float64
}

// sitingBase is a resolved query: the existing network and the threshold.
type sitingBase struct {
	e      *matching.Engine // the engine it was resolved on
	layers []string
	reach  coverage.Reach
	ns     *coverage.NearestSet
	ix     *coverage.Index
}

// resolveSiting checks layers and reach and fetches the cached nearest-site
// distances of the existing network.
func resolveSiting(e *matching.Engine, layers []string, reach *coverage.Reach) (*sitingBase, error) {
	names, err := e.Coverage().ResolveLayers(layers)
	if err != nil {
		return nil, err
	}
	r := coverage.DefaultReach()
	if reach != nil {
		r = *reach
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	ns, err := e.Coverage().Nearest(names)
	if err != nil {
		return nil, err
	}
	return &sitingBase{e: e, layers: names, reach: r, ns: ns, ix: e.Coverage().Index()}, nil
}

// openDemand returns the open demand of a scope: its cells out of reach of
// the existing network, weighted by weights (nil: population).
func (b *sitingBase) openDemand(ctx context.Context, sc *coverage.CellScope, weights []float64) (*demandSet, error) {
	var cells []int32
	var pops []float64
	for k := 0; k < sc.Len(); k++ {
		if err := stop.At(ctx, k, "demand"); err != nil {
			return nil, err
		}
		c := sc.Cell(k)
		if sc.CellPop(k) > 0 && !(float64(b.ns.CellDistM[c]) <= b.reach.MaxM) {
			cells = append(cells, int32(c))
			pops = append(pops, sc.CellPop(k))
		}
	}
	return newDemandSet(ctx, b.e.Grid(), b.reach.MaxM, cells, pops, weights)
}

// scopePopulation returns the population of a scope's communes, the part of
// it located on the grid and the located part within reach of the existing
// network.
func (b *sitingBase) scopePopulation(sc *coverage.CellScope) (total, located, covered int) {
	total, loc, cov := b.scopePopulationF(sc)
	return total, num.RoundPop(loc), num.RoundPop(cov)
}

// scopePopulationF is scopePopulation before rounding: fractional
// inhabitants, for figures that add a gain before they are rounded.
func (b *sitingBase) scopePopulationF(sc *coverage.CellScope) (total int, located, covered float64) {
	for _, ci := range sc.Communes {
		total += b.e.Territory().Communes[ci].Population
	}
	for k := 0; k < sc.Len(); k++ {
		located += sc.CellPop(k)
		if float64(b.ns.CellDistM[sc.Cell(k)]) <= b.reach.MaxM {
			covered += sc.CellPop(k)
		}
	}
	return total, located, covered
}

// popSum returns the fractional inhabitants of demand cells.
func (d *demandSet) popSum(cells []int32) float64 {
	pop := 0.0
	for _, i := range cells {
		pop += d.pop[i]
	}
	return pop
}

// share returns part / whole, 0 when whole is 0.
func share(part, whole int) float64 {
	if whole <= 0 {
		return 0
	}
	return float64(part) / float64(whole)
}

// CommuneGain is the population of one commune a site newly brings within
// reach. Its name is written "nom", as every answer names a commune.
type CommuneGain struct {
	Code           string `json:"code"`
	Name           string `json:"nom"`
	Departement    string `json:"departement"`
	GainPopulation int    `json:"gain_population"`
	Spread         string `json:"spread"` // how its population is placed (CommuneCoverage.Spread)
}

// communeTally sums, per commune, the population of newly covered cells
// (through the coverage index's cell → communes relation). It is one
// goroutine's scratch: reset by list.
type communeTally struct {
	pop     []float64 // per commune
	touched []int32
}

// add counts the demand cells dcells (demand indexes of d); keep, when not
// nil, says which communes count (those of the scope).
func (ct *communeTally) add(ix *coverage.Index, d *demandSet, dcells []int32, keep func(ci int32) bool) {
	for _, i := range dcells {
		c := d.cell[i]
		for k := ix.CellCommStart[c]; k < ix.CellCommStart[c+1]; k++ {
			ci, p := ix.CellComm[k], ix.CellCommPop[k]
			if p <= 0 || (keep != nil && !keep(ci)) {
				continue
			}
			if ct.pop[ci] == 0 {
				ct.touched = append(ct.touched, ci)
			}
			ct.pop[ci] += p
		}
	}
}

// list returns the communes counted since the last call, by population
// gained then code, and resets the tally.
func (ct *communeTally) list(e *matching.Engine) []CommuneGain {
	out := make([]CommuneGain, len(ct.touched))
	for k, ci := range ct.touched {
		c := &e.Territory().Communes[ci]
		out[k] = CommuneGain{Code: c.Code, Name: c.Name, Departement: c.Departement, GainPopulation: num.RoundPop(ct.pop[ci]),
			Spread: e.Coverage().CommuneSpread(int(ci))}
		ct.pop[ci] = 0
	}
	ct.touched = ct.touched[:0]
	slices.SortFunc(out, func(a, b CommuneGain) int {
		if c := cmp.Compare(b.GainPopulation, a.GainPopulation); c != 0 {
			return c
		}
		return cmp.Compare(a.Code, b.Code)
	})
	return out
}

// sitingScratch is one goroutine's reusable buffers.
type sitingScratch struct {
	buf   []int32 // demand cells of one query
	tally communeTally
}

// scratchPool returns a pool of scratch buffers sized for the engine.
func (b *sitingBase) scratchPool() *sync.Pool {
	n := len(b.e.Territory().Communes)
	return &sync.Pool{New: func() any { return &sitingScratch{tally: communeTally{pop: make([]float64, n)}} }}
}

// inScope returns the membership test of a scope's communes (nil for the
// national scope, which holds them all).
func inScope(sc *coverage.CellScope) func(ci int32) bool {
	if sc.Cells == nil {
		return nil
	}
	return func(ci int32) bool {
		_, ok := slices.BinarySearch(sc.Communes, ci)
		return ok
	}
}

// franceServicesLayers returns the France Services layers among layers
// (names starting with "france-services"), or [DefaultLayer] when there is
// none: redundancy is judged against France Services, whatever else the
// existing network holds.
func franceServicesLayers(layers []string) []string {
	var out []string
	for _, l := range layers {
		if strings.HasPrefix(l, data.LayerFranceServices) {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		out = []string{matching.DefaultLayer}
	}
	return out
}

// nearestOf returns the site nearest to p over layers (unknown or empty
// layers are skipped), with its distance; ok is false when there is none.
func (b *sitingBase) nearestOf(p orb.Point, layers []string) (site *data.Site, distM float64, ok bool) {
	distM = math.Inf(1)
	for _, n := range layers {
		l := b.e.Layer(n)
		if l == nil || l.Index == nil {
			continue
		}
		if id, d, found := l.Index.Nearest1(p); found && d < distM {
			site, distM, ok = &l.Sites[id], d, true
		}
	}
	return site, distM, ok
}

// checkPoints rejects sites whose point is not a finite lon/lat.
func checkPoints(sites []people.Structure, what string) error {
	for i := range sites {
		p := sites[i].Point
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
			return fmt.Errorf("%w: %s %d (%q): point %v is not a lon/lat", ErrBadSiting, what, i, sites[i].ID, p)
		}
	}
	return nil
}
