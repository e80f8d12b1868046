package indicators

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/maillage/maillage/data/textio"

	"github.com/maillage/maillage/data"
)

// Fragility is the digital fragility index of a commune: scores from 0 to
// 10, higher meaning more fragile; Total is their mean.
type Fragility struct {
	Total     float64 `json:"total"`
	NoTHD     float64 `json:"no_thd"`     // no very-high-speed internet coverage
	No4G      float64 `json:"no_4g"`      // no 4G coverage
	Poverty   float64 `json:"poverty"`    // poverty rate
	Older65   float64 `json:"older_65"`   // share of people over 65
	NoDiploma float64 `json:"no_diploma"` // people over 15 out of school without a diploma
}

// ZRR classes of a commune (rural revitalisation zones, 2021).
const (
	ZRRClassified    = "C"  // classée en ZRR
	ZRRPartial       = "P"  // partiellement classée (or formed of classified and unclassified former communes)
	ZRRNotClassified = "NC" // non classée
)

// CommuneIndicators are the indicators of one current commune.
type CommuneIndicators struct {
	Fragility *Fragility `json:"fragility"` // nil when unknown
	ZRR       string     `json:"zrr"`       // ZRRClassified, ZRRPartial, ZRRNotClassified or "" when unknown
}

// Indicators maps a current commune code to its indicators. A commune
// without any value has no entry.
type Indicators map[string]CommuneIndicators

// IndicatorFileReport accounts for the rows of one indicator file.
type IndicatorFileReport struct {
	File             string        `json:"file"`
	Read             int           `json:"read"`               // data rows (blank rows excluded)
	Blank            int           `json:"blank"`              // rows with every field empty, skipped
	Matched          int           `json:"matched"`            // rows whose code is a current commune
	MappedFromFormer int           `json:"mapped_from_former"` // rows of a former (delegated, associated) commune mapped to the current one
	Arrondissements  int           `json:"arrondissements"`    // rows of a municipal arrondissement of Paris, Lyon or Marseille
	Unknown          []string      `json:"unknown"`            // codes that are no current nor former commune
	Invalid          []data.Reject `json:"invalid"`            // rows without a usable value
	Combined         int           `json:"combined"`           // communes whose value merges several rows
	EqualWeights     int           `json:"equal_weights"`      // combined communes where a part had no weight, so parts weigh the same
	CommunesWithout  []string      `json:"communes_without"`   // current communes left without a value
}

// IndicatorReport accounts for both indicator files and says how the
// values of several rows were combined into one commune.
type IndicatorReport struct {
	Fragility IndicatorFileReport `json:"fragility"`
	ZRR       IndicatorFileReport `json:"zrr"`
	Weighting string              `json:"weighting"`
}

// indicatorWeighting documents the combination rule in the report.
const indicatorWeighting = "A commune's value comes from its own row and the rows of the former communes merged into it. " +
	"Several rows: fragility scores are averaged weighted by the 2018 boundary area of each part " +
	"(the COG lists no population for delegated or associated communes); Paris, Lyon and Marseille, " +
	"which have no row of their own, average their arrondissements weighted by population. " +
	"ZRR: the common class of the parts, or P (partially classified) when they differ."

// LoadIndicators reads the digital fragility index (data.FragilityFile) and the
// ZRR classes (data.ZRRFile) from dir and joins them to t's current communes.
// Rows of former communes go to the commune they merged into; when several
// rows meet in one commune, see IndicatorReport.Weighting. It reads the COG
// communes file of dir for the kind and population of former codes; merged
// parts are weighed by the areas t measured of their 2018 boundaries
// (data.Territory.BoundaryAreaKm2), so t must come from the same folder.
func LoadIndicators(dir string, t *data.Territory) (Indicators, IndicatorReport, error) {
	src, err := ReadSources(dir)
	if err != nil {
		return nil, IndicatorReport{Weighting: indicatorWeighting}, err
	}
	ind, rep := src.Join(t)
	return ind, rep, nil
}

