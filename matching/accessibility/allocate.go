package accessibility

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/alloc"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/fca"
	"github.com/maillage/maillage/matching/pairing"
	"github.com/maillage/maillage/matching/registry"
)

// Where the next posts go: package alloc over the 2SFCA of access.go. The
// posts already in place are the supply of an access query; the new posts
// go to candidate host points (the supply's own points, the France
// Services, the main towns of the communes, or a list given with the
// query), first split across départements then placed on points, and the
// accessibility after is the exact 2SFCA of the supply plus the new posts
// (with binary weights, a post added at a point changes that point's ratio
// only, alloc's model).

// Host kinds: where new posts may go.
const (
	// HostsStructures are the points of the supply itself: the host
	// structures of a structures dataset, or the sites of a layer.
	HostsStructures = "structures"
	// HostsFranceServices are the sites of the France Services layer.
	HostsFranceServices = matching.DefaultLayer
	// HostsCommunes are the main towns (representative points) of the
	// communes of at least MainTownMinPopulation inhabitants.
	HostsCommunes = "communes"
	// HostsGiven are the points of AllocationQuery.Candidates.
	HostsGiven = "uploaded"
)

// MainTownMinPopulation is the population from which a commune's main
// town is a candidate host: INSEE's threshold of an urban commune, 2,000
// inhabitants. Smaller communes are reached through the structures and
// France Services near them; listing all 35,000 main towns would hold some
// 70 million cell–point pairs.
const MainTownMinPopulation = 2000

// AllocationQuery asks where Posts new posts should go.
type AllocationQuery struct {
	Posts     int
	Supply    string // as AccessQuery.Supply: the posts in place
	Demand    string // as AccessQuery.Demand
	Reach     *coverage.Reach
	Objective alloc.Objective // "" is alloc.Equity
	// Hosts are the candidate kinds (HostsStructures, HostsFranceServices,
	// HostsCommunes, HostsGiven); nil is structures and France Services.
	Hosts []string
	// Candidates are the points of HostsGiven (added to Hosts when set):
	// Name, Point and Departement are read.
	Candidates []pairing.Structure
	// Floors and Caps bound the posts given to a département, by code.
	Floors, Caps map[string]int
}

// Allocation is where the new posts go and what they change.
type Allocation struct {
	Posts           int            `json:"posts"`
	Supply          string         `json:"supply"`
	Demand          string         `json:"demand"`
	Reach           coverage.Reach `json:"reach"`
	Objective       string         `json:"objective"`
	Hosts           []string       `json:"hosts"`
	CandidatePoints int            `json:"candidate_points"`
	// Method names the solver steps.
	Method string `json:"method"`
	// ReferenceBeforePer10k is the national ratio of the supply in place;
	// ReferencePer10k the ratio once the new posts are added, the target of
	// both objectives.
	ReferenceBeforePer10k float64 `json:"reference_before_per_10k"`
	ReferencePer10k       float64 `json:"reference_per_10k"`
	// ReachingReferenceBefore/After are the people (demand) in cells whose
	// accessibility reaches ReferencePer10k.
	ReachingReferenceBefore float64 `json:"reaching_reference_before"`
	ReachingReferenceAfter  float64 `json:"reaching_reference_after"`
	// ServedBefore/After are alloc's objective f: the demand served at the
	// reference, a cell below it counting in proportion; ServedUpperBound
	// bounds f of every allocation (BoundScope says which).
	ServedBefore     float64 `json:"served_at_reference_before"`
	ServedAfter      float64 `json:"served_at_reference_after"`
	ServedUpperBound float64 `json:"served_at_reference_upper_bound"`
	BoundScope       string  `json:"bound_scope"`
	// LargestShortfallBefore/AfterPer10k are the largest gap of a
	// département's accessibility below ReferencePer10k (0 when none is
	// below).
	LargestShortfallBeforePer10k float64 `json:"largest_shortfall_before_per_10k"`
	LargestShortfallAfterPer10k  float64 `json:"largest_shortfall_after_per_10k"`
	AccessBeforePer10k           float64 `json:"access_before_per_10k"` // national
	AccessAfterPer10k            float64 `json:"access_after_per_10k"`

	Departements []AllocationDepartement `json:"departements"`
	Points       []AllocatedPoint        `json:"points"` // points given posts, by département then most posts
	Timings      []matching.Timing       `json:"timings"`
}

