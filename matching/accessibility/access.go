package accessibility

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/fca"
	"github.com/maillage/maillage/matching/pairing"
	"github.com/maillage/maillage/matching/registry"
)

// Capacity against need: the two-step floating catchment (package fca)
// over the population grid. Demand points are the grid cells, weighted by
// their people in difficulty (DemandDifficulty, the default) or their
// inhabitants; supply points are the host structures of a structures
// dataset, weighted by their posts, or the sites of a layer, 1 each. Reach
// is the coverage threshold (a travel time under the travel model, or a
// distance), between cell centres and supply points as the crow flies.
//
// A cell's accessibility is the supply per unit of demand within its reach,
// reported per 10,000 people (access_per_10k: posts per 10,000 people in
// difficulty); an area's is the demand-weighted mean over its cells. The
// reference is the national ratio, all the supply over all the demand on
// the grid: with binary weights the demand-weighted mean over the nation
// equals it, less the idle supply that reaches no demand.

// Supply kinds of an access query.
const (
	SupplyPosts = "posts" // host structures weighted by their posts
	SupplySites = "sites" // sites of a layer, 1 each
)

// ErrUnknownSupply is returned for a supply that is neither a layer nor a
// structures dataset.
var ErrUnknownSupply = errors.New("unknown supply")

// AccessQuery asks for the accessibility of a supply against a demand.
type AccessQuery struct {
	// Supply is a layer name (sites, 1 each) or the id of a structures
	// dataset (posts): built-in for Compute, uploaded too for
	// ComputeWithUploads; "" is BuiltinStructuresDataset.
	Supply string
	Demand string          // DemandDifficulty (the default when "") or DemandPopulation
	Reach  *coverage.Reach // nil: DefaultReach
	Decay  fca.Decay       // zero: binary (the plain 2SFCA)
}

// Access is the accessibility of a supply against a demand.
type Access struct {
	Supply       string         `json:"supply"`
	SupplyKind   string         `json:"supply_kind"` // SupplyPosts or SupplySites
	Demand       string         `json:"demand"`
	Reach        coverage.Reach `json:"reach"`
	Decay        fca.Decay      `json:"decay"`
	SupplyPoints int            `json:"supply_points"`
	SupplyTotal  float64        `json:"supply_total"` // posts or sites
	// IdleSupply is the supply whose catchment holds no demand on the grid
	// (a post out of reach of every inhabited cell): it counts in the
	// reference but reaches no one.
	IdleSupply  float64 `json:"idle_supply"`
	DemandTotal float64 `json:"demand_total"` // people in difficulty (or inhabitants) on the grid
	// ReferencePer10k is the national ratio: SupplyTotal per 10,000 of
	// DemandTotal.
	ReferencePer10k float64 `json:"reference_per_10k"`
	// PairsListed is the number of cell–supply pairs of the cached table
	// (within its radius, at least the threshold); Cached says whether the
	// table was already built.
	PairsListed int  `json:"pairs_listed"`
	Cached      bool `json:"cached"`

	National     AccessArea      `json:"national"`
	Regions      []AccessArea    `json:"regions"`
	Departements []AccessArea    `json:"departements"`
	EPCIs        []AccessArea    `json:"epcis"`
	Communes     []CommuneAccess `json:"communes"` // aligned with Territory.Communes

	// Timings of the query: pairs (listing, when not cached), 2sfca,
	// aggregate.
	Timings []matching.Timing `json:"timings"`

	cell []float64 // A_i per grid cell (supply per unit of demand)
}

// AccessArea is the accessibility of an administrative area.
type AccessArea struct {
	Level      string  `json:"level"`
	Code       string  `json:"code"`
	Name       string  `json:"nom"`
	Population int     `json:"population"` // located on the grid
	Demand     float64 `json:"demand"`     // people in difficulty (or inhabitants) located
	// Supply is the supply located in the area (its structures' posts or
	// its sites, by the département they declare); 0 for EPCI and communes.
	Supply float64 `json:"supply"`
	// AccessPer10k is the demand-weighted mean accessibility of its cells:
	// supply within reach per 10,000 of demand.
	AccessPer10k float64 `json:"access_per_10k"`
	// RatioToReference is AccessPer10k over the national ratio (1: the
	// national level).
	RatioToReference float64 `json:"ratio_to_reference"`
	// DemandBelowHalf is the demand in cells whose accessibility is below
	// half the national ratio, ShareBelowHalf its share of Demand (0–1).
	DemandBelowHalf float64 `json:"demand_below_half_reference"`
	ShareBelowHalf  float64 `json:"share_below_half_reference"`
}

// CommuneAccess is the accessibility of one commune (demand-weighted over
// the cells holding its population; nothing when it has no boundary).
type CommuneAccess struct {
	AccessArea
	Departement string `json:"departement"`
	EPCI        string `json:"epci,omitempty"`
	Located     bool   `json:"located"`
}

// accessSupply is the resolved supply of a query.
type accessSupply struct {
	key, name, kind string
	points          []orb.Point
	capacity        []float64
	deps            []string // département of each point
	ids, names      []string // of each point
}