// Sources are the indicator files of a folder as read, before they are
// joined to a territory: the rows of both files and the COG parts. They
// depend on those files alone, so a reload whose commune boundaries
// changed but not them joins the same Sources to its new territory
// (Join) instead of reading them again. Read-only once read.
type Sources struct {
	cog             map[string]data.COGPart
	frag, zrr       []indicatorRow
	fragRep, zrrRep IndicatorFileReport // before the join
}

// ReadSources reads the indicator files and the COG parts of dir.
func ReadSources(dir string) (*Sources, error) {
	cog, err := loadCOGParts(dir)
	if err != nil {
		return nil, err
	}
	fragRows, fragRep, err := readFragility(dir)
	if err != nil {
		return nil, err
	}
	zrrRows, zrrRep, err := readZRR(dir)
	if err != nil {
		return nil, err
	}
	return &Sources{cog: cog, frag: fragRows, zrr: zrrRows, fragRep: fragRep, zrrRep: zrrRep}, nil
}

// Join joins the sources to t's current communes, as LoadIndicators
// does; t must come from the same folder. src is left unchanged.
func (src *Sources) Join(t *data.Territory) (Indicators, IndicatorReport) {
	rep := IndicatorReport{Weighting: indicatorWeighting}
	cog, fragRows, zrrRows := src.cog, src.frag, src.zrr
	fragRep, zrrRep := src.fragRep.detached(), src.zrrRep.detached()
	fragGroups := groupRows(t, cog, fragRows, &fragRep)
	zrrGroups := groupRows(t, cog, zrrRows, &zrrRep)

	areas := partAreas(t, fragGroups)
	out := make(Indicators, len(t.Communes))
	for code, g := range fragGroups {
		f, equal := combineFragility(g, cog, areas)
		if len(g.parts) > 1 || len(g.parts) == 0 && len(g.arrs) > 1 {
			fragRep.Combined++
			if equal {
				fragRep.EqualWeights++
			}
		}
		out[code] = CommuneIndicators{Fragility: f}
	}
	for code, g := range zrrGroups {
		ci := out[code]
		ci.ZRR = combineZRR(g)
		if len(g.parts) > 1 || len(g.parts) == 0 && len(g.arrs) > 1 {
			zrrRep.Combined++
		}
		out[code] = ci
	}
	for i := range t.Communes {
		code := t.Communes[i].Code
		ci := out[code]
		if ci.Fragility == nil {
			fragRep.CommunesWithout = append(fragRep.CommunesWithout, code)
		}
		if ci.ZRR == "" {
			zrrRep.CommunesWithout = append(zrrRep.CommunesWithout, code)
		}
	}
	rep.Fragility, rep.ZRR = fragRep, zrrRep
	return out, rep
}

// detached returns a copy of r whose lists the join may append to without
// writing into r's.
func (r IndicatorFileReport) detached() IndicatorFileReport {
	r.Unknown = slices.Clip(r.Unknown)
	r.Invalid = slices.Clip(r.Invalid)
	r.CommunesWithout = slices.Clip(r.CommunesWithout)
	return r
}

// indicatorRow is one valid row of an indicator file.
type indicatorRow struct {
	code string
	line int
	frag Fragility
	zrr  string
}

// rowGroup gathers the rows landing in one current commune: parts (its own
// row and those of former communes) and arrondissements.
type rowGroup struct {
	parts []*indicatorRow
	arrs  []*indicatorRow
}

// loadCOGParts reads the COG parts of the release in dir, the one
// LoadTerritory read.
func loadCOGParts(dir string) (map[string]data.COGPart, error) {
	parts, err := data.LoadCOGParts(dir)
	if err != nil {
		return nil, fmt.Errorf("indicators: %w", err)
	}
	return parts, nil
}

