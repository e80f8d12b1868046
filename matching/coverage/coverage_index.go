package coverage

import (
	"slices"
	"sync"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/geo"
)

// Index is what every coverage query needs besides the nearest-site
// distances, built once per Cache on the first query: the cells and
// communes of every département and région, grid adjacency, and the cell →
// communes relation. None of it depends on layers or
// thresholds.
type Index struct {
	National   *CellScope
	Deps       []*CellScope // by index in Territory.Departements
	Regs       []*CellScope // by index in Territory.Regions
	DepByCode  map[string]int
	RegByCode  map[string]int
	epciByCode map[string]int

	CommuneDep  []int32 // département index per commune, -1 when unknown
	CommuneReg  []int32
	CommuneEPCI []int32 // EPCI index, -1 when none
	regOfDep    []int32 // région index of each département, -1 when unknown

	adj *geo.Adjacency // grid adjacency, for gap zones and their outlines

	// cell → communes (owner of the centre first, then communes holding a
	// population share there): cellComm[cellCommStart[i]:cellCommStart[i+1]].
	CellCommStart []int32
	CellComm      []int32
	CellCommPop   []float64 // population of cellComm[k] in the cell (fractional)
}

// indexOnce holds the lazily built Index of a Cache.
type indexOnce struct {
	once sync.Once
	ix   *Index
}

// CellScope is the part of the grid and the communes one query looks at: the
// nation, a région or a département.
type CellScope struct {
	Level, Code, Name string
	Communes          []int32 // commune indexes, ascending
	// cells are the grid indexes of the scope, ascending: the cells of its
	// communes' population shares (every cell whose centre lies in one of
	// them, and the representative-point cells of the smallest).
	// nil for the national scope, which holds every cell.
	Cells []int32
	// pop is Grid.Population for the national scope, nil for the others,
	// whose cells' populations CellPop sums from the cell → communes
	// relation of ix (held once: the départements and régions held them
	// again, 16 MB).
	pop      []float64
	ix       *Index
	dep, reg int32 // the département or the région of the scope (-1 for the other)
}

// Scope levels.
const (
	LevelNational    = "national"
	LevelRegion      = "region"
	LevelDepartement = "departement"
	LevelEPCI        = "epci"
	LevelCommune     = "commune"
)

// Len returns the number of cells of the scope.
func (s *CellScope) Len() int {
	if s.Cells == nil {
		return len(s.pop)
	}
	return len(s.Cells)
}

// CellPop returns the population of the scope's communes in its k-th
// cell: for a département or a région, the populations of its communes'
// shares in the cell summed in the order of the relation (the order in
// which the scopes summed them when they held them).
func (s *CellScope) CellPop(k int) float64 {
	if s.pop != nil {
		return s.pop[k]
	}
	ix, i := s.ix, s.Cells[k]
	var sum float64
	first := true
	for j := ix.CellCommStart[i]; j < ix.CellCommStart[i+1]; j++ {
		d := ix.CommuneDep[ix.CellComm[j]]
		if d < 0 || d != s.dep && (s.reg < 0 || ix.regOfDep[d] != s.reg) {
			continue
		}
		if first { // the first share is the sum, as when it was appended
			sum, first = ix.CellCommPop[j], false
		} else {
			sum += ix.CellCommPop[j]
		}
	}
	return sum
}

// Cell returns the grid index of the scope's k-th cell.
func (s *CellScope) Cell(k int) int {
	if s.Cells == nil {
		return k
	}
	return int(s.Cells[k])
}

// Pos returns the position in the scope of grid cell i, or -1.
func (s *CellScope) Pos(i int32) int {
	if s.Cells == nil {
		return int(i)
	}
	k, ok := slices.BinarySearch(s.Cells, i)
	if !ok {
		return -1
	}
	return k
}

// Index returns the cells and communes of every area, the grid adjacency
// and the cell → communes relation, built on first use. Do not modify it.
func (c *Cache) Index() *Index {
	c.index.once.Do(func() { c.index.ix = buildCoverageIndex(c.territory, c.grid, c.workers) })
	return c.index.ix
}

