package present

import (
	"github.com/maillage/maillage/matching/pairing"
	"github.com/maillage/maillage/matching/registry"
)

// MatchSummaries is the table of a match's summary (one row per
// algorithm), with distances in km and compute time in s for reading.
func MatchSummaries() Table[registry.MatchSummary] {
	type s = registry.MatchSummary
	return NewTable(
		Str("algorithm", func(v *s) string { return v.Algorithm }),
		Int("posts", func(v *s) int { return v.Posts }),
		Int("filled", func(v *s) int { return v.PostsFilled }),
		OptFloat("filled_share", 3, func(v *s) (float64, bool) {
			return float64(v.PostsFilled) / float64(v.Posts), v.Posts > 0
		}),
		Int("candidates", func(v *s) int { return v.Candidates }),
		Int("matched", func(v *s) int { return v.CandidatesMatched }),
		Float("total_km", 1, func(v *s) float64 { return v.TotalDistanceM / 1000 }),
		Float("mean_km", 2, func(v *s) float64 { return v.MeanDistanceM / 1000 }),
		Int("edges", func(v *s) int { return v.Edges }),
		Float("compute_s", 2, func(v *s) float64 { return v.ComputeMS / 1000 }),
	)
}

// DepartementBalances is the table of a match's balance by département.
func DepartementBalances() Table[pairing.DepartementBalance] {
	type b = pairing.DepartementBalance
	return NewTable(
		Str("departement", func(v *b) string { return v.Departement }),
		Int("posts", func(v *b) int { return v.PostsRequested }),
		Int("filled", func(v *b) int { return v.PostsFilled }),
		Int("unfilled", func(v *b) int { return v.PostsRequested - v.PostsFilled }),
		Int("candidates_in_reach", func(v *b) int { return v.CandidatesInReach }),
		Int("candidates_left", func(v *b) int { return v.CandidatesLeft }),
	)
}
