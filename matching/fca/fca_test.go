package fca

import (
	"cmp"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// pair is one listed (supply, demand, distance).
type pair struct {
	s, d int32
	dist float64
}

// listPairs adapts a slice to Pairs.
func listPairs(ps []pair) Pairs {
	return func(yield func(s, d int32, dist float64) bool) {
		for _, p := range ps {
			if !yield(p.s, p.d, p.dist) {
				return
			}
		}
	}
}

// tablePairs builds the Table of ps over ns supply and nd demand points,
// each demand point's pairs sorted by distance when sorted.
func tablePairs(t testing.TB, ps []pair, ns, nd int, sorted bool) *Table {
	t.Helper()
	ps = slices.Clone(ps)
	if sorted {
		slices.SortStableFunc(ps, func(a, b pair) int { return cmp.Compare(a.dist, b.dist) })
	}
	start := make([]int32, nd+1)
	for _, p := range ps {
		start[p.d+1]++
	}
	for i := range nd {
		start[i+1] += start[i]
	}
	sup, dist := make([]int32, len(ps)), make([]float32, len(ps))
	pos := slices.Clone(start[:nd])
	for _, p := range ps {
		sup[pos[p.d]], dist[pos[p.d]] = p.s, float32(p.dist)
		pos[p.d]++
	}
	tab, err := NewTable(start, sup, dist, ns, sorted)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// handPairs are the pairs of handInstance.
var handPairs = []pair{{0, 0, 2}, {0, 1, 6}, {0, 2, 12}, {1, 1, 4}, {1, 2, 8}, {1, 3, 10}, {2, 3, 5}, {2, 4, 9}}

// handInstance: 3 supply points, 5 demand cells, threshold 10.
//
//	S0 (2 posts): cell 0 at 2, cell 1 at 6, cell 2 at 12 (beyond the threshold)
//	S1 (1 post):  cell 1 at 4, cell 2 at 8, cell 3 at 10 (on the threshold: in)
//	S2 (3 posts): cell 3 at 5, cell 4 at 9
//
// Demand: 100, 300, 200, 400, 100.
func handInstance(decay Decay) Problem {
	return Problem{
		Supply: []float64{2, 1, 3}, Demand: []float64{100, 300, 200, 400, 100}, Threshold: 10, Decay: decay,
		Pairs: listPairs(handPairs),
	}
}

func TestComputeHand(t *testing.T) {
	for _, tc := range []struct {
		name   string
		decay  Decay
		ratio  []float64
		access []float64
	}{
		{
			// R0 = 2 / (100 + 300), R1 = 1 / (300 + 200 + 400), R2 = 3 / (400 + 100);
			// A = R0, R0 + R1, R1, R1 + R2, R2.
			name:   "binary",
			decay:  Decay{},
			ratio:  []float64{0.005, 1.0 / 900, 0.006},
			access: []float64{0.005, 0.005 + 1.0/900, 1.0 / 900, 1.0/900 + 0.006, 0.006},
		},
		{
			// Weights 1 − d/10. S0: 0.8 × 100 + 0.4 × 300 = 200, R0 = 0.01;
			// S1: 0.6 × 300 + 0.2 × 200 + 0 × 400 = 220, R1 = 1/220;
			// S2: 0.5 × 400 + 0.1 × 100 = 210, R2 = 1/70.
			// A0 = 0.8 R0 = 0.008; A1 = 0.4 R0 + 0.6 R1 = 0.004 + 0.6/220;
			// A2 = 0.2/220; A3 = 0 R1 + 0.5 R2 = 0.5/70; A4 = 0.1/70.
			name:   "linear",
			decay:  Decay{Kind: DecayLinear},
			ratio:  []float64{0.01, 1.0 / 220, 1.0 / 70},
			access: []float64{0.008, 0.004 + 0.6/220, 0.2 / 220, 0.5 / 70, 0.1 / 70},
		},
	} {
		for _, input := range []string{"pairs", "table", "sorted table on 2 workers"} {
			t.Run(tc.name+" "+input, func(t *testing.T) {
				p := handInstance(tc.decay)
				switch input {
				case "table":
					p.Pairs, p.Table = nil, tablePairs(t, handPairs, len(p.Supply), len(p.Demand), false)
				case "sorted table on 2 workers":
					p.Pairs, p.Table, p.Workers = nil, tablePairs(t, handPairs, len(p.Supply), len(p.Demand), true), 2
				}
				r, err := Compute(p)
				if err != nil {
					t.Fatal(err)
				}
				near(t, "ratio", r.Ratio, tc.ratio)
				near(t, "access", r.Access, tc.access)
				if r.IdleSupply != 0 {
					t.Errorf("idle supply %v, want 0", r.IdleSupply)
				}
			})
		}
	}
}

// TestComputeConservation checks Σ D_i A_i = Σ S_j on random instances, for
// every decay, and that a supply point reaching no demand is idle.
func TestComputeConservation(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, dc := range []Decay{{}, {Kind: DecayLinear}, {Kind: DecayGaussian}, {Kind: DecayGaussian, Sigma: 3}} {
		ns, nd := 7, 40
		p := Problem{Supply: make([]float64, ns), Demand: make([]float64, nd), Threshold: 10, Decay: dc}
		var ps []pair
		for j := range ns {
			p.Supply[j] = float64(1 + rng.IntN(5))
			if j == ns-1 {
				continue // the last reaches no one
			}
			for i := range nd {
				if rng.IntN(3) == 0 {
					ps = append(ps, pair{int32(j), int32(i), rng.Float64() * 12})
				}
			}
		}
		for i := range p.Demand {
			p.Demand[i] = float64(rng.IntN(100))
		}
		p.Pairs = listPairs(ps)
		r, err := Compute(p)
		if err != nil {
			t.Fatal(err)
		}
		p.Table, p.Workers = tablePairs(t, ps, ns, nd, true), 2
		rt, err := Compute(p)
		if err != nil {
			t.Fatal(err)
		}
		for i := range r.Access {
			// The table keeps distances as float32: weights differ by ~1e-7.
			if math.Abs(rt.Access[i]-r.Access[i]) > 1e-6*r.Access[i] {
				t.Errorf("%v: access[%d] %v from the table, %v from the pairs", dc, i, rt.Access[i], r.Access[i])
			}
		}
		var spread, reached float64
		for i, a := range r.Access {
			spread += a * p.Demand[i]
		}
		for j, c := range r.CatchmentDemand {
			if c > 0 {
				reached += p.Supply[j]
			}
		}
		if math.Abs(spread-reached) > 1e-9*reached || r.IdleSupply != p.Supply[ns-1] {
			t.Errorf("%v: Σ D A = %v, reached supply %v, idle %v (want %v)", dc, spread, reached, r.IdleSupply, p.Supply[ns-1])
		}
	}
}

func TestDecayWeight(t *testing.T) {
	for _, tc := range []struct {
		name  string
		decay Decay
		d, d0 float64
		want  float64
	}{
		{"none inside", Decay{}, 9, 10, 1},
		{"none on threshold", Decay{Kind: DecayNone}, 10, 10, 1},
		{"none beyond", Decay{}, 10.5, 10, 0},
		{"linear at 0", Decay{Kind: DecayLinear}, 0, 10, 1},
		{"linear half", Decay{Kind: DecayLinear}, 5, 10, 0.5},
		{"linear on threshold", Decay{Kind: DecayLinear}, 10, 10, 0},
		// PySAL access: gaussian(sigma=20) gives 0.6065306597126334 at 20,
		// 0.1353352832366127 at 40.
		{"gaussian sigma", Decay{Kind: DecayGaussian, Sigma: 20}, 20, 60, 0.6065306597126334},
		{"gaussian 2 sigma", Decay{Kind: DecayGaussian, Sigma: 20}, 40, 60, 0.1353352832366127},
		{"gaussian default sigma", Decay{Kind: DecayGaussian}, 10, 10, 0.1353352832366127},
		{"gaussian beyond", Decay{Kind: DecayGaussian}, 11, 10, 0},
	} {
		if got := tc.decay.Weight(tc.d, tc.d0); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: w(%v) = %v, want %v", tc.name, tc.d, got, tc.want)
		}
	}
}

func TestComputeErrors(t *testing.T) {
	ok := handInstance(Decay{})
	for _, tc := range []struct {
		name string
		edit func(p *Problem)
	}{
		{"negative threshold", func(p *Problem) { p.Threshold = -1 }},
		{"NaN threshold", func(p *Problem) { p.Threshold = math.NaN() }},
		{"unknown decay", func(p *Problem) { p.Decay = Decay{Kind: "cubic"} }},
		{"negative sigma", func(p *Problem) { p.Decay = Decay{Kind: DecayGaussian, Sigma: -1} }},
		{"negative supply", func(p *Problem) { p.Supply = []float64{2, -1, 3} }},
		{"infinite demand", func(p *Problem) { p.Demand = []float64{1, 2, 3, math.Inf(1), 5} }},
		{"no pairs", func(p *Problem) { p.Pairs = nil }},
		{"pair out of range", func(p *Problem) { p.Pairs = listPairs([]pair{{3, 0, 1}}) }},
		{"table for other points", func(p *Problem) { p.Table, _ = NewTable([]int32{0, 1}, []int32{0}, []float32{1}, 3, false) }},
	} {
		p := ok
		tc.edit(&p)
		if _, err := Compute(p); !errors.Is(err, ErrBadInput) {
			t.Errorf("%s: err %v, want ErrBadInput", tc.name, err)
		}
	}
}

func near(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// BenchmarkCompute runs 2SFCA over 3,000 supply points and 4 million pairs
// (the size of the national grid at 30 minutes), binary and gaussian.
func BenchmarkCompute(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	ns, nd, per := 3000, 900_000, 1300
	p := Problem{Supply: make([]float64, ns), Demand: make([]float64, nd), Threshold: 23_000}
	for j := range p.Supply {
		p.Supply[j] = float64(1 + rng.IntN(3))
	}
	for i := range p.Demand {
		p.Demand[i] = float64(rng.IntN(50))
	}
	ps := make([]pair, 0, ns*per)
	for j := range ns {
		base := rng.IntN(nd - per)
		for k := range per {
			ps = append(ps, pair{int32(j), int32(base + k), rng.Float64() * 25_000})
		}
	}
	table := tablePairs(b, ps, ns, nd, true)
	for _, dc := range []Decay{{Kind: DecayNone}, {Kind: DecayGaussian}} {
		for _, input := range []string{"pairs", "table"} {
			p.Decay, p.Pairs, p.Table, p.Workers = dc, listPairs(ps), nil, 0
			if input == "table" {
				p.Table, p.Workers = table, 2
			}
			b.Run(string(dc.Kind)+"-"+input, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Compute(p); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func TestNewTableErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		start  []int32
		sup    []int32
		dist   []float32
		sorted bool
	}{
		{"columns disagree", []int32{0, 1}, []int32{0}, []float32{1, 2}, false},
		{"last start", []int32{0, 1}, []int32{0, 1}, []float32{1, 2}, false},
		{"no start", nil, nil, nil, false},
		{"starts decrease", []int32{0, 2, 1, 2}, []int32{0, 1}, []float32{1, 1}, false},
		{"supply out of range", []int32{0, 1}, []int32{3}, []float32{1}, false},
		{"not sorted", []int32{0, 2}, []int32{0, 1}, []float32{2, 1}, true},
	} {
		if _, err := NewTable(tc.start, tc.sup, tc.dist, 3, tc.sorted); !errors.Is(err, ErrBadInput) {
			t.Errorf("%s: err %v, want ErrBadInput", tc.name, err)
		}
	}
}

// TestTableNarrowSupply: a table of at most 65,536 supply points holds them
// as uint16 and computes, for every decay, bit for bit what the same table
// holding them as int32 computes; Columns gives the supply points back.
// Supply indexes use the upper half of uint16.
func TestTableNarrowSupply(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ns, nd := 60000, 300
	var ps []pair
	for i := range nd {
		for range 1 + rng.IntN(20) {
			ps = append(ps, pair{int32(rng.IntN(ns)), int32(i), rng.Float64() * 12})
		}
	}
	narrow := tablePairs(t, ps, ns, nd, true)
	start, sup, dist := narrow.Columns()
	if narrow.narrow == nil || narrow.wide != nil {
		t.Fatal("a table of 60,000 supply points holds them as int32")
	}
	wide := &Table{start: start, wide: sup, dist: dist, sorted: true, ns: ns}
	if w, err := NewTable(start, sup, dist, maxNarrowSupply+1, true); err != nil {
		t.Fatal(err)
	} else if w.narrow != nil {
		t.Fatal("a table of 65,537 supply points holds them as uint16")
	}
	for k, s := range sup {
		if int(s) != int(narrow.narrow[k]) {
			t.Fatalf("pair %d: supply %d back, held %d", k, s, narrow.narrow[k])
		}
	}
	for _, dc := range []Decay{{}, {Kind: DecayLinear}, {Kind: DecayGaussian}} {
		p := Problem{Supply: make([]float64, ns), Demand: make([]float64, nd), Threshold: 10, Decay: dc, Workers: 2}
		for j := range p.Supply {
			p.Supply[j] = float64(1 + rng.IntN(5))
		}
		for i := range p.Demand {
			p.Demand[i] = float64(rng.IntN(100))
		}
		p.Table = narrow
		rn, err := Compute(p)
		if err != nil {
			t.Fatal(err)
		}
		p.Table = wide
		rw, err := Compute(p)
		if err != nil {
			t.Fatal(err)
		}
		same := func(a, b []float64) bool {
			return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
		}
		if !same(rn.Access, rw.Access) || !same(rn.Ratio, rw.Ratio) || !same(rn.CatchmentDemand, rw.CatchmentDemand) || rn.IdleSupply != rw.IdleSupply {
			t.Errorf("%v: the uint16 table's result differs from the int32 table's", dc)
		}
	}
}
