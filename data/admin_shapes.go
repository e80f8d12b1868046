package data

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/maillage/maillage/data/boundaries"

	"github.com/maillage/maillage/data/textio"
)

// AdminShapes are the boundaries of the départements and régions (IGN 2018
// with overseas, lighter simplification than the communes), each sorted by
// code. They are not part of LoadTerritory: map layers load them on first
// use.
type AdminShapes struct {
	Departements []boundaries.Boundary
	Regions      []boundaries.Boundary
}

// LoadAdminShapes reads DepartementsFile and RegionsFile from the data
// folder dir (gzip or plain).
func LoadAdminShapes(dir string) (AdminShapes, error) {
	var s AdminShapes
	var err error
	if s.Departements, err = loadAdminFile(dir, DepartementsFile, "départements"); err != nil {
		return AdminShapes{}, err
	}
	if s.Regions, err = loadAdminFile(dir, RegionsFile, "régions"); err != nil {
		return AdminShapes{}, err
	}
	return s, nil
}

// loadAdminFile reads one boundary file (features with `code` and `nom`),
// sorted by code; a duplicate code or a feature without shape is an error.
func loadAdminFile(dir, name, what string) ([]boundaries.Boundary, error) {
	path, err := textio.FindFile(dir, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	bs, err := boundaries.Load(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	for i, b := range bs {
		if len(b.Shape) == 0 {
			return nil, fmt.Errorf("%s %s: feature %d (code %q): no polygon", what, path, i+1, b.Code)
		}
	}
	slices.SortStableFunc(bs, func(a, b boundaries.Boundary) int { return cmp.Compare(a.Code, b.Code) })
	for i := 1; i < len(bs); i++ {
		if bs[i].Code == bs[i-1].Code {
			return nil, fmt.Errorf("%s %s: code %q appears twice", what, path, bs[i].Code)
		}
	}
	return bs, nil
}
