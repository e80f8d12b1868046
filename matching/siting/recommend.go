package siting

import (
	"context"
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/internal/num"
	"github.com/maillage/maillage/matching/mclp"
)

// Limits of a recommendation.
const (
	DefaultRecommendK = 10
	MaxRecommendK     = 1000
)

// Candidate sources of a recommendation.
const (
	CandidatesCommunes = "communes" // each commune's representative point (the main town, a town-hall proxy)
	CandidatesUploaded = "uploaded" // the query's list
)

// RecommendQuery asks where K new sites would newly cover the most demand.
type RecommendQuery struct {
	Layers []string        // existing network (empty: [DefaultLayer])
	Reach  *coverage.Reach // nil: DefaultReach
	// Departement or Region (codes, at most one) restrict the demand, and
	// the default candidates, to that area; both empty: all of France.
	Departement string
	Region      string
	K           int // sites to pick, 1 to MaxRecommendK; 0 means DefaultRecommendK
	// Candidates are the possible locations; nil means every commune of the
	// scope with a boundary, at its representative point. Uploaded
	// candidates may lie outside the scope: only the scope's demand counts.
	Candidates []people.Structure
	// Demand names how cells are valued: DemandPopulation (the default)
	// counts inhabitants. DemandWeights, when not nil, multiplies each grid
	// cell's population by a factor (len(Grid.Cells) finite values ≥ 0,
	// e.g. a digital fragility index); Demand then names that weighting.
	Demand        string
	DemandWeights []float64
}

// Recommendation is a maximal covering location answer: K sites picked by
// lazy greedy, the coverage each step reaches and how far the result can be
// from the optimum.
//
// Demand values (GainDemand, Curve.Demand, Bound) are in inhabitants for
// DemandPopulation, in weighted inhabitants otherwise; populations are
// always inhabitants. Covered figures are over the scope's population
// located on the grid.
type Recommendation struct {
	Layers          []string       `json:"layers"`
	Reach           coverage.Reach `json:"reach"`
	Scope           coverage.Scope `json:"scope"`
	Demand          string         `json:"demand"`
	K               int            `json:"k"`
	CandidateSource string         `json:"candidate_source"`
	Candidates      int            `json:"candidates"`
	// CandidatesWithGain is how many candidates would newly cover someone
	// on their own.
	CandidatesWithGain int `json:"candidates_with_gain"`

	Population         int     `json:"population"`
	PopulationLocated  int     `json:"population_located"`
	CoveredBefore      int     `json:"covered_population_before"`
	CoveredShareBefore float64 `json:"covered_share_before"`
	CoveredAfter       int     `json:"covered_population_after"`
	CoveredShareAfter  float64 `json:"covered_share_after"`
	OpenDemand         float64 `json:"open_demand"` // demand out of reach before the picks

	Picks []SitePick   `json:"picks"`
	Curve []CurvePoint `json:"curve"` // Curve[i] after the first i picks (Curve[0] is today)
	Bound OptimumBound `json:"bound"`
	// GainEvaluations counts marginal gain computations (a plain greedy
	// needs Candidates per pick).
	GainEvaluations int `json:"gain_evaluations"`
	// Exhausted says fewer than K sites were picked: the others add nothing.
	Exhausted bool `json:"exhausted"`
}

// SitePick is one recommended site.
type SitePick struct {
	Rank        int     `json:"rank"`
	ID          string  `json:"id"` // commune code for commune candidates
	Name        string  `json:"name"`
	Commune     string  `json:"commune"`
	Departement string  `json:"departement"`
	Lon         float64 `json:"lon"`
	Lat         float64 `json:"lat"`

	GainPopulation int     `json:"gain_population"` // marginal: given the network and the earlier picks
	GainDemand     float64 `json:"gain_demand"`
	NewCells       int     `json:"new_cells"`
	// CoveredPopulation and CoveredShare are the scope's coverage once this
	// site and the earlier ones are added.
	CoveredPopulation int           `json:"covered_population"`
	CoveredShare      float64       `json:"covered_share"`
	Communes          []CommuneGain `json:"communes"` // communes of the scope gaining, by population gained
}

