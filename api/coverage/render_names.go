package coverage

import (
	covm "github.com/maillage/maillage/matching/coverage"
)

// In every GeoJSON answer a commune, a département or a région is named
// "nom", as in the IGN and INSEE sources and the map layers (communes,
// departements, regions); service points, structures, proposals and
// recommended places keep "name", the field of their own files. The JSON
// answers name their communes "nom" too (api/names_test.go checks every
// route), most through their struct tags.
//
// The view below renames the "name" of a matching struct: Code and Nom come
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
