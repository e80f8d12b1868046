// Package geotest reads the real data the geo packages' tests check against
// (the 2018 commune boundaries, gzipped files of ../shared/data), so geo and
// its sub-packages share one reader instead of each keeping a copy; geo
// imports no other maillage package, so the tests cannot go through data.
package geotest

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// CommunesFile is the name of the 2018 commune boundaries in the data folder.
const CommunesFile = "communes-2018.geojson.gz"

// DataDir returns the shared real-data folder (../shared/data from the
// repository root, found by walking up from the working directory to
// go.mod), skipping the test when it is missing.
func DataDir(tb testing.TB) string {
	tb.Helper()
	dir, err := dataDir()
	if err != nil {
		tb.Skipf("real data folder missing: %v", err)
	}
	return dir
}

// dataDir is DataDir without the test: the folder or why it is missing.
func dataDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			dir := filepath.Join(d, "..", "shared", "data")
			if _, err := os.Stat(dir); err != nil {
				return "", err
			}
			return dir, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s", wd)
		}
	}
}

// ReadGzip returns the decompressed content of a gzipped file.
func ReadGzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// ReadCommuneShapes reads a gzipped GeoJSON of commune boundaries: the INSEE
// code ("code") and the shape of every feature, in file order.
func ReadCommuneShapes(path string) (codes []string, shapes []orb.MultiPolygon, err error) {
	raw, err := ReadGzip(path)
	if err != nil {
		return nil, nil, err
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	for i, f := range fc.Features {
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			shapes = append(shapes, orb.MultiPolygon{g})
		case orb.MultiPolygon:
			shapes = append(shapes, g)
		default:
			return nil, nil, fmt.Errorf("%s: feature %d: geometry %T", path, i, f.Geometry)
		}
		codes = append(codes, f.Properties.MustString("code", ""))
	}
	return codes, shapes, nil
}

// communes reads CommunesFile once per test binary.
var communes = sync.OnceValues(func() (*communeShapes, error) {
	dir, err := dataDir()
	if err != nil {
		return nil, err
	}
	codes, shapes, err := ReadCommuneShapes(filepath.Join(dir, CommunesFile))
	return &communeShapes{codes, shapes}, err
})

// communeShapes is what communes caches.
type communeShapes struct {
	codes  []string
	shapes []orb.MultiPolygon
}

// Communes returns the 2018 commune boundaries and their INSEE codes, read
// once per test binary; it skips the test without the real data. Callers
// must not modify the shapes.
func Communes(tb testing.TB) (codes []string, shapes []orb.MultiPolygon) {
	tb.Helper()
	DataDir(tb)
	c, err := communes()
	if err != nil {
		tb.Fatal(err)
	}
	return c.codes, c.shapes
}
