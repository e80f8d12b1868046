package accessibility

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/maillage/maillage/matching/coverage"
)

// ErrBadAccessSelect is returned by Access.Select for an unknown level or
// order.
var ErrBadAccessSelect = errors.New("bad access selection")

// Orders of Access.Select.
const (
	// AccessSortAccess puts the lowest accessibility first (ties: the most
	// demand first): the places a prefect looks at first.
	AccessSortAccess = "access"
	// AccessSortDemand puts the most demand (people in difficulty) first.
	AccessSortDemand = "demand"
	// AccessSortBelowHalf puts the most demand below half the reference
	// first.
	AccessSortBelowHalf = "below_half"
)

// AccessSorts are the orders Select accepts ("" keeps the territory's).
func AccessSorts() []string { return []string{AccessSortAccess, AccessSortDemand, AccessSortBelowHalf} }

// Select returns the areas of level (LevelNational, LevelRegion,
// LevelDepartement, LevelEPCI or LevelCommune), only those of département
// dep when it is set (communes in it, EPCI holding one of its communes,
// the département itself), in the order sortBy ("" for the territory's).
// For communes the commune records come alongside, in the same order.
func (a *Access) Select(level, dep, sortBy string) ([]AccessArea, []CommuneAccess, error) {
	var areas []AccessArea
	var communes []CommuneAccess
	switch level {
	case coverage.LevelNational:
		areas = []AccessArea{a.National}
	case coverage.LevelRegion:
		areas = slices.Clone(a.Regions)
	case coverage.LevelDepartement:
		for _, d := range a.Departements {
			if dep == "" || d.Code == dep {
				areas = append(areas, d)
			}
		}
	case coverage.LevelEPCI:
		in := map[string]bool{}
		for _, c := range a.Communes {
			if dep == "" || c.Departement == dep {
				in[c.EPCI] = true
			}
		}
		for _, e := range a.EPCIs {
			if in[e.Code] {
				areas = append(areas, e)
			}
		}
	case coverage.LevelCommune:
		for _, c := range a.Communes {
			if dep == "" || c.Departement == dep {
				communes = append(communes, c)
			}
		}
	default:
		return nil, nil, fmt.Errorf("%w: level %q (want national, region, departement, epci or commune)", ErrBadAccessSelect, level)
	}
	var less func(x, y *AccessArea) int
	switch sortBy {
	case "":
	case AccessSortAccess:
		less = func(x, y *AccessArea) int {
			return cmp.Or(cmp.Compare(x.AccessPer10k, y.AccessPer10k), cmp.Compare(y.Demand, x.Demand))
		}
	case AccessSortDemand:
		less = func(x, y *AccessArea) int { return cmp.Compare(y.Demand, x.Demand) }
	case AccessSortBelowHalf:
		less = func(x, y *AccessArea) int {
			return cmp.Or(cmp.Compare(y.DemandBelowHalf, x.DemandBelowHalf), cmp.Compare(x.AccessPer10k, y.AccessPer10k))
		}
	default:
		return nil, nil, fmt.Errorf("%w: sort %q (want %s, %s or %s)", ErrBadAccessSelect, sortBy, AccessSortAccess, AccessSortDemand, AccessSortBelowHalf)
	}
	if communes != nil {
		if less != nil {
			slices.SortStableFunc(communes, func(x, y CommuneAccess) int { return less(&x.AccessArea, &y.AccessArea) })
		}
		areas = make([]AccessArea, len(communes))
		for i := range communes {
			areas[i] = communes[i].AccessArea
		}
		return areas, communes, nil
	}
	if less != nil {
		slices.SortStableFunc(areas, func(x, y AccessArea) int { return less(&x, &y) })
	}
	return areas, nil, nil
}
