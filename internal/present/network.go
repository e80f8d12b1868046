package present

import "github.com/maillage/maillage/matching/siting"

// AreaComparisons is the table of coverage compared between two networks,
// by area.
func AreaComparisons() Table[siting.AreaComparison] {
	type a = siting.AreaComparison
	return NewTable(
		Str("level", func(v *a) string { return v.Level }),
		Str("code", func(v *a) string { return v.Code }),
		Str("nom", func(v *a) string { return v.Name }),
		Int("population", func(v *a) int { return v.Population }),
		Int("population_unlocated", func(v *a) int { return v.PopulationUnlocated }),
		Int("sites_before", func(v *a) int { return v.SitesBefore }),
		Int("sites_after", func(v *a) int { return v.SitesAfter }),
		Int("covered_population_before", func(v *a) int { return v.CoveredBefore }),
		Int("covered_population_after", func(v *a) int { return v.CoveredAfter }),
		PtrFloat("covered_share_before", ShareDigits, func(v *a) *float64 { return v.CoveredShareBefore }),
		PtrFloat("covered_share_after", ShareDigits, func(v *a) *float64 { return v.CoveredShareAfter }),
		Str("no_data_reason", func(v *a) string { return v.NoDataReason }),
		Int("gained_population", func(v *a) int { return v.GainedPopulation }),
		Int("lost_population", func(v *a) int { return v.LostPopulation }),
		Float("uncovered_population_in_difficulty_before", WeightedDigits, func(v *a) float64 { return v.UncoveredInDifficultyBefore }),
		Float("uncovered_population_in_difficulty_after", WeightedDigits, func(v *a) float64 { return v.UncoveredInDifficultyAfter }),
		Int("communes_gained", func(v *a) int { return v.CommunesGained }),
		Int("communes_lost", func(v *a) int { return v.CommunesLost }),
		Int("communes_mixed", func(v *a) int { return v.CommunesMixed }),
	)
}

// CommuneComparisons is the table of the communes whose coverage changed
// between two networks.
func CommuneComparisons() Table[siting.CommuneComparison] {
	type c = siting.CommuneComparison
	return NewTable(
		Str("code", func(v *c) string { return v.Code }),
		Str("nom", func(v *c) string { return v.Name }),
		Str("departement", func(v *c) string { return v.Departement }),
		Int("population", func(v *c) int { return v.Population }),
		Str("change", func(v *c) string { return v.Change }),
		Int("covered_population_before", func(v *c) int { return v.CoveredBefore }),
		Int("covered_population_after", func(v *c) int { return v.CoveredAfter }),
		Float("covered_share_before", ShareDigits, func(v *c) float64 { return v.CoveredShareBefore }),
		Float("covered_share_after", ShareDigits, func(v *c) float64 { return v.CoveredShareAfter }),
		Int("gained_population", func(v *c) int { return v.GainedPopulation }),
		Int("lost_population", func(v *c) int { return v.LostPopulation }),
		Str("nearest_site_before", func(v *c) string { return v.NearestSiteBefore }),
		Str("nearest_site_after", func(v *c) string { return v.NearestSiteAfter }),
		Float("nearest_distance_before_m", DistanceDigits, func(v *c) float64 { return v.NearestDistanceBeforeM }),
		Float("nearest_distance_after_m", DistanceDigits, func(v *c) float64 { return v.NearestDistanceAfterM }),
		Float("population_in_difficulty", WeightedDigits, func(v *c) float64 { return v.PopulationInDifficulty }),
		Str("zrr", func(v *c) string { return v.ZRR }),
	)
}

// ArticulationAreas is the table of how a network articulates with France
// Services, by area.
func ArticulationAreas() Table[siting.ArticulationArea] {
	type a = siting.ArticulationArea
	return NewTable(
		Str("level", func(v *a) string { return v.Level }),
		Str("code", func(v *a) string { return v.Code }),
		Str("nom", func(v *a) string { return v.Name }),
		Int("places", func(v *a) int { return v.Places }),
		Int("posts", func(v *a) int { return v.Posts }),
		Int("co_located", func(v *a) int { return v.CoLocated }),
		Int("complements", func(v *a) int { return v.Complements }),
		Int("duplicates", func(v *a) int { return v.Duplicates }),
		Int("population", func(v *a) int { return v.Population }),
		Int("covered_by_france_services", func(v *a) int { return v.CoveredByReference }),
		Int("added_population", func(v *a) int { return v.AddedPopulation }),
		Float("added_population_in_difficulty", WeightedDigits, func(v *a) float64 { return v.AddedPopulationInDifficulty }),
		Float("covered_share_france_services", ShareDigits, func(v *a) float64 { return v.CoveredShareReference }),
		Float("covered_share_with_source", ShareDigits, func(v *a) float64 { return v.CoveredShareWith }),
	)
}

// ArticulationItems is the table of classified places.
func ArticulationItems() Table[siting.ArticulationItem] {
	type i = siting.ArticulationItem
	return NewTable(
		Str("id", func(v *i) string { return v.ID }),
		Str("name", func(v *i) string { return v.Name }),
		Str("commune", func(v *i) string { return v.Commune }),
		Str("departement", func(v *i) string { return v.Departement }),
		Float("lon", CoordDigits, func(v *i) float64 { return v.Lon }),
		Float("lat", CoordDigits, func(v *i) float64 { return v.Lat }),
		Int("posts", func(v *i) int { return v.Posts }),
		Str("located_by", func(v *i) string { return v.LocatedBy }),
		Str("class", func(v *i) string { return v.Class }),
		Str("nearest_france_services_id", func(v *i) string { return v.NearestFranceServicesID }),
		Str("nearest_france_services_name", func(v *i) string { return v.NearestFranceServicesName }),
		Float("nearest_france_services_m", DistanceDigits, func(v *i) float64 { return v.NearestFranceServicesM }),
		Int("added_population", func(v *i) int { return v.AddedPopulation }),
		Float("added_population_in_difficulty", WeightedDigits, func(v *i) float64 { return v.AddedPopulationInDifficulty }),
	)
}