// AllocationDepartement is the allocation of one département.
type AllocationDepartement struct {
	Code   string  `json:"code"`
	Name   string  `json:"nom"`
	Demand float64 `json:"demand"` // people in difficulty (or inhabitants) on the grid
	Floor  int     `json:"floor"`
	Cap    *int    `json:"cap"` // nil: none
	// PostsBefore are the posts in place located in the département (the
	// 2021 committees' distribution for the 2021 structures).
	PostsBefore    float64 `json:"posts_before"`
	AllocatedPosts int     `json:"allocated_posts"`
	PostsAfter     float64 `json:"posts_after"`
	// AccessBefore/AfterPer10k are the 2SFCA accessibility (posts within
	// reach per 10,000 of demand) before and after.
	AccessBeforePer10k float64 `json:"access_before_per_10k"`
	AccessAfterPer10k  float64 `json:"access_after_per_10k"`
	// NeedSharePostsBefore is the share of the posts in place the
	// département would hold if they had been split by need (its share of
	// the national demand); OverServedPostsBefore is PostsBefore less it:
	// positive when the distribution in place gave it more than its need
	// share, negative when less.
	NeedSharePostsBefore  float64 `json:"need_share_posts_before"`
	OverServedPostsBefore float64 `json:"over_served_posts_before"`
}

// AllocatedPoint is a host point given posts.
type AllocatedPoint struct {
	Kind           string    `json:"kind"` // a host kind
	ID             string    `json:"id,omitempty"`
	Name           string    `json:"name"`
	Departement    string    `json:"departement"`
	Point          orb.Point `json:"-"`
	AllocatedPosts int       `json:"allocated_posts"`
	// CatchmentDemand is the demand within reach of the point: each of its
	// posts adds 1 / CatchmentDemand to the accessibility of every cell
	// there.
	CatchmentDemand float64 `json:"catchment_demand"`
}

// hostPoints are the candidate points of an allocation.
type hostPoints struct {
	points []AllocatedPoint
	start  []int32 // catchment columns, as alloc.Problem
	cells  []int32
}

// AllocateWithUploads is Allocate with the uploaded structures datasets of
// the registry as supply too, as ComputeWithUploads.
func AllocateWithUploads(ctx context.Context, r *registry.Registry, q AllocationQuery) (*Allocation, error) {
	e := r.Engine()
	sup, err := supply(r, e, AccessQuery{Supply: q.Supply}.supplyName())
	if err != nil {
		return nil, err
	}
	return allocateOf(ctx, e, q, sup)
}

// Allocate places q.Posts new posts (see AllocationQuery) and reports the
// accessibility before and after by département.
func Allocate(ctx context.Context, e *matching.Engine, q AllocationQuery) (*Allocation, error) {
	name := AccessQuery{Supply: q.Supply}.supplyName()
	sup := resolveSupply(e, name)
	if sup == nil {
		return nil, unknownSupply(e, name)
	}
	return allocateOf(ctx, e, q, sup)
}

// allocateOf is Allocate of a resolved supply.
func allocateOf(ctx context.Context, e *matching.Engine, q AllocationQuery, sup *accessSupply) (*Allocation, error) {
	if q.Objective == "" {
		q.Objective = alloc.Equity
	}
	hosts, err := q.hostKinds()
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	var timings []matching.Timing
	step := func(name string) {
		timings = append(timings, matching.Timing{Step: name, DurationMS: float64(time.Since(t0).Microseconds()) / 1000})
		t0 = time.Now()
	}
	before, err := accessOf(e, AccessQuery{Supply: sup.name, Demand: q.Demand, Reach: q.Reach}, sup)
	if err != nil {
		return nil, err
	}
	step("access_before")
	demand, err := coverage.CellDemand(e.Coverage(), before.Demand)
	if err != nil {
		return nil, err
	}
	hp, err := hostCatchments(e, hosts, q.Candidates, sup, before.Reach.MaxM)
	if err != nil {
		return nil, err
	}
	step("catchments")
	p, err := allocationProblem(e, q, before, demand, hp)
	if err != nil {
		return nil, err
	}
	res, err := alloc.Solve(ctx, p)
	if err != nil {
		return nil, err
	}
	step("solve")
	out := allocationReport(e, q, before, p, res, hp, sup)
	out.Hosts = hosts
	step("access_after")
	out.Timings = append(before.Timings, timings...)
	return out, nil
}