func buildCoverageIndex(t *data.Territory, g *geo.Grid, workers int) *Index {
	nc := len(t.Communes)
	ix := &Index{
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
func (ix *Index) buildRelations(g *geo.Grid) {
	n := len(g.Cells)
	ix.CellCommStart = make([]int32, n+1)
	for i, c := range g.Commune {
		if c >= 0 {
			ix.CellCommStart[i+1]++
		}
	}
	nShares := len(g.ShareStart) - 1
	for ci := 0; ci < nShares; ci++ {
		for _, s := range g.Shares[g.ShareStart[ci]:g.ShareStart[ci+1]] {
			if g.Commune[s.Cell] != int32(ci) {
				ix.CellCommStart[s.Cell+1]++
			}
		}
	}
	for i := 0; i < n; i++ {
		ix.CellCommStart[i+1] += ix.CellCommStart[i]
	}
	ix.CellComm = make([]int32, ix.CellCommStart[n])
	ix.CellCommPop = make([]float64, ix.CellCommStart[n])
	pos := slices.Clone(ix.CellCommStart[:n])
	for i, c := range g.Commune {
		if c >= 0 {
			ix.CellComm[pos[i]] = c
			pos[i]++
		}
	}
	for ci := 0; ci < nShares; ci++ {
		for _, s := range g.Shares[g.ShareStart[ci]:g.ShareStart[ci+1]] {
			if g.Commune[s.Cell] == int32(ci) {
				ix.CellCommPop[ix.CellCommStart[s.Cell]] = s.Population
				continue
			}
			ix.CellComm[pos[s.Cell]], ix.CellCommPop[pos[s.Cell]] = int32(ci), s.Population
			pos[s.Cell]++
		}
	}
}

// buildScopes builds the national, département and région scopes from the
// cell → communes relation (so their cells come out sorted). A commune
// belongs to the région of its département.
func (ix *Index) buildScopes(t *data.Territory, g *geo.Grid) {
	all := make([]int32, len(t.Communes))
	for i := range all {
		all[i] = int32(i)
	}
	ix.National = &CellScope{Level: LevelNational, Code: "FR", Name: "France", Communes: all, pop: g.Population, dep: -1, reg: -1}

	regOfDep := make([]int32, len(t.Departements))
	ix.regOfDep = regOfDep
	ix.Deps = make([]*CellScope, len(t.Departements))
	for d, dep := range t.Departements {
		ix.Deps[d] = &CellScope{Level: LevelDepartement, Code: dep.Code, Name: dep.Name, ix: ix, dep: int32(d), reg: -1}
		regOfDep[d] = -1
		if r, ok := ix.RegByCode[dep.Region]; ok {
			regOfDep[d] = int32(r)
		}
	}
	ix.Regs = make([]*CellScope, len(t.Regions))
	for r, reg := range t.Regions {
		ix.Regs[r] = &CellScope{Level: LevelRegion, Code: reg.Code, Name: reg.Name, ix: ix, dep: -1, reg: int32(r)}
	}
	add := func(s *CellScope, cell int32) {
		if k := len(s.Cells) - 1; k < 0 || s.Cells[k] != cell {
			s.Cells = append(s.Cells, cell)
		}
	}
	for ci := range t.Communes {
		if d := ix.CommuneDep[ci]; d >= 0 {
			ix.Deps[d].Communes = append(ix.Deps[d].Communes, int32(ci))
			if r := regOfDep[d]; r >= 0 {
				ix.Regs[r].Communes = append(ix.Regs[r].Communes, int32(ci))
			}
		}
	}
	for i := range g.Cells {
		for k := ix.CellCommStart[i]; k < ix.CellCommStart[i+1]; k++ {
			d := ix.CommuneDep[ix.CellComm[k]]
			if d < 0 {
				continue
			}
			add(ix.Deps[d], int32(i))
			if r := regOfDep[d]; r >= 0 {
				add(ix.Regs[r], int32(i))
			}
		}
	}
	// Appending left up to a quarter (twice, for small scopes) of each
	// array unused, kept for as long as the engine: keep exact copies.
	for _, s := range slices.Concat(ix.Deps, ix.Regs) {
		s.Cells = slices.Clone(s.Cells)
		s.Communes = slices.Clone(s.Communes)
	}
}
