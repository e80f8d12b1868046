package coverage

import (
	covm "github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/siting"
)

// In every GeoJSON answer a commune, a département or a région is named
// "nom", as in the IGN and INSEE sources and the map layers (communes,
// departements, regions); service points, structures, proposals and
// recommended places keep "name", the field of their own files. The JSON
// (non-GeoJSON) answers keep the English "name" of their views.
//
// The views below rename the "name" of a matching struct: Code and Nom come
// first (GIS clients order columns by first sight); Name, always empty,
// hides the embedded "name" (a shallower field wins in encoding/json) and
// is omitted.

// communeCoverageProps are the GeoJSON properties of a commune's coverage
// (/v1/coverage/communes).
type communeCoverageProps struct {
	Code string `json:"code"`
	Nom  string `json:"nom"`
	covm.CommuneCoverage
	Name string `json:"name,omitempty"`
}

func newCommuneCoverageProps(m covm.CommuneCoverage) communeCoverageProps {
	return communeCoverageProps{Code: m.Code, Nom: m.Name, CommuneCoverage: m}
}

// communeComparisonProps are the GeoJSON properties of a commune compared
// between two networks (/v1/coverage/compare?format=geojson).
type communeComparisonProps struct {
	Code string `json:"code"`
	Nom  string `json:"nom"`
	siting.CommuneComparison
	Name string `json:"name,omitempty"`
}

func newCommuneComparisonProps(m siting.CommuneComparison) communeComparisonProps {
	return communeComparisonProps{Code: m.Code, Nom: m.Name, CommuneComparison: m}
}