// hostKinds checks q.Hosts and returns them with the defaults.
func (q AllocationQuery) hostKinds() ([]string, error) {
	hosts := slices.Clone(q.Hosts)
	if len(hosts) == 0 {
		hosts = []string{HostsStructures, HostsFranceServices}
	}
	if len(q.Candidates) > 0 && !slices.Contains(hosts, HostsGiven) {
		hosts = append(hosts, HostsGiven)
	}
	for _, h := range hosts {
		switch h {
		case HostsStructures, HostsFranceServices, HostsCommunes:
		case HostsGiven:
			if len(q.Candidates) == 0 {
				return nil, fmt.Errorf("%w: hosts %q without candidate points", alloc.ErrInput, HostsGiven)
			}
		default:
			return nil, fmt.Errorf("%w: hosts %q (want %s)", alloc.ErrInput, h, strings.Join([]string{HostsStructures, HostsFranceServices, HostsCommunes, HostsGiven}, ", "))
		}
	}
	slices.Sort(hosts)
	return slices.Compact(hosts), nil
}

// hostCatchments lists the candidate points of the host kinds with the
// cells within radiusM of each. Tables of the supply and of the France
// Services layer come from the access cache (shared with Access).
func hostCatchments(e *matching.Engine, hosts []string, given []pairing.Structure, sup *accessSupply, radiusM float64) (*hostPoints, error) {
	hp := &hostPoints{start: []int32{0}}
	add := func(key string, pts []AllocatedPoint) error {
		if len(pts) == 0 {
			return nil
		}
		coords := make([]orb.Point, len(pts))
		for i := range pts {
			coords[i] = pts[i].Point
		}
		var table *fca.Table
		var err error
		if key != "" {
			table, _, err = e.AccessTable(key, coords, radiusM)
		} else {
			table, err = matching.CellPairs(e.Grid(), coords, radiusM, e.Workers())
		}
		if err != nil {
			return err
		}
		hp.points = append(hp.points, pts...)
		hp.appendTransposed(table, len(pts), radiusM)
		return nil
	}
	for _, h := range hosts {
		var err error
		switch h {
		case HostsStructures:
			pts := make([]AllocatedPoint, len(sup.points))
			for i, p := range sup.points {
				pts[i] = AllocatedPoint{Kind: h, ID: sup.ids[i], Name: sup.names[i], Departement: sup.deps[i], Point: p}
			}
			err = add(sup.key, pts)
		case HostsFranceServices:
			var pts []AllocatedPoint
			if l := e.Layer(matching.DefaultLayer); l != nil {
				for i := range l.Sites {
					s := &l.Sites[i]
					pts = append(pts, AllocatedPoint{Kind: h, ID: s.ID, Name: s.Name, Departement: s.Departement, Point: s.Point})
				}
			}
			err = add(matching.AccessLayerKey(matching.DefaultLayer), pts)
		case HostsCommunes:
			var pts []AllocatedPoint
			for i := range e.Territory().Communes {
				c := &e.Territory().Communes[i]
				if c.Population >= MainTownMinPopulation && c.HasShape() {
					pts = append(pts, AllocatedPoint{Kind: h, ID: c.Code, Name: c.Name, Departement: c.Departement, Point: c.Rep})
				}
			}
			err = add("alloc:communes", pts)
		case HostsGiven:
			pts := make([]AllocatedPoint, len(given))
			for i, s := range given {
				pts[i] = AllocatedPoint{Kind: h, ID: s.ID, Name: s.Name, Departement: s.Departement, Point: s.Point}
			}
			err = add("", pts)
		}
		if err != nil {
			return nil, err
		}
	}
	return hp, nil
}

