package present

import "github.com/maillage/maillage/matching/layerdiff"

// LayerChanges presents the sites that changed between two lists.
func LayerChanges() Table[layerdiff.Change] {
	type c = layerdiff.Change
	return NewTable(
		Str("change", func(v *c) string { return v.Change }),
		Str("id", func(v *c) string { return v.ID }),
		Str("name", func(v *c) string { return v.Name }),
		Str("departement", func(v *c) string { return v.Departement }),
		Str("commune", func(v *c) string { return v.Commune }),
		OptFloat("distance_m", 1, func(v *c) (float64, bool) { return v.DistanceM, v.Change == layerdiff.Moved }),
		Bool("renamed", func(v *c) bool { return v.Renamed }),
		Str("from_name", func(v *c) string { return v.FromName }),
		Str("from_id", func(v *c) string { return v.FromID }),
		Str("from_commune", func(v *c) string { return v.FromCommune }),
		Str("matched_by", func(v *c) string { return v.MatchedBy }),
		Float("lon", 6, func(v *c) float64 { return v.Lon }),
		Float("lat", 6, func(v *c) float64 { return v.Lat }),
	)
}

// ChangeCounts presents the changes of the whole list or of a département.
func ChangeCounts() Table[layerdiff.Counts] {
	type c = layerdiff.Counts
	return NewTable(
		Str("code", func(v *c) string { return v.Code }),
		Int("sites_from", func(v *c) int { return v.SitesFrom }),
		Int("sites_to", func(v *c) int { return v.SitesTo }),
		Int("opened", func(v *c) int { return v.Opened }),
		Int("closed", func(v *c) int { return v.Closed }),
		Int("moved", func(v *c) int { return v.Moved }),
		Int("renamed", func(v *c) int { return v.Renamed }),
		Int("unchanged", func(v *c) int { return v.Unchanged }),
	)
}
