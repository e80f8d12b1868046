package data

import (
	"fmt"
	"sort"
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

// LoadDefaultLayers loads the service-point layers of the data folder dir,
// keyed by name: LayerFranceServices (FranceServices2024File),
// LayerFranceServices2020 (FranceServices2020File) and LayerCNFSPermanences
// (CNFSPermanencesFile), each with its vintage, source file and report.
func LoadDefaultLayers(dir string, t *Territory) (map[string]*Layer, error) {
	loaders := []struct {
		name, file, vintage string
		load                func(path string) (*Layer, error)
	}{
		{LayerFranceServices, FranceServices2024File, Vintage2024, func(p string) (*Layer, error) {
			return LoadSitesCSV(p, FranceServices2024Columns(), t, LayerFranceServices)
		}},
		{LayerFranceServices2020, FranceServices2020File, Vintage2020, func(p string) (*Layer, error) {
			return LoadFranceServices2020(p, t)
		}},
		{LayerCNFSPermanences, CNFSPermanencesFile, VintageCNFS2022, func(p string) (*Layer, error) {
			return LoadCNFSPermanences(p, t)
		}},
	}
	layers := make(map[string]*Layer, len(loaders))
	for _, l := range loaders {
		path, err := FindFile(dir, l.file)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", l.name, err)
		}
		layer, err := l.load(path)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", l.name, err)
		}
		layer.Vintage = l.vintage
		layers[l.name] = layer
	}
	return layers, nil
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
