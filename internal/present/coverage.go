package present

import (
	"github.com/maillage/maillage/data/indicators"
	"github.com/maillage/maillage/matching/coverage"
)

// Decimals kept in every table: distances to 0.1 m, shares (0–1) to 1e-6,
// areas to 1e-3 km², densities to 0.01 /km², weighted populations to 0.1,
// coordinates to 1e-6° (about 10 cm) or 1e-7° for the points a user placed.
const (
	DistanceDigits   = 1
	ShareDigits      = 6
	AreaDigits       = 3
	DensityDigits    = 2
	WeightedDigits   = 1
	CoordDigits      = 6
	InputCoordDigits = 7
	IndexDigits      = 2
)

// fragilityTotal reads the fragility index of a commune, absent when the
// indicator file does not cover it.
func fragilityTotal(f *indicators.Fragility) (float64, bool) {
	if f == nil {
		return 0, false
	}
	return f.Total, true
}

// AreaCoverages is the table of coverage by area (national, région,
// département, EPCI).
func AreaCoverages() Table[coverage.AreaCoverage] {
	type a = coverage.AreaCoverage
	return NewTable(
		Str("level", func(v *a) string { return v.Level }),
		Str("code", func(v *a) string { return v.Code }),
		Str("nom", func(v *a) string { return v.Name }),
		Int("population", func(v *a) int { return v.Population }),
		Int("covered_population", func(v *a) int { return v.CoveredPopulation }),
		Int("uncovered_population", func(v *a) int { return v.UncoveredPopulation }),
		Int("population_unlocated", func(v *a) int { return v.PopulationUnlocated }),
		PtrFloat("covered_share", ShareDigits, func(v *a) *float64 { return v.CoveredShare }),
		PtrFloat("mean_distance_m", DistanceDigits, func(v *a) *float64 { return v.MeanDistanceM }),
		Str("no_data_reason", func(v *a) string { return v.NoDataReason }),
		Int("communes", func(v *a) int { return v.Communes }),
		Int("communes_uncovered", func(v *a) int { return v.CommunesUncovered }),
		Int("communes_unlocated", func(v *a) int { return v.CommunesUnlocated }),
		Float("population_in_difficulty", WeightedDigits, func(v *a) float64 { return v.PopulationInDifficulty }),
		Float("uncovered_population_in_difficulty", WeightedDigits, func(v *a) float64 { return v.UncoveredPopulationInDifficulty }),
		Int("population_without_index", func(v *a) int { return v.PopulationWithoutIndex }),
		Int("zrr_population", func(v *a) int { return v.ZRRPopulation }),
		Int("zrr_partial_population", func(v *a) int { return v.ZRRPartialPopulation }),
		Int("uncovered_zrr_population", func(v *a) int { return v.UncoveredZRRPopulation }),
	)
}

// CommuneCoverages is the table of coverage by commune.
func CommuneCoverages() Table[coverage.CommuneCoverage] {
	type c = coverage.CommuneCoverage
	return NewTable(
		Str("code", func(v *c) string { return v.Code }),
		Str("nom", func(v *c) string { return v.Name }),
		Str("departement", func(v *c) string { return v.Departement }),
		Str("region", func(v *c) string { return v.Region }),
		Str("epci", func(v *c) string { return v.EPCI }),
		Bool("located", func(v *c) bool { return v.Located }),
		Int("population", func(v *c) int { return v.Population }),
		Int("covered_population", func(v *c) int { return v.CoveredPopulation }),
		Int("uncovered_population", func(v *c) int { return v.UncoveredPopulation }),
		Int("population_unlocated", func(v *c) int { return v.PopulationUnlocated }),
		PtrFloat("covered_share", ShareDigits, func(v *c) *float64 { return v.CoveredShare }),
		PtrFloat("mean_distance_m", DistanceDigits, func(v *c) *float64 { return v.MeanDistanceM }),
		PtrFloat("max_distance_m", DistanceDigits, func(v *c) *float64 { return v.MaxDistanceM }),
		Str("no_data_reason", func(v *c) string { return v.NoDataReason }),
		Str("nearest_site_id", func(v *c) string { return v.NearestSiteID }),
		Str("nearest_site_name", func(v *c) string { return v.NearestSiteName }),
		Str("nearest_layer", func(v *c) string { return v.NearestLayer }),
		Float("nearest_distance_m", DistanceDigits, func(v *c) float64 { return v.NearestDistanceM }),
		Float("area_km2", AreaDigits, func(v *c) float64 { return v.AreaKm2 }),
		Float("density_per_km2", DensityDigits, func(v *c) float64 { return v.DensityPerKm2 }),
		Int("cells", func(v *c) int { return v.Cells }),
		Str("spread", func(v *c) string { return v.Spread }),
		OptFloat("fragility_total", IndexDigits, func(v *c) (float64, bool) { return fragilityTotal(v.Fragility) }),
		Str("zrr", func(v *c) string { return v.ZRR }),
		Float("population_in_difficulty", WeightedDigits, func(v *c) float64 { return v.PopulationInDifficulty }),
		Float("uncovered_population_in_difficulty", WeightedDigits, func(v *c) float64 { return v.UncoveredPopulationInDifficulty }),
		Int("zrr_population", func(v *c) int { return v.ZRRPopulation }),
		Int("zrr_partial_population", func(v *c) int { return v.ZRRPartialPopulation }),
	)
}

