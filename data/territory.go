package data

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/maillage/maillage/data/boundaries"

	"github.com/maillage/maillage/data/textio"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
)

// territoryFiles are the five files LoadTerritory reads from its folder.
type territoryFiles struct {
	boundaries, communes, departements, regions, epci string
}

// findTerritoryFiles resolves the territory files inside dir: the
// boundaries and the four files of the newest decoupage-administratif
// release (COGRelease).
func findTerritoryFiles(dir string) (territoryFiles, error) {
	var f territoryFiles
	var errs []error
	p, err := textio.FindFile(dir, CommunesFile)
	errs = append(errs, err)
	f.boundaries = p
	for _, x := range []struct {
		dst  *string
		part string
	}{
		{&f.communes, "communes"},
		{&f.departements, "departements"},
		{&f.regions, "regions"},
		{&f.epci, "epci"},
	} {
		p, err := cogFilePath(dir, x.part)
		errs = append(errs, err)
		*x.dst = p
	}
	return f, errors.Join(errs...)
}

// admin is what the COG files of a territory hold.
type admin struct {
	communes     []cogCommune
	departements []Departement
	regions      []Region
	epcis        []EPCI
}

// loadAdmin reads the four COG files.
func loadAdmin(f territoryFiles) (admin, error) {
	var a admin
	var err error
	if a.communes, err = loadCOGCommunes(f.communes); err != nil {
		return a, err
	}
	if a.departements, err = loadDepartements(f.departements); err != nil {
		return a, err
	}
	if a.regions, err = loadRegions(f.regions); err != nil {
		return a, err
	}
	a.epcis, err = loadEPCIs(f.epci)
	return a, err
}

// LoadTerritory loads the territory from the data folder dir: the 2018
// commune boundaries (CommunesFile) joined by INSEE code to the current
// communes of the COG (COGCommunesFile, or the newest release in dir:
// COGRelease) with their populations, the
// départements, régions and EPCI, and the commune index.
//
// Boundaries and COG files are read concurrently; the boundaries are parsed
// on GOMAXPROCS goroutines. How every boundary and commune was joined is in
// Territory.Report (see reconcile).
func LoadTerritory(dir string) (*Territory, error) {
	return LoadTerritoryReusing(dir, nil)
}

// LoadTerritoryReusing is LoadTerritory for a reload: from prev, the
// territory in service (nil: none), it takes whatever depends only on
// geometry that is unchanged (territory_reuse.go), and builds the rest.
// The result equals LoadTerritory's; prev is only read.
func LoadTerritoryReusing(dir string, prev *Territory) (*Territory, error) {
	files, err := findTerritoryFiles(dir)
	if err != nil {
		return nil, fmt.Errorf("territory %s: %w", dir, err)
	}
	var (
		bounds    []boundaries.Boundary
		features  *boundaries.Features
		boundsErr error
		wg        sync.WaitGroup
	)
	wg.Go(func() {
		bounds, features, boundsErr = boundaries.LoadReusing(files.boundaries, prev.boundaryFeatures())
	})
	adm, admErr := loadAdmin(files)
	wg.Wait()
	if err := errors.Join(boundsErr, admErr); err != nil {
		return nil, err
	}
	t, err := newTerritoryFrom(bounds, adm, prev)
	if err != nil {
		return nil, err
	}
	t.features = features
	t.reused.Features = features.Reused()
	return t, nil
}

// newTerritory builds a Territory from parsed boundaries and COG files.
func newTerritory(bounds []boundaries.Boundary, adm admin) (*Territory, error) {
	return newTerritoryFrom(bounds, adm, nil)
}

// newTerritoryFrom is newTerritory reusing from prev (nil: nothing) the
// shapes, measures and index of communes whose geometry is unchanged.
func newTerritoryFrom(bounds []boundaries.Boundary, adm admin, prev *Territory) (*Territory, error) {
	t := &Territory{Departements: adm.departements, Regions: adm.regions, EPCIs: adm.epcis}
	t.prev = newShapeReuse(prev)
	defer func() { t.prev = nil }() // the new territory must not keep the old one alive
	n := 0
	for _, c := range adm.communes {
		if c.Type == cogCurrent {
			n++
		}
	}
	t.Communes = make([]Commune, 0, n)
	for _, c := range adm.communes {
		if c.Type != cogCurrent {
			continue
		}
		t.Communes = append(t.Communes, Commune{
			Code: c.Code, Name: c.Name, Departement: c.Departement, Region: c.Region,
			Zone: c.Zone, Population: c.Population,
		})
	}
	t.indexCommunes()
	t.resolveFormerCodes(adm.communes)
	t.reconcile(bounds)
	t.joinEPCIs()
	t.indexAdmin()
	t.locate()
	t.reused.Geometry = t.prev.sameGeometry(t)
	return t, nil
}

