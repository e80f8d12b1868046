package data

import (
	"errors"
	"fmt"
	"slices"
)

// NewTerritory builds a territory in memory, without the data files: from
// current communes (Shape nil when a commune has none; Bound, Rep and
// AreaKm2 are computed from it; EPCI is set from the EPCIs' Members),
// départements, régions and EPCIs. Former codes and the reconciliation
// report stay empty. It is meant for small worlds built in code (tests,
// examples); it keeps the slices it is given.
func NewTerritory(communes []Commune, deps []Departement, regs []Region, epcis []EPCI) (*Territory, error) {
	t := &Territory{Communes: communes, Departements: deps, Regions: regs, EPCIs: epcis}
	t.indexCommunes()
	t.indexAdmin()
	var errs []error
	for i := 1; i < len(t.Communes); i++ {
		if t.Communes[i].Code == t.Communes[i-1].Code {
			errs = append(errs, fmt.Errorf("commune %s: listed twice", t.Communes[i].Code))
		}
	}
	for i := range t.Communes {
		c := &t.Communes[i]
		if _, ok := t.depByCode[c.Departement]; !ok {
			errs = append(errs, fmt.Errorf("commune %s: unknown département %q", c.Code, c.Departement))
		}
		if _, ok := t.regByCode[c.Region]; !ok {
			errs = append(errs, fmt.Errorf("commune %s: unknown région %q", c.Code, c.Region))
		}
		c.EPCI = ""
		if c.HasShape() {
			c.Bound = c.Shape.Bound()
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("territory: %w", errors.Join(errs...))
	}
	for i := range t.EPCIs {
		t.EPCIs[i].Members = slices.Clone(t.EPCIs[i].Members)
	}
	t.joinEPCIs()
	t.locate()
	t.Report.Communes = len(t.Communes)
	return t, nil
}
