package siting

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/siteindex"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/internal/num"
)

// Articulation with France Services: the seeds' criterion for the prefects'
// proposals of conseillers numériques. Every place of a source (the
// advisors' places of layer cnfs-permanences, or the host structures of a
// built-in dataset) is
//
//   - ClassCoLocated when a France Services site (layer france-services)
//     lies within CoLocatedMaxM of it: the same site, or next door;
//   - else ClassComplements when it reaches population that no France
//     Services reaches at the threshold: some inhabited grid cell within
//     the reach of the place is out of the reach of every France Services
//     site (the very test of the coverage analysis);
//   - else ClassDuplicates: everyone it reaches already has a France
//     Services within reach.
//
// Per area, the population advisors add beyond France Services is the
// joint gain of all the source's places: the inhabitants within reach of
// at least one of them and of no France Services, each counted once (for
// the cnfs-permanences layer, the coverage of the union of both layers
// minus that of France Services).
const (
	ClassCoLocated   = "co_located"
	ClassComplements = "complements"
	ClassDuplicates  = "duplicates"
)

// CoLocatedMaxM is the distance under which a place and a France Services
// site are taken as one site.
const CoLocatedMaxM = 300.0

// ArticulationReference is the layer the places are compared with.
const ArticulationReference = data.LayerFranceServices

// ErrUnknownSource is returned for an articulation source that is neither
// a loaded layer (other than the reference) nor a built-in structures
// dataset.
var ErrUnknownSource = errors.New("unknown articulation source")

// ArticulationQuery selects the places to classify and the threshold.
type ArticulationQuery struct {
	// Source is a layer (default data.LayerCNFSPermanences) or a built-in
	// structures dataset (BuiltinStructuresDataset).
	Source string
	// Reach is the threshold; nil means DefaultReach (30 minutes).
	Reach *coverage.Reach
	// Departement restricts the items and the départements listed ("": all);
	// the national summary is always national.
	Departement string
}

// Articulation is the answer of Articulate.
type Articulation struct {
	Source        string             `json:"source"`
	Reference     string             `json:"reference"`
	Reach         coverage.Reach     `json:"reach"`
	CoLocatedMaxM float64            `json:"co_located_max_m"`
	National      ArticulationArea   `json:"national"`
	Departements  []ArticulationArea `json:"departements"` // by code
	Items         []ArticulationItem `json:"items"`        // by département, then id
}

// ArticulationArea sums the classes of an area's places (those located in
// it) and the population they add (inhabitants of its communes).
type ArticulationArea struct {
	Level       string `json:"level"`
	Code        string `json:"code"`
	Name        string `json:"nom"`
	Places      int    `json:"places"`
	Posts       int    `json:"posts"` // advisor posts of structures (0 for a layer)
	CoLocated   int    `json:"co_located"`
	Complements int    `json:"complements"`
	Duplicates  int    `json:"duplicates"`
	Population  int    `json:"population"`
	// CoveredByReference is the population within reach of France Services;
	// AddedPopulation that within reach of a place of the source and of no
	// France Services (all the source's places together, wherever they are).
	CoveredByReference          int     `json:"covered_by_france_services"`
	AddedPopulation             int     `json:"added_population"`
	AddedPopulationInDifficulty float64 `json:"added_population_in_difficulty"`
	CoveredShareReference       float64 `json:"covered_share_france_services"` // of the located population
	CoveredShareWith            float64 `json:"covered_share_with_source"`
}

// ArticulationItem is one place and its class.
type ArticulationItem struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Commune     string  `json:"commune"`
	Departement string  `json:"departement"`
	Lon         float64 `json:"lon"`
	Lat         float64 `json:"lat"`
	Posts       int     `json:"posts,omitempty"`
	LocatedBy   string  `json:"located_by,omitempty"`
	Class       string  `json:"class"`
	// The nearest France Services site and its great-circle distance.
	NearestFranceServicesID   string  `json:"nearest_france_services_id"`
	NearestFranceServicesName string  `json:"nearest_france_services_name"`
	NearestFranceServicesM    float64 `json:"nearest_france_services_m"`
	// AddedPopulation are the inhabitants within its reach and out of reach
	// of every France Services, counted for this place alone (places
	// reaching the same cells each count them).
	AddedPopulation             int     `json:"added_population"`
	AddedPopulationInDifficulty float64 `json:"added_population_in_difficulty"`
}

