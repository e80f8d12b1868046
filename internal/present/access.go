package present

import "github.com/maillage/maillage/matching/accessibility"

// accessColumns are the columns of an accessibility figure (2SFCA,
// matching.AccessArea), shared by areas and communes.
func accessColumns[T any](area func(*T) *accessibility.AccessArea) []Column[T] {
	return []Column[T]{
		Str("level", func(v *T) string { return area(v).Level }),
		Str("code", func(v *T) string { return area(v).Code }),
		Str("nom", func(v *T) string { return area(v).Name }),
		Int("population", func(v *T) int { return area(v).Population }),
		Float("demand", WeightedDigits, func(v *T) float64 { return area(v).Demand }),
		Float("supply", WeightedDigits, func(v *T) float64 { return area(v).Supply }),
		Float("access_per_10k", ShareDigits, func(v *T) float64 { return area(v).AccessPer10k }),
		Float("ratio_to_reference", ShareDigits, func(v *T) float64 { return area(v).RatioToReference }),
		Float("demand_below_half_reference", WeightedDigits, func(v *T) float64 { return area(v).DemandBelowHalf }),
		Float("share_below_half_reference", ShareDigits, func(v *T) float64 { return area(v).ShareBelowHalf }),
	}
}

// AccessAreas is the table of accessibility by area (national, région,
// département, EPCI).
func AccessAreas() Table[accessibility.AccessArea] {
	return NewTable(accessColumns(func(v *accessibility.AccessArea) *accessibility.AccessArea { return v })...)
}

// CommuneAccesses is the table of accessibility by commune.
func CommuneAccesses() Table[accessibility.CommuneAccess] {
	type c = accessibility.CommuneAccess
	cols := accessColumns(func(v *c) *accessibility.AccessArea { return &v.AccessArea })
	return NewTable(append(cols[:3:3], append([]Column[c]{
		Str("departement", func(v *c) string { return v.Departement }),
		Str("epci", func(v *c) string { return v.EPCI }),
		Bool("located", func(v *c) bool { return v.Located }),
	}, cols[3:]...)...)...)
}
