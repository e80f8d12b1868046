package data

// COGPart is what the COG communes file says of a code that is not a
// current commune: a delegated or associated commune, or a municipal
// arrondissement. Files keyed by older codes (the indicators) join through
// it to the current commune.
type COGPart struct {
	Type          string // commune-deleguee, commune-associee, arrondissement-municipal
	Parent        string // chefLieu or commune: the current commune it belongs to
	Population    int    // inhabitants, when the COG gives them
	HasPopulation bool   // the COG gives a population (arrondissements only in 6.0.0)
}

// Arrondissement reports whether p is a municipal arrondissement (Paris,
// Lyon, Marseille) rather than a former commune.
func (p COGPart) Arrondissement() bool { return p.Type == cogArrondissement }

// LoadCOGParts reads the COG communes file of the release in dir (the one
// LoadTerritory reads): type, parent and population of every entry that is
// not a current commune (the COG 6.0.0 gives a population to
// arrondissements but to no delegated or associated commune).
func LoadCOGParts(dir string) (map[string]COGPart, error) {
	path, err := cogFilePath(dir, "communes")
	if err != nil {
		return nil, err
	}
	entries, err := loadCOGCommunes(path)
	if err != nil {
		return nil, err
	}
	parts := make(map[string]COGPart, len(entries)/10)
	for _, e := range entries {
		if e.Type == cogCurrent {
			continue
		}
		p := COGPart{Type: e.Type, Parent: e.ChefLieu, Population: e.Population, HasPopulation: e.Population > 0}
		if p.Parent == "" {
			p.Parent = e.Commune
		}
		// A code can be listed both as a delegated commune and as something
		// else; keep an arrondissement rather than lose it.
		if old, ok := parts[e.Code]; ok && old.Arrondissement() {
			continue
		}
		parts[e.Code] = p
	}
	return parts, nil
}