// articulationPlace is one place of a source.
type articulationPlace struct {
	id, name, commune, dep, locatedBy string
	posts                             int
	p                                 orb.Point
}

// articulationSource returns the places of a source.
func articulationSource(e *matching.Engine, src string) ([]articulationPlace, error) {
	if l := e.Layer(src); l != nil && src != ArticulationReference {
		out := make([]articulationPlace, len(l.Sites))
		for i, s := range l.Sites {
			out[i] = articulationPlace{id: s.ID, name: s.Name, commune: s.Commune, dep: s.Departement, p: s.Point}
		}
		return out, nil
	}
	if ss, ok := e.Structures(src); ok {
		out := make([]articulationPlace, len(ss))
		for i, s := range ss {
			out[i] = articulationPlace{id: s.ID, name: s.Name, commune: s.Commune, dep: s.Departement,
				locatedBy: s.LocatedBy, posts: s.Posts, p: s.Point}
		}
		return out, nil
	}
	var known []string
	for _, n := range e.LayerNames() {
		if n != ArticulationReference {
			known = append(known, n)
		}
	}
	known = append(known, e.BuiltinStructureIDs()...)
	slices.Sort(known)
	return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownSource, src, strings.Join(known, ", "))
}

// openCells are the inhabited cells out of reach of the reference, indexed
// for radius queries.
type openCells struct {
	cells      []int32   // grid index of each open cell
	difficulty []float64 // its people in difficulty
	index      *siteindex.Index
}

