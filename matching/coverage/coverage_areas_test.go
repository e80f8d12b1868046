package coverage

import "testing"

// TestAreaNoData: an area whose communes all lack a boundary (a territory
// such as Nouvelle-Calédonie) has no share and no mean distance, with the
// reason no_boundary; one with boundaries but nobody located, no_population;
// as soon as one inhabitant is located the figures are set.
func TestAreaNoData(t *testing.T) {
	unlocated := CommuneCoverage{Population: 50, PopulationUnlocated: 50, NoDataReason: NoDataNoBoundary}
	empty := CommuneCoverage{Located: true, CoveredShare: ptr(1.0), MeanDistanceM: ptr(10.0)}
	inhabited := CommuneCoverage{Located: true, Population: 10, CoveredPopulation: 4, UncoveredPopulation: 6,
		CoveredShare: ptr(0.4), MeanDistanceM: ptr(1000.0), located: 10, covered: 4}
	for _, tc := range []struct {
		name     string
		communes []CommuneCoverage
		share    *float64
		reason   string
	}{
		{"no boundary", []CommuneCoverage{unlocated, unlocated}, nil, NoDataNoBoundary},
		{"nobody located", []CommuneCoverage{unlocated, empty}, nil, NoDataNoPopulation},
		{"located", []CommuneCoverage{unlocated, inhabited}, ptr(0.4), ""},
	} {
		var a areaAcc
		for i := range tc.communes {
			a.add(&tc.communes[i])
		}
		r := a.result(LevelDepartement, "988", "Nouvelle-Calédonie")
		if r.NoDataReason != tc.reason || (r.CoveredShare == nil) != (tc.share == nil) ||
			(tc.share != nil && *r.CoveredShare != *tc.share) || (r.MeanDistanceM == nil) != (tc.share == nil) {
			t.Errorf("%s: share %v, mean %v, reason %q; want share %v, reason %q", tc.name, r.CoveredShare, r.MeanDistanceM, r.NoDataReason, tc.share, tc.reason)
		}
	}
}
