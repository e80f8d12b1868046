package matching

import (
	"slices"
	"sync"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/geo"
)

// CoverageIndex is what every coverage query needs besides the nearest-site
// distances, built once per engine on the first query: the cells and
// communes of every département and région, grid adjacency, and the cell →
// communes relation. None of it depends on layers or
// thresholds.
type CoverageIndex struct {
	national   *scope
	deps       []*scope // by index in Territory.Departements
	regs       []*scope // by index in Territory.Regions
	DepByCode  map[string]int
	RegByCode  map[string]int
	epciByCode map[string]int

	CommuneDep  []int32 // département index per commune, -1 when unknown
	CommuneReg  []int32
	CommuneEPCI []int32 // EPCI index, -1 when none

	adj *geo.Adjacency // grid adjacency, for gap zones and their outlines

	// cell → communes (owner of the centre first, then communes holding a
	// population share there): cellComm[cellCommStart[i]:cellCommStart[i+1]].
	cellCommStart []int32
	cellComm      []int32
	cellCommPop   []float64 // population of cellComm[k] in the cell (fractional)
}

// coverageIndexOnce holds the lazily built coverageIndex of an engine.
type coverageIndexOnce struct {
	once sync.Once
	ix   *CoverageIndex
}

// scope is the part of the grid and the communes one query looks at: the
// nation, a région or a département.
type scope struct {
	level, code, name string
	communes          []int32 // commune indexes, ascending
	// cells are the grid indexes of the scope, ascending: the cells of its
	// communes' population shares (every cell whose centre lies in one of
	// them, and the representative-point cells of the smallest).
	// nil for the national scope, which holds every cell.
	cells []int32
	// cellPop is the population of the scope's communes in each scope cell,
	// aligned with cells (Grid.Population for the national scope).
	cellPop []float64
}

// Scope levels.
const (
	LevelNational    = "national"
	LevelRegion      = "region"
	LevelDepartement = "departement"
	LevelEPCI        = "epci"
	LevelCommune     = "commune"
)

// len returns the number of cells of the scope.
func (s *scope) len() int { return len(s.cellPop) }

// cell returns the grid index of the scope's k-th cell.
func (s *scope) cell(k int) int {
	if s.cells == nil {
		return k
	}
	return int(s.cells[k])
}

// pos returns the position in the scope of grid cell i, or -1.
func (s *scope) pos(i int32) int {
	if s.cells == nil {
		return int(i)
	}
	k, ok := slices.BinarySearch(s.cells, i)
	if !ok {
		return -1
	}
	return k
}

// coverageIndex returns the cache's coverage index, building it once.
func (c *coverageCache) coverageIndex() *CoverageIndex {
	c.index.once.Do(func() { c.index.ix = buildCoverageIndex(c.territory, c.grid, c.workers) })
	return c.index.ix
}

func buildCoverageIndex(t *data.Territory, g *geo.Grid, workers int) *CoverageIndex {
	nc := len(t.Communes)
	ix := &CoverageIndex{
		DepByCode: map[string]int{}, RegByCode: map[string]int{}, epciByCode: map[string]int{},
		CommuneDep: make([]int32, nc), CommuneReg: make([]int32, nc), CommuneEPCI: make([]int32, nc),
	}
	for i, d := range t.Departements {
		ix.DepByCode[d.Code] = i
	}
	for i, r := range t.Regions {
		ix.RegByCode[r.Code] = i
	}
	for i, p := range t.EPCIs {
		ix.epciByCode[p.Code] = i
	}
	look := func(m map[string]int, code string) int32 {
		if i, ok := m[code]; ok {
			return int32(i)
		}
		return -1
	}
	for i := range t.Communes {
		c := &t.Communes[i]
		ix.CommuneDep[i] = look(ix.DepByCode, c.Departement)
		ix.CommuneReg[i] = look(ix.RegByCode, c.Region)
		ix.CommuneEPCI[i] = look(ix.epciByCode, c.EPCI)
	}

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); ix.adj = g.Adjacency(workers) }()
	go func() { defer wg.Done(); ix.buildRelations(g); ix.buildScopes(t, g) }()
	wg.Wait()
	return ix
}

