package data

import (
	"fmt"
	"sort"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"
)

// Names of the default service-point layers.
const (
	LayerFranceServices     = "france-services"      // today's network (2024 list), the default layer
	LayerFranceServices2020 = "france-services-2020" // the early network
	LayerCNFSPermanences    = "cnfs-permanences"     // conseillers numériques' places (2022)
)

// Vintages of the default layers' files.
const (
	Vintage2024     = "2024-08"
	Vintage2020     = "2020"
	VintageCNFS2022 = "2022-05"
)

// DefaultLayer is the layer analyses use when none is named.
const DefaultLayer = LayerFranceServices

// LayerFromStructures makes layer name of sites read as structures by the
// generic reader (LoadStructures: any CSV, JSON or GeoJSON with id and
// coordinates or a commune code), from file. Every structure becomes a
// site of kind KindOther; the report counts them all as read and loaded,
// those placed at their commune's representative point in
// LocatedByCommune. A structure in no commune (a point out at sea with a
// declared département, which uploads accept) cannot be a site: the file
// is then rejected with a *LoadErrors naming each one.
func LayerFromStructures(name, file string, ss []people.Structure) (*Layer, error) {
	b := &layerBuilder{layer: &Layer{Name: name, Source: file, Report: LoadReport{File: file, Rejects: []Reject{}}}}
	errs := &people.LoadErrors{File: file}
	for _, st := range ss {
		b.read()
		if st.Commune == "" {
			if len(errs.Errors) < people.MaxRowErrors {
				errs.Errors = append(errs.Errors, textio.RowError{File: file, Column: "id",
					Reason: fmt.Sprintf("id %s: point (%g, %g) is in no commune", st.ID, st.Point[0], st.Point[1])})
			} else {
				errs.More++
			}
			continue
		}
		if st.LocatedBy == people.LocatedByCommune {
			b.layer.Report.LocatedByCommune++
		}
		b.layer.Sites = append(b.layer.Sites, Site{ID: st.ID, Name: st.Name, Kind: KindOther, Address: st.Attrs["adresse"],
			Commune: st.Commune, Departement: st.Departement, Layer: name, Point: st.Point})
		b.layer.Report.Loaded++
	}
	if errs.Count() > 0 {
		return nil, errs
	}
	return b.finish(""), nil
}

// LayerNames returns the names of layers, sorted.
func LayerNames(layers map[string]*Layer) []string {
	names := make([]string, 0, len(layers))
	for n := range layers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
