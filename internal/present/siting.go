package present

import (
	"strconv"

	"github.com/maillage/maillage/matching/siting"
)

// communeGains lists the communes gaining as "code:inhabitants" (CSV and
// tables; GeoJSON has the objects, with names).
func communeGains(cs []siting.CommuneGain) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Code + ":" + strconv.Itoa(c.GainPopulation)
	}
	return out
}

// SitePicks is the table of recommended sites.
func SitePicks() Table[siting.SitePick] {
	type p = siting.SitePick
	return NewTable(
		Int("rank", func(v *p) int { return v.Rank }),
		Str("id", func(v *p) string { return v.ID }),
		Str("name", func(v *p) string { return v.Name }),
		Str("commune", func(v *p) string { return v.Commune }),
		Str("departement", func(v *p) string { return v.Departement }),
		Float("lon", InputCoordDigits, func(v *p) float64 { return v.Lon }),
		Float("lat", InputCoordDigits, func(v *p) float64 { return v.Lat }),
		Int("gain_population", func(v *p) int { return v.GainPopulation }),
		Float("gain_demand", ShareDigits, func(v *p) float64 { return v.GainDemand }),
		Int("new_cells", func(v *p) int { return v.NewCells }),
		Int("covered_population", func(v *p) int { return v.CoveredPopulation }),
		Float("covered_share", ShareDigits, func(v *p) float64 { return v.CoveredShare }),
		Nested("communes", func(v *p) []string { return communeGains(v.Communes) }, func(v *p) any { return v.Communes }),
	)
}

// Proposals is the table of evaluated proposals.
func Proposals() Table[siting.ProposalResult] {
	type r = siting.ProposalResult
	return NewTable(
		Str("id", func(v *r) string { return v.ID }),
		Str("name", func(v *r) string { return v.Name }),
		Str("commune", func(v *r) string { return v.Commune }),
		Str("departement", func(v *r) string { return v.Departement }),
		Float("lon", InputCoordDigits, func(v *r) float64 { return v.Lon }),
		Float("lat", InputCoordDigits, func(v *r) float64 { return v.Lat }),
		Str("label", func(v *r) string { return v.Label }),
		Int("gain_population", func(v *r) int { return v.GainPopulation }),
		Int("unique_gain_population", func(v *r) int { return v.UniqueGainPopulation }),
		Int("new_cells", func(v *r) int { return v.NewCells }),
		Bool("in_gap", func(v *r) bool { return v.InGap }),
		Bool("redundant", func(v *r) bool { return v.Redundant }),
		Str("nearest_france_services_id", func(v *r) string { return v.NearestFranceServicesID }),
		Str("nearest_france_services_name", func(v *r) string { return v.NearestFranceServicesName }),
		Float("nearest_france_services_m", DistanceDigits, func(v *r) float64 { return v.NearestFranceServicesM }),
		Float("nearest_existing_m", DistanceDigits, func(v *r) float64 { return v.NearestExistingM }),
		Nested("communes", func(v *r) []string { return communeGains(v.Communes) }, func(v *r) any { return v.Communes }),
	)
}

// AreaChanges is the table of a scenario's coverage change by area.
func AreaChanges() Table[siting.AreaChange] {
	type a = siting.AreaChange
	return NewTable(
		Str("level", func(v *a) string { return v.Level }),
		Str("code", func(v *a) string { return v.Code }),
		Str("nom", func(v *a) string { return v.Name }),
		Int("population", func(v *a) int { return v.Population }),
		Int("population_located", func(v *a) int { return v.PopulationLocated }),
		Int("covered_population_before", func(v *a) int { return v.CoveredBefore }),
		Int("covered_population_after", func(v *a) int { return v.CoveredAfter }),
		Int("gain_population", func(v *a) int { return v.GainPopulation }),
		Float("covered_share_before", ShareDigits, func(v *a) float64 { return v.CoveredShareBefore }),
		Float("covered_share_after", ShareDigits, func(v *a) float64 { return v.CoveredShareAfter }),
	)
}
