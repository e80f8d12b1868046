package siting

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/internal/num"
	"github.com/maillage/maillage/matching/internal/par"
)

// Labels of a proposal, by precedence.
const (
	// LabelRedundant: the proposal newly covers nobody, or it stands closer
	// than the redundancy distance to an existing France Services (then it
	// is redundant even when it adds a few inhabitants at the edge: it
	// duplicates that France Services).
	LabelRedundant = "redundant"
	// LabelFillsGap: it newly covers inhabitants and stands itself out of
	// reach of every existing site, in a gap of the mesh.
	LabelFillsGap = "fills_gap"
	// LabelExtends: it newly covers inhabitants from a point already
	// covered, pushing the covered area's edge outwards.
	LabelExtends = "extends"
)

// ProposalEvaluation judges a set of proposed sites against the existing
// network, nationally.
//
// A proposal's gain is the population of the grid cells it reaches that no
// existing site of Layers reaches (marginal to the existing network alone,
// not to the other proposals). The set's joint gain counts the union of
// those cells once: it is at most the sum of the gains and at least the
// largest. Covered figures are over the population located on the grid
// (see Coverage).
type ProposalEvaluation struct {
	Layers      []string         `json:"layers"`
	Reach       coverage.Reach   `json:"reach"`
	RedundancyM float64          `json:"redundancy_m"` // 0 when the rule is off
	Proposals   []ProposalResult `json:"proposals"`    // in input order

	JointGainPopulation int     `json:"joint_gain_population"`
	SumGainPopulation   int     `json:"sum_gain_population"` // sum of the proposals' own gains (double counts overlaps)
	PopulationLocated   int     `json:"population_located"`
	CoveredBefore       int     `json:"covered_population_before"`
	CoveredAfter        int     `json:"covered_population_after"` // before + joint gain
	CoveredShareBefore  float64 `json:"covered_share_before"`
	CoveredShareAfter   float64 `json:"covered_share_after"`
	FillsGap            int     `json:"fills_gap"` // proposals per label
	Extends             int     `json:"extends"`
	Redundant           int     `json:"redundant"`
}

// ProposalResult is the judgement of one proposal.
type ProposalResult struct {
	ID          string  `json:"id"`
	Name        string  `json:"name,omitempty"`
	Commune     string  `json:"commune,omitempty"`
	Departement string  `json:"departement,omitempty"`
	Lon         float64 `json:"lon"`
	Lat         float64 `json:"lat"`

	GainPopulation int `json:"gain_population"` // newly covered given the existing network
	// UniqueGainPopulation is the part of the gain no other proposal of the
	// set covers: what the set loses without this proposal.
	UniqueGainPopulation int           `json:"unique_gain_population"`
	NewCells             int           `json:"new_cells"` // newly covered grid cells with inhabitants
	Communes             []CommuneGain `json:"communes"`  // communes gaining, by population gained

	// The nearest existing France Services (over the France Services
	// layers of the query, else the default layer).
	NearestFranceServicesID    string  `json:"nearest_france_services_id,omitempty"`
	NearestFranceServicesName  string  `json:"nearest_france_services_name,omitempty"`
	NearestFranceServicesLayer string  `json:"nearest_france_services_layer,omitempty"`
	NearestFranceServicesM     float64 `json:"nearest_france_services_m"` // -1 when there is none
	// NearestExistingM is the distance to the nearest site of the query's
	// layers; InGap says it is beyond the reach.
	NearestExistingM float64 `json:"nearest_existing_m"` // -1 when there is none
	InGap            bool    `json:"in_gap"`
	Redundant        bool    `json:"redundant"` // closer than RedundancyM to an existing France Services
	Label            string  `json:"label"`
}

