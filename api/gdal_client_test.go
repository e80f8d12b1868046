package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// gdalTool returns the path of a GDAL command-line tool, skipping the test
// when GDAL is not installed.
func gdalTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not found: install GDAL's tools (Debian: apt-get install -y gdal-bin)", name)
	}
	return p
}

// gdalRun runs a GDAL tool and returns its combined output, failing the
// test when it exits with an error or prints an error, a warning or an
// exception.
func gdalRun(ctx context.Context, t *testing.T, tool string, args ...string) string {
	t.Helper()
	start := time.Now()
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=60", "CPL_DEBUG=OFF")
	out, err := cmd.CombinedOutput()
	t.Logf("%s %s: %v", filepath.Base(tool), strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("%s %s: %v\n%.2000s", filepath.Base(tool), strings.Join(args, " "), err, out)
	}
	if m := gdalComplaint.Find(out); m != nil {
		t.Errorf("%s %s printed %q:\n%.2000s", filepath.Base(tool), strings.Join(args, " "), m, out)
	}
	return string(out)
}

// gdalComplaint is what GDAL prints when something went wrong without
// failing outright.
var gdalComplaint = regexp.MustCompile(`(?i)(ERROR \d+|Warning \d+|exception)[^\n]*`)

// TestGDALClient drives GDAL, the library under QGIS and most GIS tools,
// against a running server over the real data: its OGC API – Features
// driver opens every collection without a complaint and exports the
// communes, départements, régions and gaps to a GeoPackage where every
// geometry is valid (ST_IsValid through GDAL's SQLite dialect) and
// covered_share is a Real; its vector-tile driver reads the heaviest z5
// tile without an exception.
func TestGDALClient(t *testing.T) {
	if testing.Short() {
		t.Skip("GDAL client test skipped in -short mode")
	}
	ogrinfo, ogr2ogr := gdalTool(t, "ogrinfo"), gdalTool(t, "ogr2ogr")
	srv := api.New(apitest.Real(t).Registry(), api.Config{DataDir: apitest.TestData})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	base := "OAPIF:" + ts.URL + "/ogc"

	var colls struct {
		Collections []struct {
			ID string `json:"id"`
		} `json:"collections"`
	}
	fetchJSON(t, ts.URL+"/ogc"+"/collections", &colls)
	if len(colls.Collections) == 0 {
		t.Fatal("no collection")
	}
	gdalRun(ctx, t, ogrinfo, "-ro", "-so", base)
	for _, c := range colls.Collections {
		gdalRun(ctx, t, ogrinfo, "-ro", "-so", base, c.ID)
	}

	gpkg := filepath.Join(t.TempDir(), "maillage.gpkg")
	layers := []string{"communes", "departements", "regions", "gaps"}
	for k, l := range layers {
		// GeoPackage has no list type: the gaps' départements become a
		// JSON string, said explicitly rather than warned about.
		args := []string{"-f", "GPKG", "-mapFieldType", "StringList=String", "-oo", "PAGE_SIZE=10000", gpkg, base, l}
		if k > 0 {
			args = append([]string{"-update"}, args...)
		}
		gdalRun(ctx, t, ogr2ogr, args...)
	}
	for _, l := range layers {
		out := gdalRun(ctx, t, ogrinfo, "-ro", "-dialect", "SQLite", "-sql",
			fmt.Sprintf("SELECT count(*) AS n, sum(NOT ST_IsValid(geom)) AS invalid FROM %s", l), gpkg)
		n, invalid := sqlField(t, out, "n"), sqlField(t, out, "invalid")
		t.Logf("%s: %s features, %s invalid", l, n, invalid)
		if n == "0" || invalid != "0" {
			t.Errorf("%s in the GeoPackage: %s features, %s invalid geometries", l, n, invalid)
		}
	}
	if out := gdalRun(ctx, t, ogrinfo, "-ro", "-so", gpkg, "communes"); !regexp.MustCompile(`(?m)^covered_share: Real`).MatchString(out) {
		t.Errorf("covered_share is not a Real in the GeoPackage:\n%.3000s", out)
	}

	tile, size := heaviestTile(t, ts.URL, "communes", 5)
	raw := fetchTile(t, ts.URL+tile)
	mvt := filepath.Join(t.TempDir(), "tile.mvt")
	if err := os.WriteFile(mvt, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	var z, x, y int
	if _, err := fmt.Sscanf(tile, "/tiles/communes/%d/%d/%d.mvt", &z, &x, &y); err != nil {
		t.Fatal(err)
	}
	t.Logf("heaviest z5 communes tile %s: %d bytes gzipped", tile, size)
	out := gdalRun(ctx, t, ogrinfo, "-ro", "-al", "-q", "-oo", fmt.Sprintf("Z=%d", z), "-oo", fmt.Sprintf("X=%d", x), "-oo", fmt.Sprintf("Y=%d", y), mvt)
	if !strings.Contains(out, "POLYGON") {
		t.Errorf("the MVT reader read no polygon from %s:\n%.1000s", tile, out)
	}
}

// sqlField returns the value of a field in ogrinfo's answer to -sql.
func sqlField(t *testing.T, out, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s*` + name + ` \([A-Za-z0-9]+\) = (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %s in ogrinfo's answer:\n%.2000s", name, out)
	}
	return m[1]
}

// fetchJSON GETs url and decodes its JSON body.
func fetchJSON(t *testing.T, url string, out any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// fetchTile GETs a tile, uncompressed (nil for 204).
func fetchTile(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || (resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent) {
		t.Fatalf("GET %s: %s, %v", url, resp.Status, err)
	}
	return body
}

// heaviestTile returns the path of the heaviest tile of layer at zoom z
// over the layer's extent, and its gzipped size.
func heaviestTile(t *testing.T, serverURL, layer string, z int) (path string, gzBytes int) {
	t.Helper()
	var tj struct {
		Bounds []float64 `json:"bounds"`
	}
	fetchJSON(t, serverURL+"/tiles/"+layer+".json", &tj)
	for _, tile := range tilesOver(tj.Bounds, z) {
		p := fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", layer, z, tile[0], tile[1])
		raw := fetchTile(t, serverURL+p)
		if n := apitest.GzipSize(t, raw); n > gzBytes {
			path, gzBytes = p, n
		}
	}
	if path == "" {
		t.Fatalf("layer %s has no tile at zoom %d", layer, z)
	}
	return path, gzBytes
}

// tilesOver lists the tiles [x, y] of zoom z covering bounds (west, south,
// east, north).
func tilesOver(bounds []float64, z int) [][2]uint32 {
	if len(bounds) != 4 {
		return nil
	}
	nw := maptile.At(orb.Point{bounds[0], bounds[3]}, maptile.Zoom(z))
	se := maptile.At(orb.Point{bounds[2], bounds[1]}, maptile.Zoom(z))
	var out [][2]uint32
	for x := nw.X; x <= se.X; x++ {
		for y := nw.Y; y <= se.Y; y++ {
			out = append(out, [2]uint32{x, y})
		}
	}
	return out
}
