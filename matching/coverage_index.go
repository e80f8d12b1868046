package matching

import (
	"slices"
	"sync"

	h3 "github.com/uber/h3-go/v4"

	"github.com/maillage/maillage/geo"
)

// coverageIndex is what every coverage query needs besides the nearest-site
// distances, built once per engine on the first query: the cells and
// communes of every département and région, grid adjacency and cell areas,
// and the cell → communes relation. None of it depends on layers or
// thresholds.
type coverageIndex struct {
	national   *scope
	deps       []*scope // by index in Territory.Departements
	regs       []*scope // by index in Territory.Regions
	depByCode  map[string]int
	regByCode  map[string]int
	epciByCode map[string]int

	communeDep  []int32 // département index per commune, -1 when unknown
	communeReg  []int32
	communeEPCI []int32 // EPCI index, -1 when none

	cellNb      []int32   // 6 neighbour grid indexes per cell, -1 when absent from the grid
	cellAreaKm2 []float32 // area of each cell

	// cell → communes (owner of the centre first, then communes holding a
	// population share there): cellComm[cellCommStart[i]:cellCommStart[i+1]].
	cellCommStart []int32
	cellComm      []int32
}

// coverageIndexOnce holds the lazily built coverageIndex of an engine.
type coverageIndexOnce struct {
	once sync.Once
	ix   *coverageIndex
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
	cellPop []int32
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

// coverageIndex returns the engine's coverage index, building it once.
func (e *Engine) coverageIndex() *coverageIndex {
	e.covIndex.once.Do(func() { e.covIndex.ix = buildCoverageIndex(e) })
	return e.covIndex.ix
}

func buildCoverageIndex(e *Engine) *coverageIndex {
	t, g := e.Territory, e.Grid
	nc := len(t.Communes)
	ix := &coverageIndex{
		depByCode: map[string]int{}, regByCode: map[string]int{}, epciByCode: map[string]int{},
		communeDep: make([]int32, nc), communeReg: make([]int32, nc), communeEPCI: make([]int32, nc),
	}
	for i, d := range t.Departements {
		ix.depByCode[d.Code] = i
	}
	for i, r := range t.Regions {
		ix.regByCode[r.Code] = i
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
		ix.communeDep[i] = look(ix.depByCode, c.Departement)
		ix.communeReg[i] = look(ix.regByCode, c.Region)
		ix.communeEPCI[i] = look(ix.epciByCode, c.EPCI)
	}

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); ix.buildAdjacency(g, e.workers) }()
	go func() { defer wg.Done(); ix.buildRelations(g); ix.buildScopes(e) }()
	wg.Wait()
	return ix
}

// buildAdjacency fills cellNb and cellAreaKm2 from H3.
func (ix *coverageIndex) buildAdjacency(g *geo.Grid, workers int) {
	n := len(g.Cells)
	ix.cellNb = make([]int32, 6*n)
	ix.cellAreaKm2 = make([]float32, n)
	const chunk = 4096
	parallelChunks(workers, (n+chunk-1)/chunk, func(c int) {
		for i := c * chunk; i < min(n, (c+1)*chunk); i++ {
			ix.cellAreaKm2[i] = float32(h3.CellAreaKm2(g.Cells[i]))
			nb := ix.cellNb[6*i : 6*i+6]
			for j := range nb {
				nb[j] = -1
			}
			j := 0
			for _, d := range h3.GridDisk(g.Cells[i], 1) {
				if d == 0 || d == g.Cells[i] || j == 6 {
					continue
				}
				if k, ok := slices.BinarySearch(g.Cells, d); ok {
					nb[j] = int32(k)
					j++
				}
			}
		}
	})
}

// buildRelations fills the cell → communes relation.
func (ix *coverageIndex) buildRelations(g *geo.Grid) {
	n := len(g.Cells)
	// cell → communes: owner first, then share holders other than the owner.
	ix.cellCommStart = make([]int32, n+1)
	for i, c := range g.Commune {
		if c >= 0 {
			ix.cellCommStart[i+1]++
		}
	}
	forShares := func(fn func(commune int32, s geo.CellShare)) {
		for ci := 0; ci+1 < len(g.ShareStart); ci++ {
			for _, s := range g.Shares[g.ShareStart[ci]:g.ShareStart[ci+1]] {
				if g.Commune[s.Cell] != int32(ci) {
					fn(int32(ci), s)
				}
			}
		}
	}
	forShares(func(_ int32, s geo.CellShare) { ix.cellCommStart[s.Cell+1]++ })
	for i := 0; i < n; i++ {
		ix.cellCommStart[i+1] += ix.cellCommStart[i]
	}
	ix.cellComm = make([]int32, ix.cellCommStart[n])
	pos := slices.Clone(ix.cellCommStart[:n])
	for i, c := range g.Commune {
		if c >= 0 {
			ix.cellComm[pos[i]] = c
			pos[i]++
		}
	}
	forShares(func(ci int32, s geo.CellShare) {
		ix.cellComm[pos[s.Cell]] = ci
		pos[s.Cell]++
	})
}

// buildScopes builds the national, département and région scopes.
func (ix *coverageIndex) buildScopes(e *Engine) {
	t, g := e.Territory, e.Grid
	all := make([]int32, len(t.Communes))
	for i := range all {
		all[i] = int32(i)
	}
	ix.national = &scope{level: LevelNational, code: "FR", name: "France", communes: all, cellPop: g.Population}

	type entry struct{ cell, pop int32 }
	depEntries := make([][]entry, len(t.Departements))
	depCommunes := make([][]int32, len(t.Departements))
	for ci := range t.Communes {
		d := ix.communeDep[ci]
		if d < 0 {
			continue
		}
		depCommunes[d] = append(depCommunes[d], int32(ci))
		for _, s := range g.Shares[g.ShareStart[ci]:g.ShareStart[ci+1]] {
			depEntries[d] = append(depEntries[d], entry{s.Cell, s.Population})
		}
	}
	build := func(level, code, name string, communes []int32, entries []entry) *scope {
		slices.SortFunc(entries, func(a, b entry) int { return int(a.cell - b.cell) })
		s := &scope{level: level, code: code, name: name, communes: communes,
			cells: make([]int32, 0, len(entries)), cellPop: make([]int32, 0, len(entries))}
		for k, en := range entries {
			if k > 0 && en.cell == entries[k-1].cell {
				s.cellPop[len(s.cellPop)-1] += en.pop
				continue
			}
			s.cells = append(s.cells, en.cell)
			s.cellPop = append(s.cellPop, en.pop)
		}
		return s
	}
	ix.deps = make([]*scope, len(t.Departements))
	regEntries := make([][]entry, len(t.Regions))
	regCommunes := make([][]int32, len(t.Regions))
	for d, dep := range t.Departements {
		if r, ok := ix.regByCode[dep.Region]; ok {
			regEntries[r] = append(regEntries[r], depEntries[d]...)
			regCommunes[r] = append(regCommunes[r], depCommunes[d]...)
		}
		ix.deps[d] = build(LevelDepartement, dep.Code, dep.Name, depCommunes[d], depEntries[d])
	}
	ix.regs = make([]*scope, len(t.Regions))
	for r, reg := range t.Regions {
		slices.Sort(regCommunes[r])
		ix.regs[r] = build(LevelRegion, reg.Code, reg.Name, regCommunes[r], regEntries[r])
	}
}
