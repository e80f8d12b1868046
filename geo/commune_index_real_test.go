package geo

// Concurrent lookups and benchmarks of the commune index over the real
// 2018 communes (realCommunes).

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/maillage/maillage/geo/internal/geotest"
	"github.com/paulmach/orb"
)

func TestCommuneIndexConcurrentAt(t *testing.T) {
	fx := realCommunes(t)
	qs := geotest.MetroQueries(2000)
	want := make([]int, len(qs))
	for i, q := range qs {
		id, ok := fx.ix.At(q)
		want[i] = map[bool]int{true: id, false: -1}[ok]
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := 0; g < 4; g++ {
		wg.Go(func() {
			for i, q := range qs {
				id, ok := fx.ix.At(q)
				if !ok {
					id = -1
				}
				if id != want[i] {
					errs <- fmt.Sprintf("At(%v) = %d, want %d", q, id, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
func BenchmarkCommuneIndexAt(b *testing.B) {
	fx := realCommunes(b)
	qs := geotest.MetroQueries(4096)
	// Known points first, then random points of metropolitan France's box.
	copy(qs, []orb.Point{{2.3522, 48.8566}, {4.8357, 45.7640}, {8.7369, 41.9192}, {55.4504, -20.8789}, {-5, 46}})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		fx.ix.At(qs[i%len(qs)])
	}
}

// BenchmarkCommuneIndexAtVertex locates boundary vertices, where every
// lookup takes the exact on-edge path of closed polygons.
func BenchmarkCommuneIndexAtVertex(b *testing.B) {
	fx := realCommunes(b)
	r := rand.New(rand.NewPCG(5, 6))
	qs := make([]orb.Point, 4096)
	for i := range qs {
		mp := fx.shapes[r.IntN(len(fx.shapes))]
		ring := mp[0][0]
		qs[i] = ring[r.IntN(len(ring))]
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		fx.ix.At(qs[i%len(qs)])
	}
}

func BenchmarkCommuneIndexNearest(b *testing.B) {
	fx := realCommunes(b)
	qs := geotest.MetroQueries(4096)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		fx.ix.Nearest(qs[i%len(qs)], 1000)
	}
}

func BenchmarkNewCommuneIndex(b *testing.B) {
	fx := realCommunes(b)
	b.ReportAllocs()
	for b.Loop() {
		NewCommuneIndex(fx.shapes)
	}
}