// groupRows assigns every row to its current commune and counts the joins.
func groupRows(t *data.Territory, cog map[string]data.COGPart, rows []indicatorRow, rep *IndicatorFileReport) map[string]*rowGroup {
	groups := make(map[string]*rowGroup, len(rows))
	unknown := map[string]bool{}
	for i := range rows {
		r := &rows[i]
		c, ok := t.Commune(r.code)
		if !ok {
			if p, known := cog[r.code]; known && p.Parent != "" {
				c, ok = t.Commune(p.Parent)
			}
		}
		if !ok {
			if !unknown[r.code] {
				unknown[r.code] = true
				rep.Unknown = append(rep.Unknown, r.code)
			}
			continue
		}
		g := groups[c.Code]
		if g == nil {
			g = &rowGroup{}
			groups[c.Code] = g
		}
		switch {
		case c.Code == r.code:
			rep.Matched++
			g.parts = append(g.parts, r)
		case cog[r.code].Arrondissement():
			rep.Arrondissements++
			g.arrs = append(g.arrs, r)
		default:
			rep.MappedFromFormer++
			g.parts = append(g.parts, r)
		}
	}
	sort.Strings(rep.Unknown)
	return groups
}

// partAreas returns the 2018 boundary area (km²) of every code that is one
// of several parts of a group, as measured when t was loaded; nil when no
// group needs it. A part without a boundary joined to t has no entry.
func partAreas(t *data.Territory, groups map[string]*rowGroup) map[string]float64 {
	var areas map[string]float64
	for _, g := range groups {
		if len(g.parts) < 2 {
			continue
		}
		if areas == nil {
			areas = map[string]float64{}
		}
		for _, r := range g.parts {
			if a, ok := t.BoundaryAreaKm2(r.code); ok {
				areas[r.code] = a
			}
		}
	}
	return areas
}

// combineFragility returns the group's value: the one row, or the weighted
// mean of its parts (by area) or else of its arrondissements (by
// population). equal is true when a missing weight made every part weigh 1.
func combineFragility(g *rowGroup, cog map[string]data.COGPart, areas map[string]float64) (f *Fragility, equal bool) {
	rows := g.parts
	weight := func(r *indicatorRow) (float64, bool) { a, ok := areas[r.code]; return a, ok && a > 0 }
	if len(rows) == 0 {
		rows = g.arrs
		weight = func(r *indicatorRow) (float64, bool) {
			p := cog[r.code]
			return float64(p.Population), p.HasPopulation && p.Population > 0
		}
	}
	if len(rows) == 1 {
		v := rows[0].frag
		return &v, false
	}
	ws := make([]float64, len(rows))
	for i, r := range rows {
		w, ok := weight(r)
		if !ok {
			equal = true
			break
		}
		ws[i] = w
	}
	var sum Fragility
	var total float64
	for i, r := range rows {
		w := ws[i]
		if equal {
			w = 1
		}
		total += w
		sum.Total += w * r.frag.Total
		sum.NoTHD += w * r.frag.NoTHD
		sum.No4G += w * r.frag.No4G
		sum.Poverty += w * r.frag.Poverty
		sum.Older65 += w * r.frag.Older65
		sum.NoDiploma += w * r.frag.NoDiploma
	}
	return &Fragility{
		Total: sum.Total / total, NoTHD: sum.NoTHD / total, No4G: sum.No4G / total,
		Poverty: sum.Poverty / total, Older65: sum.Older65 / total, NoDiploma: sum.NoDiploma / total,
	}, equal
}

// combineZRR returns the common class of the rows, or ZRRPartial when they
// differ.
func combineZRR(g *rowGroup) string {
	rows := g.parts
	if len(rows) == 0 {
		rows = g.arrs
	}
	class := ""
	for _, r := range rows {
		switch {
		case class == "":
			class = r.zrr
		case class != r.zrr:
			return ZRRPartial
		}
	}
	return class
}