// resolveSupply finds the supply name: a layer first, else a built-in
// structures dataset; nil when it is neither.
func resolveSupply(e *matching.Engine, name string) *accessSupply {
	if l := e.Layer(name); l != nil {
		s := &accessSupply{key: matching.AccessLayerKey(name), name: name, kind: SupplySites}
		for i := range l.Sites {
			s.points = append(s.points, l.Sites[i].Point)
			s.capacity = append(s.capacity, 1)
			s.deps = append(s.deps, l.Sites[i].Departement)
			s.ids, s.names = append(s.ids, l.Sites[i].ID), append(s.names, l.Sites[i].Name)
		}
		return s
	}
	if ss, ok := e.Structures(name); ok {
		return structuresSupply(name, registry.StructuresFrom(ss))
	}
	return nil
}

// structuresSupply is the supply of a structures dataset: its posts.
func structuresSupply(id string, structs []pairing.Structure) *accessSupply {
	s := &accessSupply{key: id, name: id, kind: SupplyPosts}
	for _, st := range structs {
		s.points = append(s.points, st.Point)
		s.capacity = append(s.capacity, float64(max(st.Posts, 0)))
		s.deps = append(s.deps, st.Departement)
		s.ids, s.names = append(s.ids, st.ID), append(s.names, st.Name)
	}
	return s
}

// unknownSupply is the error of a supply that is neither a layer nor a
// structures dataset.
func unknownSupply(e *matching.Engine, name string) error {
	return fmt.Errorf("%w %q: not a layer (%s) nor a structures dataset", ErrUnknownSupply, name, strings.Join(e.LayerNames(), ", "))
}

// supplyName is the supply of q, BuiltinStructuresDataset when empty.
func (q AccessQuery) supplyName() string {
	if q.Supply == "" {
		return matching.BuiltinStructuresDataset
	}
	return q.Supply
}

// ComputeWithUploads is Compute with the uploaded structures datasets of the
// registry as supply too (a layer or a built-in dataset of the engine
// comes first).
func ComputeWithUploads(r *registry.Registry, q AccessQuery) (*Access, error) {
	e := r.Engine()
	sup, err := supply(r, e, q.supplyName())
	if err != nil {
		return nil, err
	}
	return accessOf(e, q, sup)
}

// supply resolves a supply name against the engine e, then the uploaded
// structures datasets.
func supply(r *registry.Registry, e *matching.Engine, name string) (*accessSupply, error) {
	if sup := resolveSupply(e, name); sup != nil {
		return sup, nil
	}
	structs, err := r.Datasets().UploadedStructures(name)
	if err != nil {
		if errors.Is(err, data.ErrDatasetNotFound) {
			return nil, unknownSupply(e, name)
		}
		return nil, err
	}
	return structuresSupply(name, structs), nil
}

// Compute computes the accessibility of q.Supply against q.Demand within
// q.Reach at every cell, commune, EPCI, département, région and nationally.
// The pairs of cells and supply points are listed on the first query of a
// supply and cached (access_pairs.go): later queries with any threshold up
// to the listed radius, any demand and any decay only run the two steps.
func Compute(e *matching.Engine, q AccessQuery) (*Access, error) {
	sup := resolveSupply(e, q.supplyName())
	if sup == nil {
		return nil, unknownSupply(e, q.supplyName())
	}
	return accessOf(e, q, sup)
}

// accessOf is Access of a resolved supply.
func accessOf(e *matching.Engine, q AccessQuery, sup *accessSupply) (*Access, error) {
	reach := coverage.DefaultReach()
	if q.Reach != nil {
		reach = *q.Reach
	}
	if err := reach.Validate(); err != nil {
		return nil, err
	}
	if q.Demand == "" {
		q.Demand = coverage.DemandDifficulty
	}
	demand, err := coverage.CellDemand(e.Coverage(), q.Demand)
	if err != nil {
		return nil, err
	}
	a := &Access{Supply: sup.name, SupplyKind: sup.kind, Demand: q.Demand, Reach: reach, SupplyPoints: len(sup.points)}
	t0 := time.Now()
	step := func(name string) {
		a.Timings = append(a.Timings, matching.Timing{Step: name, DurationMS: float64(time.Since(t0).Microseconds()) / 1000})
		t0 = time.Now()
	}
	table, cached, err := e.AccessTable(sup.key, sup.points, reach.MaxM)
	if err != nil {
		return nil, err
	}
	a.Cached, a.PairsListed = cached, table.Len()
	step("pairs")
	res, err := fca.Compute(fca.Problem{Supply: sup.capacity, Demand: demand, Threshold: reach.MaxM, Decay: q.Decay, Table: table, Workers: e.Workers()})
	if err != nil {
		return nil, err
	}
	a.Decay, a.IdleSupply, a.cell = res.Decay, res.IdleSupply, res.Access
	for _, c := range sup.capacity {
		a.SupplyTotal += c
	}
	for _, d := range demand {
		a.DemandTotal += d
	}
	if a.DemandTotal > 0 {
		a.ReferencePer10k = a.SupplyTotal / a.DemandTotal * 1e4
	}
	step("2sfca")
	aggregateAccess(e, a, sup)
	step("aggregate")
	return a, nil
}

// CellAccessPer10k returns the accessibility of grid cell i (supply within
// reach per 10,000 of demand).
func (a *Access) CellAccessPer10k(i int) float64 { return a.cell[i] * 1e4 }
