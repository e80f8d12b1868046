package synth

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/geo"
)

// SyntheticAttr is the Attrs key set to "true" on every synthetic record.
const SyntheticAttr = "synthetic"

// synthStream is the PCG stream constant of Synthesize ("maillage").
const synthStream = 0x6d61696c6c616765

// synthProcessStream is the PCG stream of the recruitment columns: a
// stream of its own, so that they leave the points, types and posts of a
// seed as they were before these columns existed.
const synthProcessStream = 0x70726f63657373

// synthEpoch is the first day a synthetic candidate is available; they
// become available over the next synthAvailDays days, and missions start
// synthStartMinDays to synthStartMinDays+synthStartDays days after it.
const (
	synthEpoch        = "2027-01-04"
	synthAvailDays    = 180
	synthStartMinDays = 30
	synthStartDays    = 210
)

// synthMaxTries bounds the rejection sampling inside one commune; a commune
// this hard to hit (a sliver) gets its representative point instead.
const synthMaxTries = 1000

// synthTypes are the structure types Synthesize draws, with their weights.
var synthTypes = [...]struct {
	typ    string
	label  string
	weight int
}{
	{"commune", "Mairie", 35},
	{"epci", "Communauté", 20},
	{"association", "Association", 25},
	{"departement", "Conseil départemental", 10},
	{"private", "Entreprise", 10},
}

// Synthesize generates nCand candidates and nStruct host structures for
// demos and benchmarks. They are labelled synthetic: ids "synth-c-000001"
// and "synth-s-000001", Attrs["synthetic"] = "true".
//
// Candidates are uniform random points inside real commune shapes, the
// commune being drawn with probability proportional to its population
// (rejection sampling in the commune's bounding box); MaxKm is 30.
// Structures sit at the representative point of communes drawn by
// population too (LocatedBy "commune"), with types commune, epci,
// association, departement and private and 1–3 posts. Only communes with a
// shape and inhabitants are drawn. The output depends only on t and seed.
//
// For the recruitment process, candidates get an AvailableFrom uniform over
// the 180 days from 2027-01-04, structures a MissionStart 30 to 240 days
// after that day and the Phase of their type (people.PhaseOfType): some pairs in
// reach are thus excluded by their dates.
func Synthesize(t *data.Territory, nCand, nStruct int, seed int64) ([]people.Candidate, []people.Structure) {
	ids, cum := populationCDF(t)
	if len(ids) == 0 {
		return nil, nil
	}
	rng := rand.New(rand.NewPCG(uint64(seed), synthStream))
	draw := func() *data.Commune {
		x := rng.Int64N(cum[len(cum)-1])
		i := sort.Search(len(cum), func(i int) bool { return cum[i] > x })
		return &t.Communes[ids[i]]
	}

	cands := make([]people.Candidate, nCand)
	for i := range cands {
		c := draw()
		cands[i] = people.Candidate{
			ID:          fmt.Sprintf("synth-c-%06d", i+1),
			Point:       randomPointIn(rng, c),
			MaxKm:       people.DefaultMaxKm,
			Commune:     c.Code,
			Departement: c.Departement,
			LocatedBy:   people.LocatedByCoordinates,
			Attrs:       map[string]string{SyntheticAttr: "true"},
		}
	}

	totalWeight := 0
	for _, st := range synthTypes {
		totalWeight += st.weight
	}
	structs := make([]people.Structure, nStruct)
	for i := range structs {
		c := draw()
		k, w := 0, rng.IntN(totalWeight)
		for w >= synthTypes[k].weight {
			w -= synthTypes[k].weight
			k++
		}
		structs[i] = people.Structure{
			ID:          fmt.Sprintf("synth-s-%06d", i+1),
			Name:        fmt.Sprintf("%s %s (synthétique %d)", synthTypes[k].label, c.Name, i+1),
			Type:        synthTypes[k].typ,
			Point:       c.Rep,
			Posts:       1 + rng.IntN(3),
			Commune:     c.Code,
			Departement: c.Departement,
			Region:      c.Region,
			LocatedBy:   people.LocatedByCommune,
			Attrs:       map[string]string{SyntheticAttr: "true"},
		}
	}
	synthProcess(cands, structs, seed)
	return cands, structs
}

// synthProcess draws the recruitment columns on their own stream.
func synthProcess(cands []people.Candidate, structs []people.Structure, seed int64) {
	rng := rand.New(rand.NewPCG(uint64(seed), synthProcessStream))
	epoch, _ := time.Parse(people.DateLayout, synthEpoch)
	for i := range cands {
		cands[i].AvailableFrom = epoch.AddDate(0, 0, rng.IntN(synthAvailDays)).Format(people.DateLayout)
	}
	for i := range structs {
		structs[i].MissionStart = epoch.AddDate(0, 0, synthStartMinDays+rng.IntN(synthStartDays)).Format(people.DateLayout)
		structs[i].Phase = people.PhaseOfType(structs[i].Type)
	}
}

// populationCDF returns the indexes of the communes with a shape and
// inhabitants and the running sum of their populations.
func populationCDF(t *data.Territory) (ids []int, cum []int64) {
	var total int64
	ids = make([]int, 0, len(t.Communes))
	cum = make([]int64, 0, len(t.Communes))
	for i := range t.Communes {
		c := &t.Communes[i]
		if c.Population <= 0 || !c.HasShape() {
			continue
		}
		total += int64(c.Population)
		ids = append(ids, i)
		cum = append(cum, total)
	}
	return ids, cum
}

// randomPointIn draws a uniform point (in lon/lat) inside c's shape by
// rejection in its bounding box, falling back to c.Rep.
func randomPointIn(rng *rand.Rand, c *data.Commune) orb.Point {
	b := c.Bound
	if b.IsEmpty() || b == (orb.Bound{}) {
		b = c.Shape.Bound()
	}
	for range synthMaxTries {
		p := orb.Point{
			b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]),
			b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1]),
		}
		if geo.MultiPolygonContains(c.Shape, p) {
			return p
		}
	}
	return c.Rep
}