// CurvePoint is the coverage after the first Sites picks.
type CurvePoint struct {
	Sites             int     `json:"sites"`
	CoveredPopulation int     `json:"covered_population"`
	CoveredShare      float64 `json:"covered_share"`
	Demand            float64 `json:"demand"` // demand newly covered by those picks
}

// OptimumBound bounds the best value any K candidates could reach.
//
// Greedy reaches at least 1 − 1/e ≈ 63 % of the optimum, so the optimum is
// at most Achieved / (1 − 1/e) (GreedyFactor). The online bound is usually
// far tighter: for every step i, the optimum is at most the value of the
// first i picks plus the K largest marginal gains at that step (Online,
// the smallest over the steps, reached at OnlineStep). Coverable is all the
// demand any candidate reaches. UpperBound is the smallest of the three;
// AchievedShare = Achieved / UpperBound says how close to the optimum the
// picks are at worst.
type OptimumBound struct {
	Achieved      float64 `json:"achieved"`
	UpperBound    float64 `json:"upper_bound"`
	AchievedShare float64 `json:"achieved_share"` // 1 when the upper bound is 0
	Gap           float64 `json:"gap"`            // UpperBound − Achieved
	Online        float64 `json:"online"`
	OnlineStep    int     `json:"online_step"`
	GreedyFactor  float64 `json:"greedy_factor"`
	Coverable     float64 `json:"coverable"`
}

// siteCandidate is a possible location.
type siteCandidate struct {
	id, name, commune, departement string
	pt                             orb.Point
}

// recommendSetup is a resolved recommendation query and its covering
// problem.
type recommendSetup struct {
	k      int
	demand string
	base   *sitingBase
	sc     *coverage.CellScope
	cands  []siteCandidate
	source string
	cover  *demandCover
}

// prepareRecommend checks q and builds its covering problem.
func prepareRecommend(ctx context.Context, e *matching.Engine, q RecommendQuery) (*recommendSetup, error) {
	su := &recommendSetup{k: q.K}
	if su.k == 0 {
		su.k = DefaultRecommendK
	}
	if su.k < 0 || su.k > MaxRecommendK {
		return nil, fmt.Errorf("%w: k = %d, want 1 to %d", ErrBadSiting, q.K, MaxRecommendK)
	}
	var err error
	if su.demand, err = checkDemand(q.Demand, q.DemandWeights, len(e.Grid().Cells)); err != nil {
		return nil, err
	}
	if q.Candidates != nil && len(q.Candidates) == 0 {
		return nil, fmt.Errorf("%w: an empty candidate list (nil means the communes)", ErrNoProposals)
	}
	if err := checkPoints(q.Candidates, "candidate"); err != nil {
		return nil, err
	}
	if su.base, err = resolveSiting(e, q.Layers, q.Reach); err != nil {
		return nil, err
	}
	if su.sc, err = su.base.ix.ResolveScope(q.Departement, q.Region); err != nil {
		return nil, err
	}
	su.cands, su.source = su.base.siteCandidates(su.sc, q.Candidates)
	d, err := su.base.openDemand(ctx, su.sc, q.DemandWeights)
	if err != nil {
		return nil, err
	}
	su.cover = &demandCover{g: e.Grid(), d: d, pts: make([]orb.Point, len(su.cands)), workers: e.Workers()}
	for i := range su.cands {
		su.cover.pts[i] = su.cands[i].pt
	}
	return su, nil
}

