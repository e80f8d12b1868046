package siteindex

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/internal/geotest"
	"github.com/paulmach/orb"
)

// franceTestRegions are the boxes random sites are drawn in.
var franceTestRegions = geotest.FranceRegions()

// randomFrancePoints draws n points, 80 % in the metropole, the rest spread
// over the DROM, with about 2 % exact duplicates of earlier points.
func randomFrancePoints(r *rand.Rand, n int) []orb.Point {
	pts := make([]orb.Point, 0, n)
	for len(pts) < n {
		switch {
		case len(pts) > 0 && r.IntN(50) == 0:
			pts = append(pts, pts[r.IntN(len(pts))])
		case r.IntN(5) > 0:
			pts = append(pts, geotest.RandomPointIn(r, franceTestRegions[0]))
		default:
			pts = append(pts, geotest.RandomPointIn(r, franceTestRegions[1+r.IntN(len(franceTestRegions)-1)]))
		}
	}
	return pts
}

// randomQueries mixes points near the sites, exact site positions and points
// anywhere on Earth (including near the poles and the antimeridian).
func randomQueries(r *rand.Rand, sites []orb.Point, n int) []orb.Point {
	qs := make([]orb.Point, 0, n)
	for len(qs) < n {
		switch r.IntN(6) {
		case 0:
			qs = append(qs, orb.Point{-180 + 360*r.Float64(), -90 + 180*r.Float64()})
		case 1:
			if len(sites) > 0 {
				qs = append(qs, sites[r.IntN(len(sites))])
				continue
			}
			fallthrough
		default:
			qs = append(qs, geotest.RandomPointIn(r, franceTestRegions[r.IntN(len(franceTestRegions))]))
		}
	}
	return append(qs, orb.Point{0, 89.9}, orb.Point{179.99, 10}, orb.Point{-179.99, -45}, orb.Point{2.35, -89.5})
}

func bruteNeighbors(pts []orb.Point, p orb.Point, maxM float64) []Neighbor {
	var all []Neighbor
	for i, s := range pts {
		if d := geo.DistanceM(p, s); d <= maxM {
			all = append(all, Neighbor{ID: i, DistanceM: d})
		}
	}
	slices.SortFunc(all, compareNeighbors)
	return all
}

func TestSiteIndexNearestMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 10000
	if testing.Short() {
		n = 2000
	}
	pts := randomFrancePoints(r, n)
	ix := New(pts)
	if ix.Len() != n {
		t.Fatalf("Len = %d, want %d", ix.Len(), n)
	}
	var dst []Neighbor
	for qi, q := range randomQueries(r, pts, 300) {
		all := bruteNeighbors(pts, q, math.Inf(1))
		for _, k := range []int{0, 1, 2, 5, 17, 100} {
			dst = ix.Nearest(q, k, dst)
			want := all[:min(k, len(all))]
			if !slices.Equal(dst, want) {
				t.Fatalf("query %d %v k=%d:\n got %v\nwant %v", qi, q, k, dst, want)
			}
		}
		id, d, ok := ix.Nearest1(q)
		if !ok || id != all[0].ID || d != all[0].DistanceM {
			t.Fatalf("query %d %v: Nearest1 = %d %v %v, want %v", qi, q, id, d, ok, all[0])
		}
	}
}

// TestSiteIndexWalkMatchesBruteForce checks the best-first tree walks
// directly: Nearest only falls back on them for queries far from every site.
func TestSiteIndexWalkMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	pts := randomFrancePoints(r, 3000)
	ix := New(pts)
	var dst []Neighbor
	for qi, q := range randomQueries(r, pts, 200) {
		all := bruteNeighbors(pts, q, math.Inf(1))
		for _, k := range []int{1, 3, 8} {
			if dst = ix.walkNearest(q, k, dst); !slices.Equal(dst, all[:k]) {
				t.Fatalf("query %d %v k=%d: walk %v, want %v", qi, q, k, dst, all[:k])
			}
		}
		sq := ix.getQuery(q)
		ix.walkNearest1(sq)
		if int(sq.best) != all[0].ID {
			t.Fatalf("query %d %v: walk1 %d, want %v", qi, q, sq.best, all[0])
		}
		ix.pool.Put(sq)
	}
}