// GapZones is the table of gap zones (their outlines go in GeoJSON
// geometries, their bounding boxes in the features' bbox).
func GapZones() Table[coverage.GapZone] {
	type g = coverage.GapZone
	return NewTable(
		Str("id", func(v *g) string { return v.ID }),
		Int("rank", func(v *g) int { return v.Rank }),
		Int("population", func(v *g) int { return v.Population }),
		Float("population_in_difficulty", WeightedDigits, func(v *g) float64 { return v.PopulationInDifficulty }),
		Int("population_without_index", func(v *g) int { return v.PopulationWithoutIndex }),
		Int("zrr_population", func(v *g) int { return v.ZRRPopulation }),
		Int("zrr_partial_population", func(v *g) int { return v.ZRRPartialPopulation }),
		Float("area_km2", AreaDigits, func(v *g) float64 { return v.AreaKm2 }),
		Int("cells", func(v *g) int { return v.Cells }),
		Float("max_distance_m", DistanceDigits, func(v *g) float64 { return v.MaxDistanceM }),
		Float("mean_distance_m", DistanceDigits, func(v *g) float64 { return v.MeanDistanceM }),
		Float("centroid_lon", CoordDigits, func(v *g) float64 { return v.Centroid[0] }),
		Float("centroid_lat", CoordDigits, func(v *g) float64 { return v.Centroid[1] }),
		List("communes", func(v *g) []string { return v.CommunesTouched }),
		List("departements", func(v *g) []string { return v.DepartementsTouched }),
	)
}

// RuralMairies is the table of rural mairies in a gap.
func RuralMairies() Table[coverage.RuralMairie] {
	type r = coverage.RuralMairie
	return NewTable(
		Str("code", func(v *r) string { return v.Code }),
		Str("nom", func(v *r) string { return v.Name }),
		Str("departement", func(v *r) string { return v.Departement }),
		Str("epci", func(v *r) string { return v.EPCI }),
		Int("population", func(v *r) int { return v.Population }),
		Float("area_km2", AreaDigits, func(v *r) float64 { return v.AreaKm2 }),
		Float("density_per_km2", DensityDigits, func(v *r) float64 { return v.DensityPerKm2 }),
		Float("gap_share", 4, func(v *r) float64 { return v.GapShare }),
		Int("uncovered_population", func(v *r) int { return v.UncoveredPopulation }),
		Str("nearest_site_id", func(v *r) string { return v.NearestSiteID }),
		Str("nearest_site_name", func(v *r) string { return v.NearestSiteName }),
		Str("nearest_layer", func(v *r) string { return v.NearestLayer }),
		Float("nearest_distance_m", DistanceDigits, func(v *r) float64 { return v.NearestDistanceM }),
		Str("gap_zone_id", func(v *r) string { return v.GapZoneID }),
		Str("spread", func(v *r) string { return v.Spread }),
		OptFloat("fragility_total", IndexDigits, func(v *r) (float64, bool) { return fragilityTotal(v.Fragility) }),
		Str("zrr", func(v *r) string { return v.ZRR }),
		Float("uncovered_population_in_difficulty", WeightedDigits, func(v *r) float64 { return v.UncoveredPopulationInDifficulty }),
	)
}