// Articulate classifies every place of q.Source against France Services
// (see ClassCoLocated) and sums the classes and the population the places
// add per département and nationally.
func Articulate(e *matching.Engine, q ArticulationQuery) (*Articulation, error) {
	if q.Source == "" {
		q.Source = data.LayerCNFSPermanences
	}
	places, err := articulationSource(e, q.Source)
	if err != nil {
		return nil, err
	}
	if e.Layer(ArticulationReference) == nil {
		return nil, fmt.Errorf("%w %q: the reference layer is not loaded", coverage.ErrUnknownLayer, ArticulationReference)
	}
	ix := e.Coverage().Index()
	if q.Departement != "" {
		if _, ok := ix.DepByCode[q.Departement]; !ok {
			return nil, fmt.Errorf("%w %q", coverage.ErrUnknownDepartement, q.Departement)
		}
	}
	ref, err := coverage.Compute(e.Coverage(), coverage.Query{Layers: []string{ArticulationReference}, Reach: q.Reach, NoGaps: true})
	if err != nil {
		return nil, err
	}
	maxM := ref.Reach.MaxM
	open := newOpenCells(e, ref)
	fs := e.Layer(ArticulationReference)

	a := &Articulation{Source: q.Source, Reference: ArticulationReference, Reach: ref.Reach, CoLocatedMaxM: CoLocatedMaxM,
		Departements: []ArticulationArea{}, Items: []ArticulationItem{}}
	reached := make([]bool, len(open.cells))
	deps := make([]ArticulationArea, len(e.Territory().Departements))
	nat := ArticulationArea{Level: coverage.LevelNational, Code: "FR", Name: "France"}
	var buf []siteindex.Neighbor
	for _, pl := range places {
		it := ArticulationItem{ID: pl.id, Name: pl.name, Commune: pl.commune, Departement: pl.dep,
			Lon: pl.p[0], Lat: pl.p[1], Posts: pl.posts, LocatedBy: pl.locatedBy}
		if id, d, ok := fs.Index.Nearest1(pl.p); ok {
			s := &fs.Sites[id]
			it.NearestFranceServicesID, it.NearestFranceServicesName, it.NearestFranceServicesM = s.ID, s.Name, d
		}
		buf = open.index.WithinUnsorted(pl.p, maxM*(1+reachSlack)+1, buf)
		added := 0.0
		for _, n := range buf {
			cell := open.cells[n.ID]
			// The coverage test: float32 great-circle metres from the cell
			// centre, at most the reach.
			if float64(float32(geo.DistanceM(e.Grid().Centers[cell], pl.p))) > maxM {
				continue
			}
			reached[n.ID] = true
			added += e.Grid().Population[cell]
			it.AddedPopulationInDifficulty += open.difficulty[n.ID]
		}
		it.AddedPopulation = num.RoundPop(added)
		switch {
		case it.NearestFranceServicesID != "" && it.NearestFranceServicesM <= CoLocatedMaxM:
			it.Class = ClassCoLocated
		case it.AddedPopulation > 0:
			it.Class = ClassComplements
		default:
			it.Class = ClassDuplicates
		}
		nat.count(&it)
		if d, ok := ix.DepByCode[pl.dep]; ok {
			deps[d].count(&it)
		}
		if q.Departement == "" || pl.dep == q.Departement {
			a.Items = append(a.Items, it)
		}
	}
	open.addedPopulation(e, ix, reached, deps, &nat)
	nat.finish(ref.Summary)
	a.National = nat
	for _, rd := range ref.Departements {
		if q.Departement != "" && rd.Code != q.Departement {
			continue
		}
		d := deps[ix.DepByCode[rd.Code]]
		d.Level, d.Code, d.Name = coverage.LevelDepartement, rd.Code, rd.Name
		d.finish(rd)
		a.Departements = append(a.Departements, d)
	}
	slices.SortStableFunc(a.Items, func(x, y ArticulationItem) int {
		if c := strings.Compare(x.Departement, y.Departement); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	return a, nil
}

// count adds a classified place to the area.
func (ar *ArticulationArea) count(it *ArticulationItem) {
	ar.Places++
	ar.Posts += it.Posts
	switch it.Class {
	case ClassCoLocated:
		ar.CoLocated++
	case ClassComplements:
		ar.Complements++
	default:
		ar.Duplicates++
	}
}

// finish sets the population figures of the area from its coverage by the
// reference.
func (ar *ArticulationArea) finish(ref coverage.AreaCoverage) {
	ar.Population, ar.CoveredByReference = ref.Population, ref.CoveredPopulation
	if located := ref.CoveredPopulation + ref.UncoveredPopulation; located > 0 {
		ar.CoveredShareReference = float64(ref.CoveredPopulation) / float64(located)
		ar.CoveredShareWith = float64(ref.CoveredPopulation+ar.AddedPopulation) / float64(located)
	}
}

// newOpenCells returns the inhabited cells of g out of reach in ref, with
// their people in difficulty (by need), indexed.
func newOpenCells(e *matching.Engine, ref *coverage.Coverage) *openCells {
	g := e.Grid()
	ix := ref.Index()
	o := &openCells{}
	var pts []orb.Point
	for i, p := range g.Population {
		if p <= 0 || ref.Covered(ref.Nearest().CellDistM[i]) {
			continue
		}
		var f float64
		for k := ix.CellCommStart[i]; k < ix.CellCommStart[i+1]; k++ {
			if v, ok := e.Coverage().DifficultyShare(int(ix.CellComm[k])); ok {
				f += ix.CellCommPop[k] * v
			}
		}
		o.cells = append(o.cells, int32(i))
		o.difficulty = append(o.difficulty, f)
		pts = append(pts, g.Centers[i])
	}
	o.index = siteindex.New(pts)
	return o
}

// addedPopulation adds to the areas the inhabitants of the reached open
// cells, each share to the département of its commune (ix's cell–commune
// relation, need's fragility).
func (open *openCells) addedPopulation(e *matching.Engine, ix *coverage.Index, reached []bool, deps []ArticulationArea, nat *ArticulationArea) {
	natPop, depPop := 0.0, make([]float64, len(deps))
	defer func() {
		nat.AddedPopulation = num.RoundPop(natPop)
		for d := range deps {
			deps[d].AddedPopulation = num.RoundPop(depPop[d])
		}
	}()
	for k, ok := range reached {
		if !ok {
			continue
		}
		cell := open.cells[k]
		for j := ix.CellCommStart[cell]; j < ix.CellCommStart[cell+1]; j++ {
			ci, pop := ix.CellComm[j], ix.CellCommPop[j]
			f := 0.0
			if v, ok := e.Coverage().DifficultyShare(int(ci)); ok {
				f = pop * v
			}
			natPop += pop
			nat.AddedPopulationInDifficulty += f
			if d := ix.CommuneDep[ci]; d >= 0 {
				depPop[d] += pop
				deps[d].AddedPopulationInDifficulty += f
			}
		}
	}
}
