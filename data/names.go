package data

import "github.com/paulmach/orb"

// File names of the real open data, relative to the data folder.
const (
	CommunesFile           = "communes-2018.geojson.gz"
	COGCommunesFile        = "decoupage-administratif-6.0.0-communes.json.gz"
	COGDepartementsFile    = "decoupage-administratif-6.0.0-departements.json.gz"
	COGRegionsFile         = "decoupage-administratif-6.0.0-regions.json.gz"
	COGEPCIFile            = "decoupage-administratif-6.0.0-epci.json.gz"
	DepartementsFile       = "departements-outre-mer-2018.geojson.gz"
	RegionsFile            = "regions-2018.geojson.gz"
	FranceServices2020File = "france-services-2020.geojson"
	FranceServices2024File = "france-services-2024-08.csv"
	CNFSStructuresFile     = "cnfs-structures-2021.json"
	CNFSPermanencesFile    = "cnfs-permanences-2022.json"
	FragilityFile          = "indice-fragilite-numerique-communes.csv"
	ZRRFile                = "zrr-communes-2021.csv"
)

// GridInputs returns, for every commune id (index in t.Communes), its shape
// (nil when it has none), representative point and population: the inputs of
// geo.BuildGrid.
func (t *Territory) GridInputs() (shapes []orb.MultiPolygon, reps []orb.Point, pops []int) {
	shapes = make([]orb.MultiPolygon, len(t.Communes))
	reps = make([]orb.Point, len(t.Communes))
	pops = make([]int, len(t.Communes))
	for i := range t.Communes {
		c := &t.Communes[i]
		shapes[i], reps[i], pops[i] = c.Shape, c.Rep, c.Population
	}
	return shapes, reps, pops
}