func TestSiteIndexNearestSmallCases(t *testing.T) {
	p := orb.Point{2.35, 48.85}
	tests := []struct {
		name string
		pts  []orb.Point
		k    int
	}{
		{"empty", nil, 3},
		{"k larger than n", []orb.Point{{2, 48}, {3, 49}, {-1, 45}}, 10},
		{"k zero", []orb.Point{{2, 48}}, 0},
		{"k negative", []orb.Point{{2, 48}}, -1},
		{"all duplicates", []orb.Point{{2, 48}, {2, 48}, {2, 48}, {2, 48}}, 2},
		{"duplicates of the query", []orb.Point{{3, 49}, p, {1, 1}, p}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := New(tt.pts)
			all := bruteNeighbors(tt.pts, p, math.Inf(1))
			want := all[:max(0, min(tt.k, len(all)))]
			for id, pt := range tt.pts {
				if ix.Point(id) != pt {
					t.Errorf("Point(%d) = %v, want %v", id, ix.Point(id), pt)
				}
			}
			got := ix.Nearest(p, tt.k, make([]Neighbor, 5))
			if !slices.Equal(got, want) {
				t.Errorf("Nearest = %v, want %v", got, want)
			}
			id, d, ok := ix.Nearest1(p)
			if ok != (len(all) > 0) || ok && (id != all[0].ID || d != all[0].DistanceM) {
				t.Errorf("Nearest1 = %d %v %v, want %v", id, d, ok, all)
			}
			if got := ix.Within(p, 1e6, nil); !slices.Equal(got, bruteNeighbors(tt.pts, p, 1e6)) {
				t.Errorf("Within = %v", got)
			}
		})
	}
}

func TestSiteIndexWithinMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n := 10000
	if testing.Short() {
		n = 2000
	}
	pts := randomFrancePoints(r, n)
	// Sites near a pole and on both sides of the antimeridian exercise the
	// full-longitude boxes.
	pts = append(pts, orb.Point{10, 89.95}, orb.Point{-170, 89.99}, orb.Point{179.995, 0}, orb.Point{-179.995, 0.001})
	ix := New(pts)
	var dst []Neighbor
	for qi, q := range randomQueries(r, pts, 300) {
		for _, radiusM := range []float64{0, 1000, 30000, 250000, 3e6, 2.1e7} {
			dst = ix.Within(q, radiusM, dst)
			want := bruteNeighbors(pts, q, radiusM)
			if !slices.Equal(dst, want) {
				t.Fatalf("query %d %v r=%v: got %d neighbours, want %d", qi, q, radiusM, len(dst), len(want))
			}
		}
	}
	if got := ix.Within(orb.Point{2, 48}, -1, nil); len(got) != 0 {
		t.Errorf("negative radius: got %v", got)
	}
}

