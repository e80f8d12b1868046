package geo

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/maillage/maillage/geo/internal/geotest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	h3 "github.com/uber/h3-go/v4"
)

// franceCommunes are the 2018 commune shapes with their current population
// (0 for boundary codes that are no longer current communes) and
// representative points.
type franceCommunes struct {
	codes  []string
	shapes []orb.MultiPolygon
	reps   []orb.Point
	pops   []int
}

var loadFranceOnce = sync.OnceValues(func() (*franceCommunes, error) {
	dir := filepath.Join("..", "..", "shared", "data")
	codes, shapes, err := geotest.ReadCommuneShapes(filepath.Join(dir, "communes-2018.geojson.gz"))
	if err != nil {
		return nil, err
	}
	pop, err := currentPopulations(filepath.Join(dir, "decoupage-administratif-6.0.0-communes.json.gz"))
	if err != nil {
		return nil, err
	}
	fr := &franceCommunes{codes: codes, shapes: shapes}
	for i, mp := range shapes {
		fr.reps = append(fr.reps, RepresentativePoint(mp))
		fr.pops = append(fr.pops, pop[codes[i]])
	}
	return fr, nil
})

// loadFrance returns the real communes, or skips the test without the data.
func loadFrance(tb testing.TB) *franceCommunes {
	tb.Helper()
	if _, err := os.Stat(filepath.Join("..", "..", "shared", "data", "communes-2018.geojson.gz")); err != nil {
		tb.Skipf("real data not available (../../shared/data): %v", err)
	}
	fr, err := loadFranceOnce()
	if err != nil {
		tb.Fatal(err)
	}
	return fr
}

// currentPopulations maps the code of every current commune to its
// population.
func currentPopulations(path string) (map[string]int, error) {
	raw, err := geotest.ReadGzip(path)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Code       string `json:"code"`
		Type       string `json:"type"`
		Population int    `json:"population"`
	}
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		if r.Type == "commune-actuelle" {
			out[r.Code] = r.Population
		}
	}
	return out, nil
}

// TestBuildGridFrance builds the res-8 grid of all of France and checks it
// against h3.PolygonToCells on 200 random communes: a cell may differ only
// when its centre lies within 1e-7° (1 cm) of the commune's boundary or in
// an overlapping shape that CommuneIndex gave to another commune.
func TestBuildGridFrance(t *testing.T) {
	fr := loadFrance(t)
	ix := NewCommuneIndex(fr.shapes)
	start := time.Now()
	g, err := BuildGrid(fr.shapes, fr.reps, fr.pops, ix.At, DefaultResolution, 2)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	checkGridInvariants(t, g, fr.shapes, fr.pops, 97)
	total, repOnly := int64(0), 0
	for _, p := range g.Population {
		total += int64(p)
	}
	for id := range fr.shapes {
		if s := g.CommuneShares(id); len(s) == 1 && g.Commune[s[0].Cell] != int32(id) {
			repOnly++
		}
	}
	t.Logf("%d communes, %d cells, population %d, %d communes in their representative cell only, built in %v",
		len(fr.shapes), g.Len(), total, repOnly, elapsed)

	rng := rand.New(rand.NewPCG(8, 2018))
	checked, onEdge, overlaps := 0, 0, 0
	for range 200 {
		id := rng.IntN(len(fr.shapes))
		want := polygonCells(fr.shapes[id], DefaultResolution)
		var got []h3.Cell
		for _, sh := range g.CommuneShares(id) {
			if g.Commune[sh.Cell] == int32(id) {
				got = append(got, g.Cells[sh.Cell])
			}
		}
		for _, c := range symmetricDifference(got, want) {
			ll := h3.CellToLatLng(c)
			p := orb.Point{ll.Lng, ll.Lat}
			if d := boundaryDistance(fr.shapes[id], p); d < 1e-7 {
				onEdge++
				continue
			}
			if owner, ok := ix.At(p); ok && owner != id && slices.Contains(want, c) && planar.MultiPolygonContains(fr.shapes[owner], p) {
				overlaps++
				continue
			}
			t.Errorf("commune %s: cell %v (centre %v) in grid=%v, in PolygonToCells=%v",
				fr.codes[id], c, p, slices.Contains(got, c), slices.Contains(want, c))
		}
		checked += len(want)
	}
	t.Logf("sample: %d PolygonToCells cells, %d differ on a boundary, %d in overlapping shapes", checked, onEdge, overlaps)
}

// symmetricDifference returns the cells in exactly one of two sorted sets.
func symmetricDifference(a, b []h3.Cell) []h3.Cell {
	var out []h3.Cell
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			out = append(out, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			out = append(out, b[j])
			j++
		default:
			i++
			j++
		}
	}
	return out
}

// boundaryDistance is the planar distance in degrees from p to the nearest
// ring of mp.
func boundaryDistance(mp orb.MultiPolygon, p orb.Point) float64 {
	d := math.Inf(1)
	for _, poly := range mp {
		for _, r := range poly {
			d = min(d, planar.DistanceFrom(orb.LineString(r), p))
		}
	}
	return d
}

// BenchmarkBuildGrid builds the res-8 grid of all of France on 2 workers,
// with CommuneIndex as the locate function.
func BenchmarkBuildGrid(b *testing.B) {
	fr := loadFrance(b)
	ix := NewCommuneIndex(fr.shapes)
	b.ReportAllocs()
	b.ResetTimer()
	var g *Grid
	for b.Loop() {
		var err error
		if g, err = BuildGrid(fr.shapes, fr.reps, fr.pops, ix.At, DefaultResolution, 2); err != nil {
			b.Fatal(err)
		}
	}
	var total int64
	for _, p := range g.Population {
		total += int64(p)
	}
	b.ReportMetric(float64(g.Len()), "cells")
	b.ReportMetric(float64(total), "inhabitants")
}