// appendTransposed appends the catchments of the n points of a cell-major
// table (pairs within radiusM only) as point-major columns.
func (hp *hostPoints) appendTransposed(t *fca.Table, n int, radiusM float64) {
	start, supply, dist := t.Columns()
	count := make([]int32, n+1)
	r := float32(radiusM)
	for k, s := range supply {
		if dist[k] <= r {
			count[s+1]++
		}
	}
	for i := range n {
		count[i+1] += count[i]
	}
	base := int32(len(hp.cells))
	hp.cells = slices.Grow(hp.cells, int(count[n]))[:int(base+count[n])]
	fill := slices.Clone(count[:n])
	for c := 0; c+1 < len(start); c++ {
		for k := start[c]; k < start[c+1]; k++ {
			if s := supply[k]; dist[k] <= r {
				hp.cells[base+fill[s]] = int32(c)
				fill[s]++
			}
		}
	}
	for i := range n {
		hp.start = append(hp.start, base+count[i+1])
	}
}

// allocationProblem builds alloc's problem: départements as groups with
// their floors and caps (unknown codes refused), the reference after. A
// host without a declared département takes the one of the commune holding
// it; one outside every département is refused.
func allocationProblem(e *matching.Engine, q AllocationQuery, before *Access, demand []float64, hp *hostPoints) (*alloc.Problem, error) {
	t := e.Territory()
	depIndex := make(map[string]int, len(t.Departements))
	groups := make([]alloc.Group, len(t.Departements))
	for d, dep := range t.Departements {
		depIndex[dep.Code] = d
		groups[d] = alloc.Group{Name: dep.Code, Cap: alloc.NoCap}
	}
	for _, a := range before.Departements {
		if d, ok := depIndex[a.Code]; ok {
			groups[d].Demand, groups[d].Access = a.Demand, a.AccessPer10k/1e4
		}
	}
	for _, b := range []struct {
		what string
		m    map[string]int
		set  func(g *alloc.Group, v int)
	}{
		{"floor", q.Floors, func(g *alloc.Group, v int) { g.Floor = v }},
		{"cap", q.Caps, func(g *alloc.Group, v int) { g.Cap = v }},
	} {
		for code, v := range b.m {
			d, ok := depIndex[code]
			if !ok {
				return nil, fmt.Errorf("%w: %s for département %q: no such département", alloc.ErrInput, b.what, code)
			}
			if v < 0 {
				return nil, fmt.Errorf("%w: %s for département %s is %d (want ≥ 0)", alloc.ErrInput, b.what, code, v)
			}
			b.set(&groups[d], v)
		}
	}
	pg := make([]int32, len(hp.points))
	for i, pt := range hp.points {
		if pt.Departement == "" && e.Territory().Index != nil { // not declared: the commune holding the point
			if c, ok := e.Territory().At(pt.Point); ok {
				hp.points[i].Departement = c.Departement
			}
		}
		d, ok := depIndex[hp.points[i].Departement]
		if !ok {
			return nil, fmt.Errorf("%w: candidate host %q (%s %s) has département %q, not one of the territory's", alloc.ErrInput, pt.Name, pt.Kind, pt.ID, pt.Departement)
		}
		pg[i] = int32(d)
	}
	demandTotal := before.DemandTotal
	if demandTotal <= 0 {
		return nil, fmt.Errorf("%w: no demand on the grid", alloc.ErrInput)
	}
	return &alloc.Problem{Posts: q.Posts, Objective: q.Objective, Reference: (before.SupplyTotal + float64(q.Posts)) / demandTotal,
		Groups: groups, CellDemand: demand, CellAccess: before.cell, PointGroup: pg, CatchStart: hp.start, CatchCells: hp.cells}, nil
}

// reaching is the demand of the cells whose accessibility is at least ref.
func reaching(demand, access []float64, ref float64) float64 {
	var s float64
	for i, d := range demand {
		if access[i] >= ref*(1-1e-12) {
			s += d
		}
	}
	return s
}

// largestShortfall is the largest gap below refPer10k of the areas with
// demand.
func largestShortfall(areas []AccessArea, refPer10k float64) float64 {
	var m float64
	for _, a := range areas {
		if a.Demand > 0 {
			m = math.Max(m, refPer10k-a.AccessPer10k)
		}
	}
	return m
}