func TestSiteIndexConcurrent(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	pts := randomFrancePoints(r, 3000)
	ix := New(pts)
	qs := randomQueries(r, pts, 300)
	want := make([][]Neighbor, len(qs))
	for i, q := range qs {
		want[i] = ix.Nearest(q, 4, nil)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := 0; g < 4; g++ {
		wg.Go(func() {
			var dst []Neighbor
			for i, q := range qs {
				dst = ix.Nearest(q, 4, dst)
				id, _, _ := ix.Nearest1(q)
				w := ix.Within(q, 20000, nil)
				if !slices.Equal(dst, want[i]) || id != want[i][0].ID || len(w) != len(bruteNeighbors(pts, q, 20000)) {
					errs <- fmt.Sprintf("query %d %v differs under concurrency", i, q)
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

func TestBoxChord2LowerBound(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 20000; i++ {
		p := orb.Point{-180 + 360*r.Float64(), -90 + 180*r.Float64()}
		if i%2 == 0 { // boxes close to p matter most
			p = geotest.RandomPointIn(r, franceTestRegions[0])
		}
		w, h := 20*r.Float64()*r.Float64(), 20*r.Float64()*r.Float64()
		lo := [2]float64{-180 + (360-w)*r.Float64(), -90 + (180-h)*r.Float64()}
		if i%2 == 0 {
			lo = [2]float64{p[0] - 10 + 20*r.Float64() - w/2, p[1] - 10 + 20*r.Float64() - h/2}
		}
		hi := [2]float64{lo[0] + w, lo[1] + h}
		lb := boxChord2LowerBound(p, math.Cos(p[1]*degToRad), lo, hi)
		pv := geo.UnitVector(p)
		// Sample the box densely along its edges (where the minimum lies) and
		// inside.
		for j := 0; j <= 64; j++ {
			f := float64(j) / 64
			for _, q := range []orb.Point{
				{lo[0] + f*w, lo[1]}, {lo[0] + f*w, hi[1]},
				{lo[0], lo[1] + f*h}, {hi[0], lo[1] + f*h},
				{lo[0] + r.Float64()*w, lo[1] + r.Float64()*h},
			} {
				qv := geo.UnitVector(q)
				c2 := (qv[0]-pv[0])*(qv[0]-pv[0]) + (qv[1]-pv[1])*(qv[1]-pv[1]) + (qv[2]-pv[2])*(qv[2]-pv[2])
				if lb > c2 {
					t.Fatalf("p %v box %v-%v: bound %v above chord² %v at %v", p, lo, hi, lb, c2, q)
				}
			}
		}
	}
}

// loadFranceServices2024 reads the latitude/longitude columns of the real
// 2024 France Services file, skipping rows without coordinates.
func loadFranceServices2024(tb testing.TB) []orb.Point {
	tb.Helper()
	path := filepath.Join(geotest.DataDir(tb), "france-services-2024-08.csv")
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("france services: %v", err)
	}
	defer f.Close()
	rd := csv.NewReader(f)
	header, err := rd.Read()
	if err != nil {
		tb.Fatalf("france services %s: header: %v", path, err)
	}
	latCol, lonCol := slices.Index(header, "latitude"), slices.Index(header, "longitude")
	if latCol < 0 || lonCol < 0 {
		tb.Fatalf("france services %s: no latitude/longitude columns in %v", path, header)
	}
	var pts []orb.Point
	for line := 2; ; line++ {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("france services %s: line %d: %v", path, line, err)
		}
		lat, err1 := strconv.ParseFloat(rec[latCol], 64)
		lon, err2 := strconv.ParseFloat(rec[lonCol], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		pts = append(pts, orb.Point{lon, lat})
	}
	if len(pts) < 2000 {
		tb.Fatalf("france services %s: only %d points", path, len(pts))
	}
	return pts
}

func TestSiteIndexRealFranceServices(t *testing.T) {
	pts := loadFranceServices2024(t)
	ix := New(pts)
	r := rand.New(rand.NewPCG(9, 10))
	var dst []Neighbor
	for i := 0; i < 200; i++ {
		q := geotest.RandomPointIn(r, franceTestRegions[0])
		all := bruteNeighbors(pts, q, math.Inf(1))
		if dst = ix.Nearest(q, 5, dst); !slices.Equal(dst, all[:5]) {
			t.Fatalf("%v: got %v, want %v", q, dst, all[:5])
		}
		if dst = ix.Within(q, 30000, dst); !slices.Equal(dst, bruteNeighbors(pts, q, 30000)) {
			t.Fatalf("%v: Within 30 km differs from brute force", q)
		}
	}
}

// siteBenchQueries returns two query sets over metropolitan France: "land",
// random points of its box that fall in a commune (what coverage asks: cell
// centres on land), and "box", uniform over the box, a third of them at sea
// or abroad, far from every site.
func siteBenchQueries(b *testing.B) []struct {
	name string
	qs   []orb.Point
} {
	_, shapes := geotest.Communes(b)
	communes := geo.NewCommuneIndex(shapes)
	r := rand.New(rand.NewPCG(13, 14))
	var land []orb.Point
	for len(land) < 4096 {
		p := geotest.RandomPointIn(r, franceTestRegions[0])
		if _, ok := communes.At(p); ok {
			land = append(land, p)
		}
	}
	return []struct {
		name string
		qs   []orb.Point
	}{{"land", land}, {"box", geotest.MetroQueries(4096)}}
}

func BenchmarkSiteIndexNearest5(b *testing.B) {
	ix := New(loadFranceServices2024(b))
	dst := make([]Neighbor, 0, 16)
	for _, set := range siteBenchQueries(b) {
		b.Run(set.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				dst = ix.Nearest(set.qs[i%len(set.qs)], 5, dst)
			}
		})
	}
}

func BenchmarkSiteIndexNearest1(b *testing.B) {
	ix := New(loadFranceServices2024(b))
	for _, set := range siteBenchQueries(b) {
		b.Run(set.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				ix.Nearest1(set.qs[i%len(set.qs)])
			}
		})
	}
}

func BenchmarkSiteIndexWithin(b *testing.B) {
	ix := New(loadFranceServices2024(b))
	dst := make([]Neighbor, 0, 256)
	for _, set := range siteBenchQueries(b) {
		b.Run(set.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				dst = ix.Within(set.qs[i%len(set.qs)], 30000, dst)
			}
		})
	}
}

func BenchmarkNewSiteIndex(b *testing.B) {
	pts := loadFranceServices2024(b)
	b.ReportAllocs()
	for b.Loop() {
		New(pts)
	}
}
