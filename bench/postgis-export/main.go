// Command postgis-export writes what maillage's engine reads from the data
// folder, as the engine holds it, in files PostgreSQL's COPY reads: the
// side-by-side comparison with PostGIS (bench/postgis-side-by-side.sh)
// loads them, so that both sides answer over the same shapes, sites and
// population grid.
//
//	go run ./bench/postgis-export --data ../shared/data --out DIR
//
// It writes, tab-separated without header, numbers in the shortest form
// that reads back to the same float64:
//
//   - communes.tsv: code, population, hex WKB of the shape the commune
//     index tests points against (after the engine's reconciliation: former
//     communes joined to the current one), empty without boundary;
//   - sites.tsv: id, position in the layer (maillage's nearest-site search
//     breaks ties of distance by it), lon, lat of the default service
//     layer's sites;
//   - cells.tsv: cell (index in the grid), lon, lat of the cell centre;
//   - shares.tsv: commune code, cell, population share (fractional) of
//     every inhabited share of the grid;
//
// and points.csv, lon,lat,id: test points (sites moved by up to ~5 km, as
// addresses would be), the input of the batch lookups.
package main

import (
	"bufio"
	"encoding/hex"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"github.com/paulmach/orb/encoding/wkb"

	"github.com/maillage/maillage/data/layerconf"
	"github.com/maillage/maillage/matching"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "postgis-export:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("postgis-export", flag.ContinueOnError)
	dataDir := fs.String("data", filepath.Join("..", "shared", "data"), "folder holding the real data files")
	cacheDir := fs.String("cache", defaultCacheDir(), "folder caching the built H3 grid (\"\" disables)")
	res := fs.Int("res", 8, "H3 resolution of the population grid")
	out := fs.String("out", "", "folder the files are written to (required)")
	nPoints := fs.Int("points", 100_000, "test points written to points.csv")
	seed := fs.Uint64("seed", 17, "seed of the test points")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("--out DIR is required")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	layers := layerconf.Default(*dataDir)
	e, err := matching.Load(matching.Config{DataDir: *dataDir, CacheDir: *cacheDir, Resolution: *res, Layers: &layers})
	if err != nil {
		return err
	}
	l := e.Layer(matching.DefaultLayer)
	if l == nil || len(l.Sites) == 0 {
		return fmt.Errorf("the default layer %q has no sites", matching.DefaultLayer)
	}
	t, g := e.Territory(), e.Grid()
	steps := []struct {
		name  string
		write func(w *bufio.Writer) error
	}{
		{"communes.tsv", func(w *bufio.Writer) error {
			for i := range t.Communes {
				c := &t.Communes[i]
				shape := ""
				if c.HasShape() {
					b, err := wkb.Marshal(c.Shape)
					if err != nil {
						return fmt.Errorf("commune %s: %w", c.Code, err)
					}
					shape = hex.EncodeToString(b)
				}
				fmt.Fprintf(w, "%s\t%d\t%s\n", c.Code, c.Population, shape)
			}
			return nil
		}},
		{"sites.tsv", func(w *bufio.Writer) error {
			for i, s := range l.Sites {
				fmt.Fprintf(w, "%s\t%d\t%s\t%s\n", s.ID, i, num(s.Point[0]), num(s.Point[1]))
			}
			return nil
		}},
		{"cells.tsv", func(w *bufio.Writer) error {
			for i, p := range g.Centers {
				fmt.Fprintf(w, "%d\t%s\t%s\n", i, num(p[0]), num(p[1]))
			}
			return nil
		}},
		{"shares.tsv", func(w *bufio.Writer) error {
			for ci := range t.Communes {
				for _, s := range g.CommuneShares(ci) {
					if s.Population > 0 {
						fmt.Fprintf(w, "%s\t%d\t%s\n", t.Communes[ci].Code, s.Cell, num(s.Population))
					}
				}
			}
			return nil
		}},
		{"points.csv", func(w *bufio.Writer) error {
			r := rand.New(rand.NewPCG(*seed, 100))
			for i := 0; i < *nPoints; i++ {
				p := l.Sites[r.IntN(len(l.Sites))].Point
				fmt.Fprintf(w, "%.6f,%.6f,p%d\n", p[0]+(r.Float64()-0.5)*0.1, p[1]+(r.Float64()-0.5)*0.07, i)
			}
			return nil
		}},
	}
	for _, st := range steps {
		if err := writeFile(filepath.Join(*out, st.name), st.write); err != nil {
			return err
		}
	}
	fmt.Printf("communes %d, sites %d, cells %d, points %d\n", len(t.Communes), len(l.Sites), len(g.Centers), *nPoints)
	return nil
}

// num formats v in the shortest form that reads back to the same float64
// (PostgreSQL's float8 input rounds correctly).
func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// writeFile creates path and fills it with write.
func writeFile(path string, write func(w *bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := write(w); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// defaultCacheDir is maillage's grid cache folder, as serve uses it, or ""
// when the user has no cache folder.
func defaultCacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "maillage")
}
