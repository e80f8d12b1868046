package accessibility

import (
	"cmp"
	"slices"

	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/alloc"
)

// allocationMethod names the solver steps of objective.
func allocationMethod(objective alloc.Objective) string {
	if objective == alloc.Coverage {
		return "lazy greedy (CELF) on the demand served at the reference, monotone DR-submodular: " +
			"at least (1 - 1/e) of the optimum without caps, and at most served_at_reference_upper_bound below it"
	}
	return "département split maximising the lowest modelled accessibility (greedy, exact), " +
		"then posts placed on points by lazy greedy on the demand served at the reference"
}

// allocationReport measures the allocation: the accessibility after is the
// exact 2SFCA of the supply plus the new posts (alloc's cell access),
// aggregated as Access's.
func allocationReport(e *matching.Engine, q AllocationQuery, before *Access, p *alloc.Problem, res *alloc.Result, hp *hostPoints, sup *accessSupply) *Allocation {
	refPer10k := p.Reference * 1e4
	out := &Allocation{Posts: q.Posts, Supply: before.Supply, Demand: before.Demand, Reach: before.Reach,
		Objective: string(q.Objective), CandidatePoints: len(hp.points), Method: allocationMethod(q.Objective),
		ReferenceBeforePer10k: before.ReferencePer10k, ReferencePer10k: refPer10k,
		ServedBefore: res.ValueBefore, ServedAfter: res.Value, ServedUpperBound: res.UpperBound,
		BoundScope: "every allocation within the floors and caps"}
	if q.Objective == alloc.Equity {
		out.BoundScope = "every placement of the same département split"
	}
	demand := p.CellDemand
	out.ReachingReferenceBefore = reaching(demand, before.cell, p.Reference)
	out.ReachingReferenceAfter = reaching(demand, res.CellAccess, p.Reference)

	// The supply after: the points in place and the new posts at theirs.
	after := &Access{Supply: before.Supply, SupplyKind: before.SupplyKind, Demand: before.Demand, Reach: before.Reach,
		SupplyTotal: before.SupplyTotal + float64(q.Posts), DemandTotal: before.DemandTotal, ReferencePer10k: refPer10k, cell: res.CellAccess}
	supAfter := &accessSupply{capacity: slices.Clone(sup.capacity), deps: slices.Clone(sup.deps)}
	for i, n := range res.PointPosts {
		if n == 0 {
			continue
		}
		pt := hp.points[i]
		pt.AllocatedPosts = n
		for _, c := range hp.cells[hp.start[i]:hp.start[i+1]] {
			pt.CatchmentDemand += demand[c]
		}
		out.Points = append(out.Points, pt)
		supAfter.capacity = append(supAfter.capacity, float64(n))
		supAfter.deps = append(supAfter.deps, pt.Departement)
	}
	slices.SortStableFunc(out.Points, func(a, b AllocatedPoint) int {
		return cmp.Or(cmp.Compare(a.Departement, b.Departement), cmp.Compare(b.AllocatedPosts, a.AllocatedPosts))
	})
	aggregateAccess(e, after, supAfter)
	out.AccessBeforePer10k, out.AccessAfterPer10k = before.National.AccessPer10k, after.National.AccessPer10k
	out.LargestShortfallBeforePer10k = largestShortfall(before.Departements, refPer10k)
	out.LargestShortfallAfterPer10k = largestShortfall(after.Departements, refPer10k)

	afterByCode := make(map[string]AccessArea, len(after.Departements))
	for _, a := range after.Departements {
		afterByCode[a.Code] = a
	}
	for d, dep := range e.Territory().Departements {
		b, ok := findArea(before.Departements, dep.Code)
		if !ok {
			continue
		}
		g := p.Groups[d]
		ad := AllocationDepartement{Code: dep.Code, Name: dep.Name, Demand: b.Demand, Floor: g.Floor,
			PostsBefore: b.Supply, AllocatedPosts: res.GroupPosts[d], AccessBeforePer10k: b.AccessPer10k,
			AccessAfterPer10k: afterByCode[dep.Code].AccessPer10k}
		if g.Cap != alloc.NoCap {
			ad.Cap = &g.Cap
		}
		ad.PostsAfter = ad.PostsBefore + float64(ad.AllocatedPosts)
		if before.National.Demand > 0 {
			ad.NeedSharePostsBefore = before.SupplyTotal * b.Demand / before.National.Demand
		}
		ad.OverServedPostsBefore = ad.PostsBefore - ad.NeedSharePostsBefore
		out.Departements = append(out.Departements, ad)
	}
	return out
}

// findArea returns the area of code in areas.
func findArea(areas []AccessArea, code string) (AccessArea, bool) {
	for _, a := range areas {
		if a.Code == code {
			return a, true
		}
	}
	return AccessArea{}, false
}