// indexCommunes sorts the communes by code and builds their lookups.
func (t *Territory) indexCommunes() {
	slices.SortFunc(t.Communes, func(a, b Commune) int { return cmp.Compare(a.Code, b.Code) })
	t.byCode = make(map[string]int, len(t.Communes))
	t.byDep = make(map[string][]int)
	for i, c := range t.Communes {
		t.byCode[c.Code] = i
		t.byDep[c.Departement] = append(t.byDep[c.Departement], i)
	}
}

// locate indexes the commune shapes and measures them (Rep, AreaKm2).
func (t *Territory) locate() {
	shapes := make([]orb.MultiPolygon, len(t.Communes))
	for i := range t.Communes {
		shapes[i] = t.Communes[i].Shape
	}
	// The index is built on one goroutine while the others measure.
	var wg sync.WaitGroup
	wg.Go(func() { t.Index = t.prev.index(shapes, &t.reused) })
	t.measure()
	wg.Wait()
}

// resolveFormerCodes maps every delegated, associated and arrondissement
// code to the current commune it belongs to, following chefLieu chains
// (a delegated commune of a commune merged again). A code that is also a
// current commune (the chef-lieu's own delegated entry) stays current.
func (t *Territory) resolveFormerCodes(cog []cogCommune) {
	next := make(map[string]string, len(cog)-len(t.Communes))
	var order []string
	for _, c := range cog {
		if c.Type == cogCurrent {
			continue
		}
		if _, cur := t.byCode[c.Code]; cur {
			continue
		}
		target := c.ChefLieu
		if c.Type == cogArrondissement && c.Commune != "" {
			target = c.Commune
		}
		if _, seen := next[c.Code]; !seen {
			next[c.Code] = target
			order = append(order, c.Code)
		}
	}
	// Former codes listed by the current commune that absorbed them (merged
	// without delegated status, e.g. Olonne-sur-Mer into Les Sables-d'Olonne).
	for _, c := range cog {
		if c.Type != cogCurrent {
			continue
		}
		for _, old := range c.AnciensCodes {
			if _, cur := t.byCode[old]; cur {
				continue
			}
			if _, seen := next[old]; !seen {
				next[old] = c.Code
				order = append(order, old)
			}
		}
	}
	t.formerCode = make(map[string]string, len(next))
	for _, code := range order {
		target := next[code]
		for hop := 0; hop < 8; hop++ {
			if _, cur := t.byCode[target]; cur {
				t.formerCode[code] = target
				break
			}
			n, ok := next[target]
			if !ok {
				break
			}
			target = n
		}
		if _, ok := t.formerCode[code]; !ok {
			t.Report.FormerCodesUnresolved = append(t.Report.FormerCodesUnresolved, code)
		}
	}
	t.Report.FormerCodes = len(t.formerCode)
	slices.Sort(t.Report.FormerCodesUnresolved)
}

// Commune returns the current commune of code, which may be a current
// code or a former, delegated, associated or arrondissement code.
func (t *Territory) Commune(code string) (*Commune, bool) {
	cur, ok := t.CurrentCode(code)
	if !ok {
		return nil, false
	}
	return &t.Communes[t.byCode[cur]], true
}

// CurrentCode returns the current INSEE code for code: code itself when it
// is current, else the commune a former, delegated, associated or
// arrondissement code belongs to.
func (t *Territory) CurrentCode(code string) (string, bool) {
	if _, ok := t.byCode[code]; ok {
		return code, true
	}
	cur, ok := t.formerCode[code]
	return cur, ok
}

// CommuneID returns the index in Communes of the commune of code (resolved
// as by CurrentCode).
func (t *Territory) CommuneID(code string) (int, bool) {
	cur, ok := t.CurrentCode(code)
	if !ok {
		return 0, false
	}
	return t.byCode[cur], true
}

// At returns the commune whose shape contains p.
func (t *Territory) At(p orb.Point) (*Commune, bool) {
	id, ok := t.Index.At(p)
	if !ok {
		return nil, false
	}
	return &t.Communes[id], true
}

// CommunesIn returns the ids (indexes in Communes, ascending) of the
// current communes of a département; the slice is a copy.
func (t *Territory) CommunesIn(departement string) []int {
	return slices.Clone(t.byDep[departement])
}

// UnmatchedAt returns the unmatched 2018 boundary (a former commune joined
// to no current commune) containing p, if any: the reason a point inside
// France is in no commune.
func (t *Territory) UnmatchedAt(p orb.Point) (*boundaries.Boundary, bool) {
	for i := range t.Unmatched {
		b := &t.Unmatched[i]
		if b.Bound.Contains(p) && geo.MultiPolygonContains(b.Shape, p) {
			return b, true
		}
	}
	return nil, false
}
