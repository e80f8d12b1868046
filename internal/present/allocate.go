package present

import "github.com/maillage/maillage/matching/accessibility"

// AllocationDepartements is the table of an allocation by département
// (matching.AllocationDepartement).
func AllocationDepartements() Table[accessibility.AllocationDepartement] {
	type d = accessibility.AllocationDepartement
	return NewTable(
		Str("code", func(v *d) string { return v.Code }),
		Str("nom", func(v *d) string { return v.Name }),
		Float("demand", WeightedDigits, func(v *d) float64 { return v.Demand }),
		Int("floor", func(v *d) int { return v.Floor }),
		OptFloat("cap", 0, func(v *d) (float64, bool) {
			if v.Cap == nil {
				return 0, false
			}
			return float64(*v.Cap), true
		}),
		Float("posts_before", WeightedDigits, func(v *d) float64 { return v.PostsBefore }),
		Int("allocated_posts", func(v *d) int { return v.AllocatedPosts }),
		Float("posts_after", WeightedDigits, func(v *d) float64 { return v.PostsAfter }),
		Float("access_before_per_10k", ShareDigits, func(v *d) float64 { return v.AccessBeforePer10k }),
		Float("access_after_per_10k", ShareDigits, func(v *d) float64 { return v.AccessAfterPer10k }),
		Float("need_share_posts_before", WeightedDigits, func(v *d) float64 { return v.NeedSharePostsBefore }),
		Float("over_served_posts_before", WeightedDigits, func(v *d) float64 { return v.OverServedPostsBefore }),
	)
}

// AllocatedPoints is the table of the host points given posts.
func AllocatedPoints() Table[accessibility.AllocatedPoint] {
	type p = accessibility.AllocatedPoint
	return NewTable(
		Str("kind", func(v *p) string { return v.Kind }),
		Str("id", func(v *p) string { return v.ID }),
		Str("name", func(v *p) string { return v.Name }),
		Str("departement", func(v *p) string { return v.Departement }),
		Float("lon", 6, func(v *p) float64 { return v.Point[0] }),
		Float("lat", 6, func(v *p) float64 { return v.Point[1] }),
		Int("allocated_posts", func(v *p) int { return v.AllocatedPosts }),
		Float("catchment_demand", WeightedDigits, func(v *p) float64 { return v.CatchmentDemand }),
	)
}
