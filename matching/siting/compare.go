package siting

import (
	"context"
	"fmt"

	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/internal/num"
	"github.com/maillage/maillage/matching/internal/stop"
)

// CompareQuery asks how coverage changed from one network to another, e.g.
// from the France Services of 2020 to those of 2024, at one reach.
type CompareQuery struct {
	From []string // layers of the earlier network (union); required
	To   []string // layers of the later network (union); empty means [DefaultLayer]
	// Reach is the threshold; nil means DefaultReach (30 minutes).
	Reach *coverage.Reach
	// Departement or Region (codes, at most one) restrict the comparison;
	// both empty means all of France.
	Departement string
	Region      string
}

// Changes of a commune's coverage (CommuneComparison.Change).
const (
	ChangeGained = "gained" // some inhabitants came within reach, none left it
	ChangeLost   = "lost"   // some inhabitants fell out of reach, none came within it
	ChangeMixed  = "mixed"  // both: a site moved
)

// CoverageComparison is the answer of CompareCoverage: the covered
// population before (From) and after (To) for the scope and each of its
// départements, and every commune whose covered population changed.
//
// A cell is gained when it is within reach of To and not of From, lost the
// other way round; in every area CoveredAfter − CoveredBefore =
// GainedPopulation − LostPopulation.
type CoverageComparison struct {
	From         []string            `json:"from"`
	To           []string            `json:"to"`
	Reach        coverage.Reach      `json:"reach"`
	Scope        coverage.Scope      `json:"scope"`
	Summary      AreaComparison      `json:"summary"`
	Departements []AreaComparison    `json:"departements"` // départements with communes in scope, by code
	Communes     []CommuneComparison `json:"communes"`     // communes that gained or lost covered inhabitants, by code
}

// AreaComparison is the change of coverage of an area.
type AreaComparison struct {
	Level                       string   `json:"level"`
	Code                        string   `json:"code"`
	Name                        string   `json:"nom"`
	Population                  int      `json:"population"`
	PopulationUnlocated         int      `json:"population_unlocated"`
	SitesBefore                 int      `json:"sites_before"` // service points of From located in the area
	SitesAfter                  int      `json:"sites_after"`
	CoveredBefore               int      `json:"covered_population_before"`
	CoveredAfter                int      `json:"covered_population_after"`
	CoveredShareBefore          *float64 `json:"covered_share_before"` // of the located population, 0–1; nil (null) when none is located
	CoveredShareAfter           *float64 `json:"covered_share_after"`
	NoDataReason                string   `json:"no_data_reason,omitempty"` // why the shares are nil (AreaCoverage.NoDataReason)
	GainedPopulation            int      `json:"gained_population"`        // inhabitants of cells gained
	LostPopulation              int      `json:"lost_population"`          // inhabitants of cells lost
	UncoveredInDifficultyBefore float64  `json:"uncovered_population_in_difficulty_before"`
	UncoveredInDifficultyAfter  float64  `json:"uncovered_population_in_difficulty_after"`
	CommunesGained              int      `json:"communes_gained"` // communes whose change is ChangeGained
	CommunesLost                int      `json:"communes_lost"`
	CommunesMixed               int      `json:"communes_mixed"`
}

// CommuneComparison is the change of coverage of one commune.
type CommuneComparison struct {
	Code                   string  `json:"code"`
	Name                   string  `json:"nom"`
	Departement            string  `json:"departement"`
	Population             int     `json:"population"`
	Change                 string  `json:"change"` // ChangeGained, ChangeLost or ChangeMixed
	CoveredBefore          int     `json:"covered_population_before"`
	CoveredAfter           int     `json:"covered_population_after"`
	CoveredShareBefore     float64 `json:"covered_share_before"`
	CoveredShareAfter      float64 `json:"covered_share_after"`
	GainedPopulation       int     `json:"gained_population"`
	LostPopulation         int     `json:"lost_population"`
	NearestSiteBefore      string  `json:"nearest_site_before,omitempty"` // from its representative point
	NearestSiteAfter       string  `json:"nearest_site_after,omitempty"`
	NearestDistanceBeforeM float64 `json:"nearest_distance_before_m"`
	NearestDistanceAfterM  float64 `json:"nearest_distance_after_m"`
	PopulationInDifficulty float64 `json:"population_in_difficulty"`
	ZRR                    string  `json:"zrr"`

	id int32 // index in Territory.Communes
}

// ID returns the index of the commune in Territory.Communes.
func (c *CommuneComparison) ID() int { return int(c.id) }