// EvaluateProposals judges each proposed site and the set: gains, communes
// newly covered, distance to the nearest France Services, redundancy and
// label (see the Label constants for the rule), and the set's joint gain.
// Proposals need a lon/lat Point (as people.LoadStructures places them). It
// stops when ctx is done.
func EvaluateProposals(ctx context.Context, e *matching.Engine, props []people.Structure, q SitingQuery) (*ProposalEvaluation, error) {
	if len(props) == 0 {
		return nil, ErrNoProposals
	}
	if err := checkPoints(props, "proposal"); err != nil {
		return nil, err
	}
	if math.IsNaN(q.RedundancyM) || math.IsInf(q.RedundancyM, 0) {
		return nil, fmt.Errorf("%w: redundancy distance %v m", ErrBadSiting, q.RedundancyM)
	}
	redundancyM := q.RedundancyM
	switch {
	case redundancyM == 0:
		redundancyM = DefaultRedundancyM
	case redundancyM < 0:
		redundancyM = 0
	}
	b, err := resolveSiting(e, q.Layers, q.Reach)
	if err != nil {
		return nil, err
	}
	d, err := b.openDemand(ctx, b.ix.National, nil)
	if err != nil {
		return nil, err
	}
	ev := &ProposalEvaluation{Layers: b.layers, Reach: b.reach, RedundancyM: redundancyM,
		Proposals: make([]ProposalResult, len(props))}
	_, ev.PopulationLocated, ev.CoveredBefore = b.scopePopulation(b.ix.National)

	// Pass 1: each proposal alone; count how many proposals reach each cell.
	hits := make([]int32, d.len())
	fsLayers := franceServicesLayers(b.layers)
	pool := b.scratchPool()
	const perChunk = 16
	err = par.ChunksCtx(ctx, "evaluation", e.Workers(), (len(props)+perChunk-1)/perChunk, func(c int) {
		w := pool.Get().(*sitingScratch)
		for i := c * perChunk; i < min(len(props), (c+1)*perChunk); i++ {
			w.buf = d.within(e.Grid(), props[i].Point, w.buf)
			r := b.judgeProposal(&props[i], d, w.buf, fsLayers, redundancyM)
			for _, k := range w.buf {
				atomic.AddInt32(&hits[k], 1)
			}
			w.tally.add(b.ix, d, w.buf, nil)
			r.Communes = w.tally.list(e)
			ev.Proposals[i] = r
		}
		pool.Put(w)
	})
	if err != nil {
		return nil, err
	}
	// Pass 2: the part of each gain no other proposal covers.
	err = par.ChunksCtx(ctx, "evaluation", e.Workers(), (len(props)+perChunk-1)/perChunk, func(c int) {
		w := pool.Get().(*sitingScratch)
		for i := c * perChunk; i < min(len(props), (c+1)*perChunk); i++ {
			if ev.Proposals[i].GainPopulation == 0 {
				continue
			}
			w.buf = d.within(e.Grid(), props[i].Point, w.buf)
			unique := 0.0
			for _, k := range w.buf {
				if hits[k] == 1 {
					unique += d.pop[k]
				}
			}
			ev.Proposals[i].UniqueGainPopulation = num.RoundPop(unique)
		}
		pool.Put(w)
	})
	if err != nil {
		return nil, err
	}
	joint := 0.0
	for k, h := range hits {
		if h > 0 {
			joint += d.pop[k]
		}
	}
	ev.JointGainPopulation = num.RoundPop(joint)
	for i := range ev.Proposals {
		r := &ev.Proposals[i]
		ev.SumGainPopulation += r.GainPopulation
		switch r.Label {
		case LabelFillsGap:
			ev.FillsGap++
		case LabelExtends:
			ev.Extends++
		default:
			ev.Redundant++
		}
	}
	ev.CoveredAfter = ev.CoveredBefore + ev.JointGainPopulation
	ev.CoveredShareBefore = share(ev.CoveredBefore, ev.PopulationLocated)
	ev.CoveredShareAfter = share(ev.CoveredAfter, ev.PopulationLocated)
	return ev, nil
}

// judgeProposal fills the figures of one proposal from its newly covered
// demand cells.
func (b *sitingBase) judgeProposal(p *people.Structure, d *demandSet, cells []int32, fsLayers []string, redundancyM float64) ProposalResult {
	r := ProposalResult{ID: p.ID, Name: p.Name, Commune: p.Commune, Departement: p.Departement,
		Lon: p.Point[0], Lat: p.Point[1], NewCells: len(cells), NearestFranceServicesM: -1, NearestExistingM: -1}
	r.GainPopulation = d.popOf(cells)
	if s, dist, ok := b.nearestOf(p.Point, fsLayers); ok {
		r.NearestFranceServicesID, r.NearestFranceServicesName, r.NearestFranceServicesLayer = s.ID, s.Name, s.Layer
		r.NearestFranceServicesM = dist
		r.Redundant = dist < redundancyM
	}
	r.InGap = true
	if _, dist, ok := b.nearestOf(p.Point, b.layers); ok {
		r.NearestExistingM = dist
		r.InGap = !(float64(float32(dist)) <= b.reach.MaxM)
	}
	switch {
	case r.GainPopulation == 0 || r.Redundant:
		r.Label = LabelRedundant
	case r.InGap:
		r.Label = LabelFillsGap
	default:
		r.Label = LabelExtends
	}
	return r
}
