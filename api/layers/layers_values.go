package layers

// The values the map layers show of each feature, kept compact or made on
// each read.

import (
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/mvt"
	"github.com/maillage/maillage/matching/coverage"
)

// communeFigures are the coverage figures the communes layer shows of one
// commune.
type communeFigures struct {
	inCoverage, located, hasShare, hasMean bool
	pop, covered, uncovered                int
	share, meanM, nearestM                 float64
	reason, nearestID                      string
}

// newCommuneFigures keeps the figures of ccs by commune id (n communes);
// a commune absent from ccs has inCoverage false.
func newCommuneFigures(n int, ccs []coverage.CommuneCoverage) []communeFigures {
	out := make([]communeFigures, n)
	for k := range ccs {
		cc := &ccs[k]
		f := &out[cc.ID()]
		*f = communeFigures{inCoverage: true, located: cc.Located, pop: cc.Population, covered: cc.CoveredPopulation,
			uncovered: cc.UncoveredPopulation, reason: cc.NoDataReason, nearestID: cc.NearestSiteID, nearestM: cc.NearestDistanceM}
		if cc.CoveredShare != nil {
			f.share, f.hasShare = *cc.CoveredShare, true
		}
		if cc.MeanDistanceM != nil {
			f.meanM, f.hasMean = *cc.MeanDistanceM, true
		}
	}
	return out
}

// areaValues appends the coverage values of f (see the other areaValues).
func (f *communeFigures) areaValues(dst []mvt.Value) []mvt.Value {
	var share, meanM *float64
	if f.hasShare {
		share = &f.share
	}
	if f.hasMean {
		meanM = &f.meanM
	}
	return areaValues(dst, f.pop, f.covered, f.uncovered, share, meanM, f.reason)
}

// communeAccess is the 2SFCA accessibility the communes layer shows of one
// commune (located: with inhabitants on the grid, else null figures).
type communeAccess struct {
	located       bool
	per10k, ratio float64
}

// siteValues appends the values of a service point in the order of
// siteProps.
func siteValues(site *data.Site, dst []mvt.Value) []mvt.Value {
	return append(dst, mvt.Str(site.ID), mvt.Str(site.Name), mvt.Str(site.Layer), mvt.Str(string(site.Kind)),
		mvt.Boolean(site.Itinerant), mvt.OptStr(site.Format), mvt.OptStr(site.Address), mvt.OptStr(site.Commune), mvt.OptStr(site.Departement))
}