// buildRelations fills the cell → communes relation: for every cell, the
// commune owning its centre first (when any), then the other communes
// holding a population share there, each with its population in the cell.
func (ix *CoverageIndex) buildRelations(g *geo.Grid) {
	n := len(g.Cells)
	ix.cellCommStart = make([]int32, n+1)
	for i, c := range g.Commune {
		if c >= 0 {
			ix.cellCommStart[i+1]++
		}
	}
	nShares := len(g.ShareStart) - 1
	for ci := 0; ci < nShares; ci++ {
		for _, s := range g.Shares[g.ShareStart[ci]:g.ShareStart[ci+1]] {
			if g.Commune[s.Cell] != int32(ci) {
				ix.cellCommStart[s.Cell+1]++
			}
		}
	}
	for i := 0; i < n; i++ {
		ix.cellCommStart[i+1] += ix.cellCommStart[i]
	}
	ix.cellComm = make([]int32, ix.cellCommStart[n])
	ix.cellCommPop = make([]float64, ix.cellCommStart[n])
	pos := slices.Clone(ix.cellCommStart[:n])
	for i, c := range g.Commune {
		if c >= 0 {
			ix.cellComm[pos[i]] = c
			pos[i]++
		}
	}
	for ci := 0; ci < nShares; ci++ {
		for _, s := range g.Shares[g.ShareStart[ci]:g.ShareStart[ci+1]] {
			if g.Commune[s.Cell] == int32(ci) {
				ix.cellCommPop[ix.cellCommStart[s.Cell]] = s.Population
				continue
			}
			ix.cellComm[pos[s.Cell]], ix.cellCommPop[pos[s.Cell]] = int32(ci), s.Population
			pos[s.Cell]++
		}
	}
}

// buildScopes builds the national, département and région scopes from the
// cell → communes relation (so their cells come out sorted). A commune
// belongs to the région of its département.
func (ix *CoverageIndex) buildScopes(t *data.Territory, g *geo.Grid) {
	all := make([]int32, len(t.Communes))
	for i := range all {
		all[i] = int32(i)
	}
	ix.national = &scope{level: LevelNational, code: "FR", name: "France", communes: all, cellPop: g.Population}

	regOfDep := make([]int32, len(t.Departements))
	ix.deps = make([]*scope, len(t.Departements))
	for d, dep := range t.Departements {
		ix.deps[d] = &scope{level: LevelDepartement, code: dep.Code, name: dep.Name}
		regOfDep[d] = -1
		if r, ok := ix.RegByCode[dep.Region]; ok {
			regOfDep[d] = int32(r)
		}
	}
	ix.regs = make([]*scope, len(t.Regions))
	for r, reg := range t.Regions {
		ix.regs[r] = &scope{level: LevelRegion, code: reg.Code, name: reg.Name}
	}
	add := func(s *scope, cell int32, pop float64) {
		if k := len(s.cells) - 1; k >= 0 && s.cells[k] == cell {
			s.cellPop[k] += pop
			return
		}
		s.cells = append(s.cells, cell)
		s.cellPop = append(s.cellPop, pop)
	}
	for ci := range t.Communes {
		if d := ix.CommuneDep[ci]; d >= 0 {
			ix.deps[d].communes = append(ix.deps[d].communes, int32(ci))
			if r := regOfDep[d]; r >= 0 {
				ix.regs[r].communes = append(ix.regs[r].communes, int32(ci))
			}
		}
	}
	for i := range g.Cells {
		for k := ix.cellCommStart[i]; k < ix.cellCommStart[i+1]; k++ {
			d := ix.CommuneDep[ix.cellComm[k]]
			if d < 0 {
				continue
			}
			add(ix.deps[d], int32(i), ix.cellCommPop[k])
			if r := regOfDep[d]; r >= 0 {
				add(ix.regs[r], int32(i), ix.cellCommPop[k])
			}
		}
	}
}
