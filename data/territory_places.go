package data

import (
	"github.com/maillage/maillage/data/people"
	"github.com/paulmach/orb"
)

// The territory as the loaders of data/people see it: Territory satisfies
// people.Places, which lets that package resolve communes without
// importing data.
var _ people.Places = (*Territory)(nil)

// place returns what the loaders need of c.
func (c *Commune) place() people.Place {
	return people.Place{Code: c.Code, Departement: c.Departement, Region: c.Region, Rep: c.Rep, HasShape: c.HasShape()}
}

// CommunePlace returns the current commune of a current or former code
// (as Commune), as the loaders of data/people see it.
func (t *Territory) CommunePlace(code string) (people.Place, bool) {
	if t == nil {
		return people.Place{}, false
	}
	c, ok := t.Commune(code)
	if !ok {
		return people.Place{}, false
	}
	return c.place(), true
}

// PointPlace returns the commune holding p by the placing rule of site
// layers and uploads (see place); ok is false for a point in no commune.
func (t *Territory) PointPlace(p orb.Point, declared string) (people.Place, bool) {
	if t == nil {
		return people.Place{}, false
	}
	c, how := t.place(p, declared)
	if how == locOutside {
		return people.Place{}, false
	}
	return c.place(), true
}

// DepartementRegions returns every département code with its région's,
// from the COG départements, else (a territory built without them) from
// the communes. The map is the caller's.
func (t *Territory) DepartementRegions() map[string]string {
	deps := map[string]string{}
	if t == nil {
		return deps
	}
	for _, d := range t.Departements {
		deps[d.Code] = d.Region
	}
	if len(deps) == 0 {
		for i := range t.Communes {
			deps[t.Communes[i].Departement] = t.Communes[i].Region
		}
	}
	return deps
}
