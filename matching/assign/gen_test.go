package assign

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// genSpec describes a synthetic instance on a plane of 1,300 × 900 km (the
// size of metropolitan France): points uniform or around ten cities, an
// edge wherever a candidate is within MaxM of a structure, costing the
// rounded distance in metres; groups are 130 × 90 km cells.
type genSpec struct {
	Seed       uint64
	Candidates int
	Structures int
	MaxPosts   int     // posts uniform in 1..MaxPosts
	MaxM       float64 // reach of every candidate (0: 30 km)
	Clustered  float64 // share of points drawn around the cities
	Priorities bool    // random priorities in {100, 150, 200, 300}
}

// genProblem builds the instance of spec, with every third structure's
// group capped at capped (no caps when capped < 0).
func genProblem(spec genSpec, capped int) *Problem {
	r := rand.New(rand.NewPCG(spec.Seed, 0x5eed))
	var cities [10][2]float64
	for i := range cities {
		cities[i] = [2]float64{1.3e6 * r.Float64(), 9e5 * r.Float64()}
	}
	point := func() [2]float64 {
		if r.Float64() < spec.Clustered {
			c := cities[r.IntN(len(cities))]
			return [2]float64{c[0] + r.NormFloat64()*25e3, c[1] + r.NormFloat64()*22e3}
		}
		return [2]float64{1.3e6 * r.Float64(), 9e5 * r.Float64()}
	}
	maxM := spec.MaxM
	if maxM == 0 {
		maxM = 30e3
	}
	cp := make([][2]float64, spec.Candidates)
	for i := range cp {
		cp[i] = point()
	}
	p := &Problem{Candidates: spec.Candidates, Posts: make([]int, spec.Structures),
		Group: make([]int32, spec.Structures), GroupCap: make([]int, 11*11)}
	if spec.Priorities {
		p.Priority = make([]int64, spec.Structures)
	}
	for i := range p.GroupCap {
		p.GroupCap[i] = -1
	}
	sp := make([][2]float64, spec.Structures)
	for i := range sp {
		sp[i] = point()
		p.Posts[i] = 1 + r.IntN(max(spec.MaxPosts, 1))
		gx := min(max(int(sp[i][0]/130e3), 0), 10)
		gy := min(max(int(sp[i][1]/90e3), 0), 10)
		p.Group[i] = int32(gy*11 + gx)
		if capped >= 0 && i%3 == 0 {
			p.GroupCap[p.Group[i]] = capped
		}
		if p.Priority != nil {
			p.Priority[i] = [...]int64{100, 150, 200, 300}[r.IntN(4)]
		}
	}
	type edge struct {
		cost uint32
		pair uint64
	}
	var edges []edge
	for c, a := range cp {
		for s, b := range sp {
			if d := math.Hypot(a[0]-b[0], a[1]-b[1]); d <= maxM {
				edges = append(edges, edge{uint32(math.Round(d)), Pair(int32(c), int32(s))})
			}
		}
	}
	slices.SortFunc(edges, func(a, b edge) int {
		return cmp.Or(cmp.Compare(a.cost, b.cost), cmp.Compare(a.pair, b.pair))
	})
	p.Edges = Edges{Cost: make([]uint32, len(edges)), Pair: make([]uint64, len(edges))}
	for i, e := range edges {
		p.Edges.Cost[i], p.Edges.Pair[i] = e.cost, e.pair
	}
	return p
}