// CompareCoverage measures the coverage of q.From and of q.To at the same
// reach over the same scope, and what changed, cell by cell. The nearest
// site distances of both networks come from the engine's caches. It stops
// when ctx is done.
func CompareCoverage(ctx context.Context, e *matching.Engine, q CompareQuery) (*CoverageComparison, error) {
	if len(q.From) == 0 {
		return nil, fmt.Errorf("%w: no layer to compare from", coverage.ErrUnknownLayer)
	}
	before, err := coverage.Compute(e.Coverage(), coverage.Query{Layers: q.From, Reach: q.Reach, Departement: q.Departement, Region: q.Region, NoGaps: true})
	if err != nil {
		return nil, err
	}
	if err := stop.Err(ctx, "comparison"); err != nil {
		return nil, err
	}
	after, err := coverage.Compute(e.Coverage(), coverage.Query{Layers: q.To, Reach: q.Reach, Departement: q.Departement, Region: q.Region, NoGaps: true})
	if err != nil {
		return nil, err
	}
	out := &CoverageComparison{From: before.Layers, To: after.Layers, Reach: before.Reach, Scope: before.Scope,
		Communes: []CommuneComparison{}}
	g, ix := e.Grid(), before.Index()
	deps := make([]AreaComparison, len(e.Territory().Departements))
	nat := areaChange(before.Summary, after.Summary)
	for i := range before.Departements {
		d := areaChange(before.Departements[i], after.Departements[i])
		deps[ix.DepByCode[d.Code]] = d
	}
	// Gains and losses are summed in fractional inhabitants and rounded
	// once per area (as its covered populations are).
	var natGained, natLost float64
	depGained, depLost := make([]float64, len(deps)), make([]float64, len(deps))
	for k := range before.Communes {
		if err := stop.At(ctx, k+1, "comparison"); err != nil {
			return nil, err
		}
		b, a := &before.Communes[k], &after.Communes[k]
		var gainedF, lostF float64
		for _, s := range g.Shares[g.ShareStart[b.ID()]:g.ShareStart[b.ID()+1]] {
			if s.Population <= 0 {
				continue
			}
			cb, ca := before.Covered(before.Nearest().CellDistM[s.Cell]), after.Covered(after.Nearest().CellDistM[s.Cell])
			switch {
			case ca && !cb:
				gainedF += s.Population
			case cb && !ca:
				lostF += s.Population
			}
		}
		gained, lost := num.RoundPop(gainedF), num.RoundPop(lostF)
		dep := ix.CommuneDep[b.ID()]
		both := func(f func(ar *AreaComparison)) {
			f(&nat)
			if dep >= 0 {
				f(&deps[dep])
			}
		}
		natGained += gainedF
		natLost += lostF
		if dep >= 0 {
			depGained[dep] += gainedF
			depLost[dep] += lostF
		}
		if gained == 0 && lost == 0 {
			continue
		}
		c := CommuneComparison{Code: b.Code, Name: b.Name, Departement: b.Departement, Population: b.Population,
			CoveredBefore: b.CoveredPopulation, CoveredAfter: a.CoveredPopulation,
			CoveredShareBefore: coverage.Value(b.CoveredShare), CoveredShareAfter: coverage.Value(a.CoveredShare),
			GainedPopulation: gained, LostPopulation: lost,
			NearestSiteBefore: b.NearestSiteID, NearestSiteAfter: a.NearestSiteID,
			NearestDistanceBeforeM: b.NearestDistanceM, NearestDistanceAfterM: a.NearestDistanceM,
			PopulationInDifficulty: b.PopulationInDifficulty, ZRR: b.ZRR, id: int32(b.ID())}
		switch {
		case lost == 0:
			c.Change = ChangeGained
			both(func(ar *AreaComparison) { ar.CommunesGained++ })
		case gained == 0:
			c.Change = ChangeLost
			both(func(ar *AreaComparison) { ar.CommunesLost++ })
		default:
			c.Change = ChangeMixed
			both(func(ar *AreaComparison) { ar.CommunesMixed++ })
		}
		out.Communes = append(out.Communes, c)
	}
	nat.GainedPopulation, nat.LostPopulation = num.RoundPop(natGained), num.RoundPop(natLost)
	for d := range deps {
		deps[d].GainedPopulation, deps[d].LostPopulation = num.RoundPop(depGained[d]), num.RoundPop(depLost[d])
	}
	countSites(e, before.Layers, deps, &nat, before, func(a *AreaComparison) *int { return &a.SitesBefore })
	countSites(e, after.Layers, deps, &nat, before, func(a *AreaComparison) *int { return &a.SitesAfter })
	out.Summary = nat
	for i := range before.Departements {
		out.Departements = append(out.Departements, deps[ix.DepByCode[before.Departements[i].Code]])
	}
	if out.Departements == nil {
		out.Departements = []AreaComparison{}
	}
	return out, nil
}

// areaChange pairs the coverage of one area before and after.
func areaChange(b, a coverage.AreaCoverage) AreaComparison {
	return AreaComparison{Level: b.Level, Code: b.Code, Name: b.Name, Population: b.Population,
		PopulationUnlocated: b.PopulationUnlocated, CoveredBefore: b.CoveredPopulation, CoveredAfter: a.CoveredPopulation,
		CoveredShareBefore: b.CoveredShare, CoveredShareAfter: a.CoveredShare, NoDataReason: b.NoDataReason,
		UncoveredInDifficultyBefore: b.UncoveredPopulationInDifficulty, UncoveredInDifficultyAfter: a.UncoveredPopulationInDifficulty}
}

// countSites adds the sites of layers (each layer once, of all) located in
// the départements of cv's scope (any site for the national scope) to the
// areas: field picks the counter.
func countSites(e *matching.Engine, layers []string, deps []AreaComparison, nat *AreaComparison, cv *coverage.Coverage, field func(*AreaComparison) *int) {
	member := cv.ScopeDepartements()
	for _, name := range layers {
		sites := e.Layer(name).Sites
		for i := range sites {
			d, ok := cv.Index().DepByCode[sites[i].Departement]
			if member != nil && (!ok || !member[d]) {
				continue
			}
			*field(nat)++
			if ok {
				*field(&deps[d])++
			}
		}
	}
}
