package geo

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/paulmach/orb"
)

// smallGrid builds a grid with owned cells, a representative-only cell and a
// commune without shape.
func smallGrid(t testing.TB) *Grid {
	t.Helper()
	tiny := boxAround(cellVertex(orb.Point{2.6, 48.9}, 8), 0.0004)
	shapes := []orb.MultiPolygon{{{box(2.30, 48.80, 2.40, 48.87)}}, nil, {{tiny}}}
	g, err := BuildGrid(shapes, []orb.Point{{2.35, 48.83}, {}, tiny[0]}, []int{5000, 7, 12}, bruteLocate(shapes), 8, 2)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGridSaveLoad(t *testing.T) {
	g := smallGrid(t)
	path := filepath.Join(t.TempDir(), "grid.bin")
	if err := g.Save(path, "key-1"); err != nil {
		t.Fatal(err)
	}
	got, err := LoadGrid(path, "key-1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, g) {
		t.Fatal("loaded grid differs from the saved one")
	}
	// Saving again over the file replaces it whole.
	if err := g.Save(path, "key-2"); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadGrid(path, "key-2"); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("%d files left in the cache folder, want 1", len(entries))
	}
}

// TestGridSaveLoadWeighted: a grid that followed a population grid keeps
// its fractional shares and its Weighted flags through the cache.
func TestGridSaveLoadWeighted(t *testing.T) {
	shapes := []orb.MultiPolygon{{{box(2.30, 48.80, 2.40, 48.87)}}, {{box(2.40, 48.80, 2.45, 48.87)}}}
	g, err := BuildGridWeighted(shapes, []orb.Point{{2.35, 48.83}, {2.42, 48.83}}, []int{5000, 3},
		[]PopulationPoint{{orb.Point{2.31, 48.81}, 10}, {orb.Point{2.38, 48.86}, 0.5}}, bruteLocate(shapes), 8, 2)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "grid.bin")
	if err := g.Save(path, "k"); err != nil {
		t.Fatal(err)
	}
	got, err := LoadGrid(path, "k")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, g) || len(got.Weighted) != 2 || !got.Weighted[0] || got.Weighted[1] {
		t.Fatalf("loaded weighted grid differs (Weighted %v)", got.Weighted)
	}
}

func TestLoadGridStale(t *testing.T) {
	g := smallGrid(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "grid.bin")
	if err := g.Save(path, "key-1"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	flipped := append([]byte(nil), data...)
	flipped[len(flipped)/2] ^= 0x40
	version := append([]byte(nil), data...)
	version[len(gridMagic)]++
	tests := []struct {
		name, path, key string
	}{
		{"other key", path, "key-2"},
		{"missing file", filepath.Join(dir, "none.bin"), "key-1"},
		{"empty file", write("empty.bin", nil), "key-1"},
		{"not a grid", write("text.bin", []byte("hello, this is not a grid cache file at all......")), "key-1"},
		{"flipped byte", write("flipped.bin", flipped), "key-1"},
		{"other version", write("version.bin", version), "key-1"},
		{"trailing bytes", write("long.bin", append(append([]byte(nil), data...), 0)), "key-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := LoadGrid(tc.path, tc.key); !errors.Is(err, ErrGridStale) {
				t.Fatalf("error %v, want ErrGridStale", err)
			}
		})
	}
	if _, err := LoadGrid(filepath.Join(dir, "none.bin"), "k"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v does not wrap fs.ErrNotExist", err)
	}
	// Every truncation is an error, never a panic.
	for n := 0; n < len(data); n += 1 + n/7 {
		p := write("cut.bin", data[:n])
		if _, err := LoadGrid(p, "key-1"); !errors.Is(err, ErrGridStale) {
			t.Fatalf("truncated to %d of %d bytes: error %v", n, len(data), err)
		}
	}
}

func TestFileChecksum(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a")
	b := filepath.Join(dir, "b")
	os.WriteFile(a, []byte("communes"), 0o644)
	os.WriteFile(b, []byte("populations"), 0o644)
	ab, err := FileChecksum(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := FileChecksum(a, b); again != ab {
		t.Fatal("checksum not stable")
	}
	if ba, _ := FileChecksum(b, a); ba == ab {
		t.Fatal("checksum ignores file order")
	}
	os.WriteFile(b, []byte("populationz"), 0o644)
	if changed, _ := FileChecksum(a, b); changed == ab {
		t.Fatal("checksum ignores content")
	}
	if _, err := FileChecksum(a, filepath.Join(dir, "missing")); err == nil {
		t.Fatal("no error for a missing file")
	}
	k7, _ := GridKey(7, a, b)
	k8, _ := GridKey(8, a, b)
	if k7 == k8 {
		t.Fatal("GridKey ignores the resolution")
	}
}

// BenchmarkLoadGrid loads the saved res-8 grid of all of France.
func BenchmarkLoadGrid(b *testing.B) {
	fr := loadFrance(b)
	g, err := BuildGrid(fr.shapes, fr.reps, fr.pops, NewCommuneIndex(fr.shapes).At, DefaultResolution, 2)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "grid.bin")
	if err := g.Save(path, "bench"); err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(path)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := LoadGrid(path, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(g.Len()), "cells")
	b.ReportMetric(float64(st.Size())/1e6, "MB")
}

// BenchmarkFileChecksum hashes the 12 MB communes file.
func BenchmarkFileChecksum(b *testing.B) {
	path := filepath.Join("..", "..", "shared", "data", "communes-2018.geojson.gz")
	if _, err := os.Stat(path); err != nil {
		b.Skipf("real data not available: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FileChecksum(path); err != nil {
			b.Fatal(err)
		}
	}
}

func TestInputsKeyChangesWithInputs(t *testing.T) {
	sq := orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}}
	base := InputsKey([]orb.MultiPolygon{sq}, []orb.Point{{0.5, 0.5}}, []int{10}, 8)
	moved := orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1.0000001}, {0, 1}, {0, 0}}}}
	for name, k := range map[string]string{
		"vertex":     InputsKey([]orb.MultiPolygon{moved}, []orb.Point{{0.5, 0.5}}, []int{10}, 8),
		"population": InputsKey([]orb.MultiPolygon{sq}, []orb.Point{{0.5, 0.5}}, []int{11}, 8),
		"rep":        InputsKey([]orb.MultiPolygon{sq}, []orb.Point{{0.5, 0.6}}, []int{10}, 8),
		"resolution": InputsKey([]orb.MultiPolygon{sq}, []orb.Point{{0.5, 0.5}}, []int{10}, 7),
		"no shape":   InputsKey([]orb.MultiPolygon{sq, nil}, []orb.Point{{0.5, 0.5}, {}}, []int{10, 0}, 8),
	} {
		if k == base {
			t.Errorf("%s change kept the key %s", name, k)
		}
	}
	if again := InputsKey([]orb.MultiPolygon{sq}, []orb.Point{{0.5, 0.5}}, []int{10}, 8); again != base {
		t.Errorf("same inputs, keys %s and %s", base, again)
	}
}
