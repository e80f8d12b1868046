package people

import "github.com/paulmach/orb"

// Place is what the loaders need to know of a current commune: its codes
// and where a record located by commune is put.
type Place struct {
	Code        string    // current INSEE code
	Departement string    // code, e.g. "23", "2A", "974"
	Region      string    // code, e.g. "75"
	Rep         orb.Point // representative point, inside its boundary
	HasShape    bool      // a boundary was joined to the commune: Rep is set
}

// Places resolves the communes and départements of the records read, so
// that the loaders need no territory of their own: *data.Territory
// satisfies it (data imports this package for the types its Store keeps,
// so this package cannot import data).
type Places interface {
	// CommunePlace returns the current commune of a current or former
	// (delegated, associated, arrondissement) INSEE code.
	CommunePlace(code string) (Place, bool)
	// PointPlace returns the commune a point lies in by the one placing
	// rule of site layers and uploads (inside a boundary, snapped to the
	// coast, or the declared commune where geometry cannot tell); ok is
	// false for a point in no commune.
	PointPlace(p orb.Point, declared string) (Place, bool)
	// OutsideReason explains why a point is in no commune, for errors.
	OutsideReason(p orb.Point) string
	// DepartementRegions returns every known département code with the
	// code of its région.
	DepartementRegions() map[string]string
}
