package ogc_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/ogc"
	"github.com/maillage/maillage/geo/crs"
)

// ogcFeature is the part of a GeoJSON feature the CRS tests read.
type ogcFeature struct {
	ID       string `json:"id"`
	Geometry struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
}

// outerRing returns the first ring of a (Multi)Polygon's coordinates.
func outerRing(t *testing.T, f ogcFeature) [][2]float64 {
	t.Helper()
	switch f.Geometry.Type {
	case "Polygon":
		var c [][][2]float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil {
			t.Fatal(err)
		}
		return c[0]
	case "MultiPolygon":
		var c [][][][2]float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil {
			t.Fatal(err)
		}
		return c[0][0]
	}
	t.Fatalf("geometry %s", f.Geometry.Type)
	return nil
}

// TestOGCLambert93: OGC API – Features Part 2 — the collections advertise
// CRS84 and Lambert-93, items come in Lambert-93 on crs= with Content-Crs,
// each vertex where GDAL (gdaltransform, when installed; the crs package
// otherwise) puts the CRS84 answer's vertex, bbox-crs= selects in metres,
// and an unsupported crs is a 400 listing the supported ones.
func TestOGCLambert93(t *testing.T) {
	s := apitest.MapServer(t)
	var coll ogc.CollectionView
	if code := apitest.Get(t, s, "/ogc/collections/communes", &coll); code != http.StatusOK {
		t.Fatalf("collection: %d", code)
	}
	if !slices.Contains(coll.CRS, crs.Lambert93URI) || coll.CRS[0] != crs.CRS84URI || coll.StorageCRS != crs.CRS84URI {
		t.Fatalf("collection crs %v, storageCrs %q", coll.CRS, coll.StorageCRS)
	}
	var conf struct {
		ConformsTo []string `json:"conformsTo"`
	}
	apitest.Get(t, s, "/ogc/conformance", &conf)
	if !slices.Contains(conf.ConformsTo, ogc.ConfCRS) {
		t.Errorf("conformance lacks Part 2 crs: %v", conf.ConformsTo)
	}

	const item = "/ogc/collections/communes/items/23096?zoom=9" // Guéret, simplified: a few hundred vertices
	var lonLat, l93 ogcFeature
	apitest.Get(t, s, item, &lonLat)
	rec := apitest.MapGet(t, s, item+"&crs="+crs.Lambert93URI)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Crs") != "<"+crs.Lambert93URI+">" {
		t.Fatalf("crs=Lambert-93: %d, Content-Crs %q: %.200s", rec.Code, rec.Header().Get("Content-Crs"), rec.Body.String())
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &l93); err != nil {
		t.Fatal(err)
	}
	if r := apitest.MapGet(t, s, item); r.Header().Get("Content-Crs") != "<"+crs.CRS84URI+">" {
		t.Errorf("default Content-Crs %q", r.Header().Get("Content-Crs"))
	}
	in, out := outerRing(t, lonLat), outerRing(t, l93)
	if len(in) != len(out) || len(in) < 4 {
		t.Fatalf("%d vertices in CRS84, %d in Lambert-93", len(in), len(out))
	}
	want := projectWithGDAL(t, in)
	worst := 0.0
	for k := range in {
		worst = max(worst, math.Hypot(out[k][0]-want[k][0], out[k][1]-want[k][1]))
	}
	t.Logf("Guéret: %d vertices, largest difference with the reference %.3f m", len(in), worst)
	if worst > 0.01 {
		t.Errorf("Lambert-93 vertices up to %.3f m from the reference, want ≤ 1 cm", worst)
	}
	if out[0][0] < 600000 || out[0][0] > 630000 || out[0][1] < 6550000 || out[0][1] > 6580000 {
		t.Errorf("Guéret at %v in Lambert-93, expected near 612,875 6,564,109", out[0])
	}

	// bbox-crs: a 2 km box around Guéret's town hall, in metres.
	var fc struct {
		Features []ogcFeature `json:"features"`
	}
	url := "/ogc/collections/communes/items?bbox=611875,6563108,613875,6565108&bbox-crs=EPSG:2154&limit=50"
	if code := apitest.Get(t, s, url, &fc); code != http.StatusOK {
		t.Fatalf("bbox-crs: %d", code)
	}
	ids := []string{}
	for _, f := range fc.Features {
		ids = append(ids, f.ID)
	}
	if !slices.Contains(ids, "23096") || len(ids) > 10 {
		t.Errorf("bbox in Lambert-93 around Guéret selects %v", ids)
	}

	for _, bad := range []string{"crs=EPSG:4326", "crs=http://www.opengis.net/def/crs/EPSG/0/3857", "bbox-crs=nope&bbox=1,2,3,4"} {
		var e apitest.ErrorBody
		code := apitest.Get(t, s, "/ogc/collections/communes/items?"+bad, &e)
		if code != http.StatusBadRequest || e.Error != "bad_parameter" || !strings.Contains(e.Message, crs.Lambert93URI) {
			t.Errorf("%s: %d %+v, want 400 listing the supported systems", bad, code, e)
		}
	}
}

// projectWithGDAL projects lon/lat points to Lambert-93 with gdaltransform
// when GDAL is installed, else with the crs package (itself checked
// against GDAL and wroge/wgs84 in its tests).
func projectWithGDAL(t *testing.T, pts [][2]float64) [][2]float64 {
	t.Helper()
	out := make([][2]float64, len(pts))
	if _, err := exec.LookPath("gdaltransform"); err != nil {
		t.Log("gdaltransform not found (apt-get install gdal-bin): comparing with the crs package")
		l93 := crs.Lambert93()
		for k, p := range pts {
			q := l93.Point(p)
			out[k] = [2]float64{q[0], q[1]}
		}
		return out
	}
	var in bytes.Buffer
	for _, p := range pts {
		fmt.Fprintf(&in, "%.6f %.6f\n", p[0], p[1])
	}
	cmd := exec.Command("gdaltransform", "-s_srs", "EPSG:4326", "-t_srs", "EPSG:2154", "-output_xy")
	cmd.Env = append(cmd.Environ(), "OSR_DEFAULT_AXIS_MAPPING_STRATEGY=TRADITIONAL_GIS_ORDER")
	cmd.Stdin = &in
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("gdaltransform: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != len(pts) {
		t.Fatalf("gdaltransform: %d lines for %d points", len(lines), len(pts))
	}
	for k, line := range lines {
		f := strings.Fields(line)
		out[k][0], _ = strconv.ParseFloat(f[0], 64)
		out[k][1], _ = strconv.ParseFloat(f[1], 64)
	}
	return out
}
