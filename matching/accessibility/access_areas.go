package accessibility

import (
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/internal/num"
)

// accessAcc accumulates the accessibility of an area over its cells'
// shares: demand, demand × accessibility, demand below half the
// reference, and the same by inhabitants (for areas without demand).
type accessAcc struct {
	pop             float64 // fractional inhabitants, rounded in area
	demand, demandA float64
	below           float64
	popA            float64
	supply          float64
	communesIn      int
}

func (x *accessAcc) add(o *accessAcc) {
	x.pop += o.pop
	x.demand += o.demand
	x.demandA += o.demandA
	x.below += o.below
	x.popA += o.popA
	x.communesIn++
}

// area turns the sums into an AccessArea; accessibility is the
// demand-weighted mean, or the inhabitant-weighted one when the area has
// no demand (communes without fragility index under DemandDifficulty).
func (x *accessAcc) area(level, code, name string, refPer10k float64) AccessArea {
	r := AccessArea{Level: level, Code: code, Name: name, Population: num.RoundPop(x.pop), Demand: x.demand,
		Supply: x.supply, DemandBelowHalf: x.below}
	switch {
	case x.demand > 0:
		r.AccessPer10k = x.demandA / x.demand * 1e4
		r.ShareBelowHalf = x.below / x.demand
	case x.pop > 0:
		r.AccessPer10k = x.popA / x.pop * 1e4
	}
	if refPer10k > 0 {
		r.RatioToReference = r.AccessPer10k / refPer10k
	}
	return r
}

// aggregateAccess fills the communes and areas of a from its cell
// accessibility.
func aggregateAccess(e *matching.Engine, a *Access, sup *accessSupply) {
	t, g, ix := e.Territory(), e.Grid(), e.Coverage().Index()
	half := a.ReferencePer10k / 2 / 1e4
	difficulty := a.Demand == coverage.DemandDifficulty
	comm := make([]accessAcc, len(t.Communes))
	for ci := range comm {
		c := &comm[ci]
		f := 1.0
		if difficulty {
			f = 0
			if s, ok := e.Coverage().DifficultyShare(ci); ok {
				f = s
			}
		}
		if ci+1 >= len(g.ShareStart) {
			continue
		}
		for _, s := range g.Shares[g.ShareStart[ci]:g.ShareStart[ci+1]] {
			acc := a.cell[s.Cell]
			p := s.Population
			d := p * f
			c.pop += p
			c.demand += d
			c.demandA += d * acc
			c.popA += p * acc
			if acc < half {
				c.below += d
			}
		}
	}
	nat := accessAcc{}
	deps := make([]accessAcc, len(t.Departements))
	regs := make([]accessAcc, len(t.Regions))
	epcis := make([]accessAcc, len(t.EPCIs))
	a.Communes = make([]CommuneAccess, len(t.Communes))
	for ci := range comm {
		c := &comm[ci]
		tc := &t.Communes[ci]
		nat.add(c)
		if d := ix.CommuneDep[ci]; d >= 0 {
			deps[d].add(c)
		}
		if r := ix.CommuneReg[ci]; r >= 0 {
			regs[r].add(c)
		}
		if p := ix.CommuneEPCI[ci]; p >= 0 {
			epcis[p].add(c)
		}
		a.Communes[ci] = CommuneAccess{AccessArea: c.area(coverage.LevelCommune, tc.Code, tc.Name, a.ReferencePer10k),
			Departement: tc.Departement, EPCI: tc.EPCI, Located: tc.HasShape()}
	}
	for j, code := range sup.deps {
		nat.supply += sup.capacity[j]
		if d, ok := ix.DepByCode[code]; ok {
			deps[d].supply += sup.capacity[j]
			if r, ok := ix.RegByCode[t.Departements[d].Region]; ok {
				regs[r].supply += sup.capacity[j]
			}
		}
	}
	a.National = nat.area(coverage.LevelNational, "FR", "France", a.ReferencePer10k)
	a.Departements = make([]AccessArea, 0, len(deps))
	for d, dep := range t.Departements {
		if deps[d].communesIn > 0 {
			a.Departements = append(a.Departements, deps[d].area(coverage.LevelDepartement, dep.Code, dep.Name, a.ReferencePer10k))
		}
	}
	a.Regions = make([]AccessArea, 0, len(regs))
	for r, reg := range t.Regions {
		if regs[r].communesIn > 0 {
			a.Regions = append(a.Regions, regs[r].area(coverage.LevelRegion, reg.Code, reg.Name, a.ReferencePer10k))
		}
	}
	a.EPCIs = make([]AccessArea, 0, len(epcis))
	for p, ep := range t.EPCIs {
		if epcis[p].communesIn > 0 {
			a.EPCIs = append(a.EPCIs, epcis[p].area(coverage.LevelEPCI, ep.Code, ep.Name, a.ReferencePer10k))
		}
	}
}
