package indicators

import (
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"testing"

	"github.com/maillage/maillage/data/boundaries"

	orbgeo "github.com/paulmach/orb/geo"

	"github.com/maillage/maillage/data"
)

// fixtureTerritory loads testdata: four communes, 01099 a delegated
// commune of 01002 with its own 2018 boundary, 2A004 with two
// arrondissements and 97501 without a boundary.
func fixtureTerritory(tb testing.TB) *data.Territory {
	tb.Helper()
	t, err := data.LoadTerritory("testdata")
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// realDir is the real data, relative to this package.
var realDir = filepath.Join("..", "..", "..", "shared", "data")

// realDataDir returns the real data directory, skipping without it.
func realDataDir(tb testing.TB) string {
	tb.Helper()
	if _, err := os.Stat(filepath.Join(realDir, data.CommunesFile)); err != nil {
		tb.Skipf("real data not found in %s: %v", realDir, err)
	}
	return realDir
}

// realTerritoryOnce loads the real territory once for this package's tests.
var realTerritoryOnce = sync.OnceValues(func() (*data.Territory, error) {
	return data.LoadTerritory(realDir)
})

// realTerritory returns the real territory, skipping without data.
func realTerritory(tb testing.TB) *data.Territory {
	tb.Helper()
	realDataDir(tb)
	t, err := realTerritoryOnce()
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func TestLoadIndicatorsFixture(t *testing.T) {
	ind, rep, err := LoadIndicators("testdata", fixtureTerritory(t))
	if err != nil {
		t.Fatal(err)
	}
	// 01002 = its own row (area A) and its delegated 01099 (area 2A):
	// (10 + 2·4)/3 = 6, no diploma (10 + 2·1)/3 = 4. 2A004 has an invalid
	// row: its arrondissements weigh 100 and 300 inhabitants:
	// (100·2 + 300·6)/400 = 5.
	want := map[string]CommuneIndicators{
		"01001": {Fragility: &Fragility{Total: 3, NoTHD: 1, No4G: 2, Poverty: 3, Older65: 4, NoDiploma: 5}, ZRR: "C"},
		"01002": {Fragility: &Fragility{Total: 6, NoTHD: 6, No4G: 6, Poverty: 6, Older65: 6, NoDiploma: 4}, ZRR: "P"},
		"2A004": {Fragility: &Fragility{Total: 5, NoTHD: 5, No4G: 5, Poverty: 5, Older65: 5, NoDiploma: 5}, ZRR: "NC"},
	}
	if len(ind) != len(want) {
		t.Errorf("%d communes with indicators, want %d: %v", len(ind), len(want), ind)
	}
	for code, w := range want {
		g, ok := ind[code]
		if !ok {
			t.Errorf("%s: no indicators", code)
			continue
		}
		if g.ZRR != w.ZRR {
			t.Errorf("%s: ZRR %q, want %q", code, g.ZRR, w.ZRR)
		}
		if g.Fragility == nil || !fragilityNear(*g.Fragility, *w.Fragility, 1e-9) {
			t.Errorf("%s: fragility %+v, want %+v", code, g.Fragility, w.Fragility)
		}
	}

	f := rep.Fragility
	gotF := []int{f.Read, f.Blank, f.Matched, f.MappedFromFormer, f.Arrondissements, len(f.Invalid), f.Combined, f.EqualWeights}
	if wantF := []int{7, 0, 2, 1, 2, 1, 2, 0}; !reflect.DeepEqual(gotF, wantF) {
		t.Errorf("fragility read, blank, matched, former, arrondissements, invalid, combined, equal = %v, want %v", gotF, wantF)
	}
	if !reflect.DeepEqual(f.Unknown, []string{"99999"}) || !reflect.DeepEqual(f.CommunesWithout, []string{"97501"}) {
		t.Errorf("fragility unknown %v, without %v", f.Unknown, f.CommunesWithout)
	}
	if len(f.Invalid) == 1 && (f.Invalid[0].Line != 6 || f.Invalid[0].ID != "2A004") {
		t.Errorf("invalid fragility row %+v, want line 6, 2A004", f.Invalid[0])
	}
	z := rep.ZRR
	gotZ := []int{z.Read, z.Blank, z.Matched, z.MappedFromFormer, len(z.Invalid), z.Combined}
	if wantZ := []int{5, 2, 3, 1, 1, 1}; !reflect.DeepEqual(gotZ, wantZ) {
		t.Errorf("zrr read, blank, matched, former, invalid, combined = %v, want %v", gotZ, wantZ)
	}
	if len(z.Invalid) == 1 && (z.Invalid[0].Line != 11 || z.Invalid[0].ID != "99998") {
		t.Errorf("invalid ZRR row %+v, want line 11, 99998", z.Invalid[0])
	}
	if len(z.Unknown) != 0 || !reflect.DeepEqual(z.CommunesWithout, []string{"97501"}) {
		t.Errorf("zrr unknown %v, without %v", z.Unknown, z.CommunesWithout)
	}
}

func TestCombineFragilityEqualWeights(t *testing.T) {
	g := &rowGroup{parts: []*indicatorRow{
		{code: "a", frag: Fragility{Total: 2}},
		{code: "b", frag: Fragility{Total: 8}},
	}}
	// b has no area: both weigh 1.
	f, equal := combineFragility(g, nil, map[string]float64{"a": 3})
	if !equal || f.Total != 5 {
		t.Errorf("got %v, equal %v; want 5, true", f.Total, equal)
	}
	f, equal = combineFragility(g, nil, map[string]float64{"a": 3, "b": 1})
	if equal || f.Total != 3.5 {
		t.Errorf("got %v, equal %v; want 3.5, false", f.Total, equal)
	}
}

func TestCombineZRR(t *testing.T) {
	tests := []struct {
		classes []string
		want    string
	}{
		{[]string{"C"}, "C"},
		{[]string{"NC", "NC"}, "NC"},
		{[]string{"C", "NC"}, "P"},
		{[]string{"C", "C", "P"}, "P"},
		{nil, ""},
	}
	for _, tc := range tests {
		g := &rowGroup{}
		for _, c := range tc.classes {
			g.parts = append(g.parts, &indicatorRow{zrr: c})
		}
		if got := combineZRR(g); got != tc.want {
			t.Errorf("combineZRR(%v) = %q, want %q", tc.classes, got, tc.want)
		}
	}
}

func fragilityNear(a, b Fragility, tol float64) bool {
	x := []float64{a.Total, a.NoTHD, a.No4G, a.Poverty, a.Older65, a.NoDiploma}
	y := []float64{b.Total, b.NoTHD, b.No4G, b.Poverty, b.Older65, b.NoDiploma}
	for i := range x {
		if math.Abs(x[i]-y[i]) > tol {
			return false
		}
	}
	return true
}

// rawFragility reads the real fragility CSV independently: code → row.
func rawFragility(tb testing.TB, dir string) map[string]Fragility {
	tb.Helper()
	f, err := os.Open(filepath.Join(dir, data.FragilityFile))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]Fragility{}
	for _, r := range recs[1:] {
		if r[8] == "" {
			continue
		}
		v := make([]float64, 6)
		for i := range v {
			if v[i], err = strconv.ParseFloat(r[3+i], 64); err != nil {
				tb.Fatal(err)
			}
		}
		out[r[2]] = Fragility{Total: v[5], NoTHD: v[0], No4G: v[1], Poverty: v[2], Older65: v[3], NoDiploma: v[4]}
	}
	return out
}

// weightedFragility is Σ wᵢ·fᵢ / Σ wᵢ.
func weightedFragility(fs []Fragility, ws []float64) Fragility {
	var s Fragility
	var tw float64
	for i, f := range fs {
		w := ws[i]
		tw += w
		s.Total += w * f.Total
		s.NoTHD += w * f.NoTHD
		s.No4G += w * f.No4G
		s.Poverty += w * f.Poverty
		s.Older65 += w * f.Older65
		s.NoDiploma += w * f.NoDiploma
	}
	return Fragility{s.Total / tw, s.NoTHD / tw, s.No4G / tw, s.Poverty / tw, s.Older65 / tw, s.NoDiploma / tw}
}

func TestLoadIndicatorsRealData(t *testing.T) {
	terr := realTerritory(t)
	dir := realDataDir(t)
	ind, rep, err := LoadIndicators(dir, terr)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []IndicatorFileReport{rep.Fragility, rep.ZRR} {
		t.Logf("%s: read %d, blank %d, matched %d, former %d, arrondissements %d, unknown %d %v, invalid %d, combined %d (equal weights %d), communes without %d",
			r.File, r.Read, r.Blank, r.Matched, r.MappedFromFormer, r.Arrondissements, len(r.Unknown), r.Unknown,
			len(r.Invalid), r.Combined, r.EqualWeights, len(r.CommunesWithout))
		if got := r.Matched + r.MappedFromFormer + r.Arrondissements + len(r.Unknown) + len(r.Invalid); got != r.Read {
			t.Errorf("%s: matched + former + arrondissements + unknown + invalid = %d, read %d", r.File, got, r.Read)
		}
		withValue := 0
		for i := range terr.Communes {
			if ci, ok := ind[terr.Communes[i].Code]; ok && (r.File == data.FragilityFile && ci.Fragility != nil || r.File == data.ZRRFile && ci.ZRR != "") {
				withValue++
			}
		}
		if withValue+len(r.CommunesWithout) != len(terr.Communes) {
			t.Errorf("%s: %d communes with a value + %d without != %d", r.File, withValue, len(r.CommunesWithout), len(terr.Communes))
		}
	}
	if f := rep.Fragility; f.Read != 35008 || len(f.Invalid) != 2 {
		t.Errorf("fragility: read %d, invalid %d; want 35,008 and 2 (no total)", f.Read, len(f.Invalid))
	}
	if z := rep.ZRR; z.Read != 34965 || z.Blank != 3 {
		t.Errorf("zrr: read %d, blank %d; want 34,965 and 3 (34,968 rows)", z.Read, z.Blank)
	}

	raw := rawFragility(t, dir)
	// 28319 merged 28025 and 28276 since the index was computed: the
	// area-weighted mean of the three 2018 parts (areas from orb, an
	// independent spherical-area implementation).
	bs, err := boundaries.Load(filepath.Join(dir, data.CommunesFile))
	if err != nil {
		t.Fatal(err)
	}
	area := map[string]float64{}
	for _, b := range bs {
		area[b.Code] += orbgeo.Area(b.Shape)
	}
	parts := []string{"28319", "28025", "28276"}
	var fs []Fragility
	var ws []float64
	for _, c := range parts {
		if cur, _ := terr.CurrentCode(c); cur != "28319" {
			t.Fatalf("%s is not part of 28319 (%s)", c, cur)
		}
		fs = append(fs, raw[c])
		ws = append(ws, area[c])
	}
	want := weightedFragility(fs, ws)
	if got := ind["28319"].Fragility; got == nil || !fragilityNear(*got, want, 1e-6) {
		t.Errorf("28319: fragility %+v, want %+v (parts %v, areas %v)", got, want, fs, ws)
	}
	if got := ind["28319"].ZRR; got != "P" {
		t.Errorf("28319 (parts C, NC, C): ZRR %q, want P", got)
	}

	// Paris and Marseille: their arrondissements weighted by population.
	pops := cogPopulations(t, dir)
	for _, tc := range []struct {
		code  string
		first int
		n     int
	}{{"75056", 75101, 20}, {"13055", 13201, 16}, {"69123", 69381, 9}} {
		fs, ws = nil, nil
		for i := range tc.n {
			c := strconv.Itoa(tc.first + i)
			fs = append(fs, raw[c])
			ws = append(ws, float64(pops[c]))
		}
		want := weightedFragility(fs, ws)
		if got := ind[tc.code].Fragility; got == nil || !fragilityNear(*got, want, 1e-9) {
			t.Errorf("%s: fragility %+v, want %+v", tc.code, got, want)
		}
	}
	// A plain commune keeps its row.
	if got, want := ind["01001"].Fragility, raw["01001"]; got == nil || *got != want {
		t.Errorf("01001: %+v, want %+v", got, want)
	}
}

// cogPopulations reads the populations of every COG entry independently.
func cogPopulations(tb testing.TB, dir string) map[string]int {
	tb.Helper()
	f, err := os.Open(filepath.Join(dir, data.COGCommunesFile))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	var es []struct {
		Code       string `json:"code"`
		Population int    `json:"population"`
	}
	if err := json.NewDecoder(zr).Decode(&es); err != nil {
		tb.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range es {
		out[e.Code] = e.Population
	}
	return out
}

// BenchmarkLoadIndicators is the start-up cost of the fragility index and
// ZRR classes once the territory is loaded (the engine's "indicators" step).
func BenchmarkLoadIndicators(b *testing.B) {
	terr := realTerritory(b)
	dir := realDataDir(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := LoadIndicators(dir, terr); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzIndicatorsCSV(f *testing.F) {
	for _, name := range []string{data.FragilityFile, data.ZRRFile} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		for _, name := range []string{data.FragilityFile, data.ZRRFile} {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if rows, _, err := readFragility(dir); err == nil {
			for _, r := range rows {
				fr := r.frag
				for _, v := range []float64{fr.Total, fr.NoTHD, fr.No4G, fr.Poverty, fr.Older65, fr.NoDiploma} {
					if !(v >= 0 && v <= 10) {
						t.Fatalf("fragility row %s accepted score %v", r.code, v)
					}
				}
			}
		}
		if rows, _, err := readZRR(dir); err == nil {
			for _, r := range rows {
				if r.zrr != ZRRClassified && r.zrr != ZRRPartial && r.zrr != ZRRNotClassified {
					t.Fatalf("ZRR row %s accepted class %q", r.code, r.zrr)
				}
			}
		}
	})
}

// TestNewCommuneListMerge loads data's testdata/merge, where the 6.1.0
// release merges Alpha (01001) and Epsilon (01005) into Alpha-Epsilon:
// Epsilon's rows follow it into the merged commune.
func TestNewCommuneListMerge(t *testing.T) {
	dir := filepath.Join("..", "testdata", "merge")
	after, err := data.LoadTerritory(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Alpha (3, ZRR) and Epsilon (6, not ZRR) combine, weighted by their
	// 2018 areas (1 and 2 square degrees at the same latitudes):
	// (1·3 + 2·6)/3 = 5, partially classified.
	ind, rep, err := LoadIndicators(dir, after)
	if err != nil {
		t.Fatal(err)
	}
	got := ind["01001"]
	if got.Fragility == nil || math.Abs(got.Fragility.Total-5) > 0.01 || got.ZRR != ZRRPartial {
		t.Errorf("01001 indicators %+v %+v", got, got.Fragility)
	}
	if rep.Fragility.MappedFromFormer != 1 || rep.ZRR.MappedFromFormer != 1 || len(rep.Fragility.Unknown) != 0 {
		t.Errorf("indicator report %+v", rep)
	}
}