// Recommend picks up to q.K new sites among the candidates maximising the
// newly covered demand of the scope (maximal covering location, lazy
// greedy), with the coverage curve and an upper bound on the optimum. It
// stops when ctx is done, returning its error wrapped.
func Recommend(ctx context.Context, e *matching.Engine, q RecommendQuery) (*Recommendation, error) {
	su, err := prepareRecommend(ctx, e, q)
	if err != nil {
		return nil, err
	}
	b, sc, d, cands := su.base, su.sc, su.cover.d, su.cands
	run, err := mclp.Solve(ctx, su.cover.problem(), su.k)
	if err != nil {
		return nil, err
	}

	rec := &Recommendation{Layers: b.layers, Reach: b.reach, Demand: su.demand, K: su.k,
		Scope:           coverage.Scope{Level: sc.Level, Code: sc.Code, Name: sc.Name},
		CandidateSource: su.source, Candidates: len(cands), CandidatesWithGain: run.WithGain,
		GainEvaluations: run.Evaluations, Exhausted: run.Exhausted, Picks: []SitePick{}}
	rec.Population, rec.PopulationLocated, rec.CoveredBefore = b.scopePopulation(sc)
	rec.CoveredShareBefore = share(rec.CoveredBefore, rec.PopulationLocated)
	for _, w := range d.weight {
		rec.OpenDemand += w
	}
	rec.Curve = []CurvePoint{{CoveredPopulation: rec.CoveredBefore, CoveredShare: rec.CoveredShareBefore}}
	_, _, coveredF := b.scopePopulationF(sc)
	covered, curve := rec.CoveredBefore, run.Curve()
	tally := communeTally{pop: make([]float64, len(e.Territory().Communes))}
	keep := inScope(sc)
	for i, pk := range run.Picks {
		c := &cands[pk.Candidate]
		gain := d.popSum(pk.Elements)
		coveredF += gain
		pop := num.RoundPop(gain) // each figure rounded once
		covered = num.RoundPop(coveredF)
		tally.add(b.ix, d, pk.Elements, keep)
		rec.Picks = append(rec.Picks, SitePick{Rank: i + 1, ID: c.id, Name: c.name, Commune: c.commune,
			Departement: c.departement, Lon: c.pt[0], Lat: c.pt[1],
			GainPopulation: pop, GainDemand: pk.Gain, NewCells: len(pk.Elements),
			CoveredPopulation: covered, CoveredShare: share(covered, rec.PopulationLocated),
			Communes: tally.list(e)})
		rec.Curve = append(rec.Curve, CurvePoint{Sites: i + 1, CoveredPopulation: covered,
			CoveredShare: share(covered, rec.PopulationLocated), Demand: curve[i+1]})
	}
	rec.CoveredAfter, rec.CoveredShareAfter = covered, share(covered, rec.PopulationLocated)
	rec.Bound = OptimumBound(run.Bound())
	return rec, nil
}

// checkDemand validates the demand of a query over a grid of cells cells
// and returns its name.
func checkDemand(name string, weights []float64, cells int) (string, error) {
	if weights == nil {
		if name != "" && name != coverage.DemandPopulation {
			return "", fmt.Errorf("%w: unknown demand %q (want %q, or give weights)", ErrBadSiting, name, coverage.DemandPopulation)
		}
		return coverage.DemandPopulation, nil
	}
	if len(weights) != cells {
		return "", fmt.Errorf("%w: %d demand weights for %d grid cells", ErrBadSiting, len(weights), cells)
	}
	for i, w := range weights {
		if !(w >= 0) || math.IsInf(w, 0) {
			return "", fmt.Errorf("%w: demand weight %v of cell %d (want finite ≥ 0)", ErrBadSiting, w, i)
		}
	}
	if name == "" {
		name = "weighted"
	}
	return name, nil
}

// siteCandidates returns the uploaded candidates, or the representative
// points of the scope's communes with a boundary.
func (b *sitingBase) siteCandidates(sc *coverage.CellScope, uploaded []people.Structure) ([]siteCandidate, string) {
	if uploaded != nil {
		out := make([]siteCandidate, len(uploaded))
		for i := range uploaded {
			s := &uploaded[i]
			out[i] = siteCandidate{id: s.ID, name: s.Name, commune: s.Commune, departement: s.Departement, pt: s.Point}
		}
		return out, CandidatesUploaded
	}
	out := make([]siteCandidate, 0, len(sc.Communes))
	for _, ci := range sc.Communes {
		c := &b.e.Territory().Communes[ci]
		if c.HasShape() {
			out = append(out, siteCandidate{id: c.Code, name: c.Name, commune: c.Code, departement: c.Departement, pt: c.Rep})
		}
	}
	return out, CandidatesCommunes
}