// readFragility reads the fragility index CSV.
func readFragility(dir string) ([]indicatorRow, IndicatorFileReport, error) {
	rep := IndicatorFileReport{File: data.FragilityFile, Unknown: []string{}, Invalid: []data.Reject{}}
	cols := []string{"code", "total", "no_thd_coverage_rate", "no_4g_coverage_rate", "poverty_rate", "older_65_rate", "nscol15p_rate"}
	var rows []indicatorRow
	err := readIndicatorCSV(dir, data.FragilityFile, 0, cols, &rep, func(line int, v []string) {
		var f Fragility
		dst := []*float64{&f.Total, &f.NoTHD, &f.No4G, &f.Poverty, &f.Older65, &f.NoDiploma}
		for i, p := range dst {
			x, err := strconv.ParseFloat(v[i+1], 64)
			if err != nil || x < 0 || x > 10 {
				rep.Invalid = append(rep.Invalid, data.Reject{File: data.FragilityFile, Line: line, Where: "line", ID: v[0],
					Reason: fmt.Sprintf("%s %q is not a score in [0, 10]", cols[i+1], v[i+1])})
				return
			}
			*p = x
		}
		rows = append(rows, indicatorRow{code: v[0], line: line, frag: f})
	})
	return rows, rep, err
}

// zrrHeaderLines is how many lines precede the CODGEO header of the ZRR file.
const zrrHeaderLines = 5

// readZRR reads the ZRR CSV, skipping its 5 descriptive lines.
func readZRR(dir string) ([]indicatorRow, IndicatorFileReport, error) {
	rep := IndicatorFileReport{File: data.ZRRFile, Unknown: []string{}, Invalid: []data.Reject{}}
	var rows []indicatorRow
	err := readIndicatorCSV(dir, data.ZRRFile, zrrHeaderLines, []string{"CODGEO", "ZRR_SIMP"}, &rep, func(line int, v []string) {
		class, _, _ := strings.Cut(v[1], " - ")
		class = strings.TrimSpace(class)
		if class != ZRRClassified && class != ZRRPartial && class != ZRRNotClassified {
			rep.Invalid = append(rep.Invalid, data.Reject{File: data.ZRRFile, Line: line, Where: "line", ID: v[0],
				Reason: fmt.Sprintf("ZRR_SIMP %q is not a C, P or NC class", v[1])})
			return
		}
		rows = append(rows, indicatorRow{code: v[0], line: line, zrr: class})
	})
	return rows, rep, err
}

// readIndicatorCSV skips skip lines of dir/name, reads the header and calls
// fn with the 1-based file line and the values of cols (in that order) of
// every row that is not blank, counting Read, Blank and duplicate codes.
func readIndicatorCSV(dir, name string, skip int, cols []string, rep *IndicatorFileReport, fn func(line int, vals []string)) error {
	path, err := textio.FindFile(dir, name)
	if err != nil {
		return fmt.Errorf("indicators: %w", err)
	}
	f, err := textio.OpenFile(path)
	if err != nil {
		return fmt.Errorf("indicators %s: %w", path, err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	for i := range skip {
		if _, err := cr.Read(); err != nil {
			return fmt.Errorf("indicators %s: line %d: %w", path, i+1, err)
		}
	}
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("indicators %s: header: %w", path, err)
	}
	idx := make([]int, len(cols))
	for i, c := range cols {
		idx[i] = -1
		for j, h := range header {
			if strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) == c {
				idx[i] = j
			}
		}
		if idx[i] < 0 {
			return fmt.Errorf("indicators %s: header %v has no column %q", path, header, c)
		}
	}
	seen := map[string]int{}
	vals := make([]string, len(cols))
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("indicators %s: %w", path, err)
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			rep.Blank++
			continue
		}
		rep.Read++
		for i, j := range idx {
			vals[i] = ""
			if j < len(rec) {
				vals[i] = strings.TrimSpace(rec[j])
			}
		}
		if vals[0] == "" {
			rep.Invalid = append(rep.Invalid, data.Reject{File: filepath.Base(path), Line: line, Where: "line", Reason: "missing code"})
			continue
		}
		if first, dup := seen[vals[0]]; dup {
			rep.Invalid = append(rep.Invalid, data.Reject{File: filepath.Base(path), Line: line, Where: "line", ID: vals[0],
				Reason: fmt.Sprintf("duplicate code (first at line %d)", first)})
			continue
		}
		seen[vals[0]] = line
		fn(line, vals)
	}
}

// blank reports whether every field of rec is empty.
func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}
