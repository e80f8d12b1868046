package layers_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math"
	"net/http"
	"testing"

	apilayers "github.com/maillage/maillage/api/layers"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/internal/maplayers"
	"github.com/maillage/maillage/internal/web"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
)

// tileOf returns "z/x/y" of the tile holding p at zoom z.
func tileOf(p orb.Point, z int) string {
	t := maptile.At(p, maptile.Zoom(z))
	return fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y)
}

// getTile GETs and decodes a tile.
func getTile(t *testing.T, s *api.Server, url string) mvt.Layers {
	t.Helper()
	rec := apitest.MapGet(t, s, url)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != apilayers.MVTType {
		t.Fatalf("GET %s: Content-Type %q", url, ct)
	}
	layers, err := mvt.Unmarshal(rec.Body.Bytes())
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return layers
}

// TestTileCommunes decodes a z8 tile and checks its features against the
// territory: every commune whose main town lies in the tile is there, none
// whose boundary box misses the buffered tile is, and each decoded
// outline (back in lon/lat) holds its main town.
func TestTileCommunes(t *testing.T) {
	s := apitest.MapServer(t)
	gueret := orb.Point{1.8707, 46.1712}
	tile := maptile.At(gueret, 8)
	layers := getTile(t, s, "/tiles/communes/"+tileOf(gueret, 8)+".mvt")
	if len(layers) != 1 || layers[0].Name != "communes" || layers[0].Version != 2 || layers[0].Extent != geo.TileExtent {
		t.Fatalf("layers %+v", layers)
	}
	l := layers[0]
	l.ProjectToWGS84(tile)
	got := map[string]orb.MultiPolygon{}
	for _, f := range l.Features {
		code, _ := f.Properties["code"].(string)
		var mp orb.MultiPolygon
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			mp = g
		default:
			t.Fatalf("commune %s: geometry %T", code, f.Geometry)
		}
		if _, dup := got[code]; dup {
			t.Fatalf("commune %s twice", code)
		}
		got[code] = mp
		if f.Properties["minutes_class"] == nil || f.Properties["population"] == nil {
			t.Fatalf("commune %s: properties %v", code, f.Properties)
		}
	}
	buffered := tile.Bound(float64(apilayers.TileBufferUnits) / geo.TileExtent)
	inner := tile.Bound()
	terr := s.Registry().Engine().Territory()
	inside := 0
	for i := range terr.Communes {
		c := &terr.Communes[i]
		if !c.HasShape() {
			continue
		}
		mp, ok := got[c.Code]
		if inner.Contains(c.Rep) {
			inside++
			if !ok {
				t.Errorf("commune %s (main town in the tile) missing", c.Code)
				continue
			}
			// Tile rounding moves edges by under a unit (~40 m at z8): test a
			// main town not right on the outline.
			if !geo.MultiPolygonContains(mp, c.Rep) && ringsDistanceDeg(mp, c.Rep) > 0.002 {
				t.Errorf("commune %s: decoded outline misses its main town %v", c.Code, c.Rep)
			}
		}
		if ok && !maplayers.BoundsMeet(c.Bound, buffered) {
			t.Errorf("commune %s is in the tile but its box %v misses it", c.Code, c.Bound)
		}
	}
	if inside < 100 {
		t.Fatalf("only %d main towns in the tile", inside)
	}
}

// ringsDistanceDeg is the planar distance in degrees from p to the
// outline of mp.
func ringsDistanceDeg(mp orb.MultiPolygon, p orb.Point) float64 {
	best := 1e9
	for _, poly := range mp {
		for _, r := range poly {
			for i := 0; i+1 < len(r); i++ {
				a, b := r[i], r[i+1]
				dx, dy := b[0]-a[0], b[1]-a[1]
				u := 0.0
				if l2 := dx*dx + dy*dy; l2 > 0 {
					u = max(0, min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l2))
				}
				ex, ey := a[0]+u*dx-p[0], a[1]+u*dy-p[1]
				best = min(best, ex*ex+ey*ey)
			}
		}
	}
	return best
}

// TestTileSites checks a tile of points against the brute-force list of
// sites within the buffered tile.
func TestTileSites(t *testing.T) {
	s := apitest.MapServer(t)
	paris := orb.Point{2.3522, 48.8566}
	tile := maptile.At(paris, 9)
	proj := geo.NewTileProjection(tile, geo.TileExtent)
	want := map[string]bool{}
	for _, site := range s.Registry().Engine().Layer(matching.DefaultLayer).Sites {
		p := proj.Point(site.Point)
		if p[0] >= -apilayers.TileBufferUnits && p[0] <= geo.TileExtent+apilayers.TileBufferUnits && p[1] >= -apilayers.TileBufferUnits && p[1] <= geo.TileExtent+apilayers.TileBufferUnits {
			want[site.ID] = true
		}
	}
	layers := getTile(t, s, "/tiles/"+matching.DefaultLayer+"/"+tileOf(paris, 9)+".mvt")
	got := map[string]bool{}
	for _, f := range layers[0].Features {
		if _, ok := f.Geometry.(orb.Point); !ok {
			t.Fatalf("geometry %T", f.Geometry)
		}
		got[f.Properties["id"].(string)] = true
	}
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("%d sites in the tile, want %d", len(got), len(want))
	}
	for id := range want {
		if !got[id] {
			t.Errorf("site %s missing", id)
		}
	}
}

// TestTileOtherLayers: every tiled layer answers over Guéret.
func TestTileOtherLayers(t *testing.T) {
	s := apitest.MapServer(t)
	gueret := orb.Point{1.8707, 46.1712}
	for _, c := range []struct {
		layer string
		z     int
		min   int
	}{{"departements", 6, 5}, {"regions", 3, 5}, {"sites", 8, 1}, {"cells", 10, 500}, {"communes", 5, 1000}} {
		layers := getTile(t, s, fmt.Sprintf("/tiles/%s/%s.mvt", c.layer, tileOf(gueret, c.z)))
		if len(layers) != 1 || layers[0].Name != c.layer || len(layers[0].Features) < c.min {
			t.Errorf("%s z%d: %d layers, %d features", c.layer, c.z, len(layers), len(layers[0].Features))
		}
	}
	// The largest gap zone shows in the tile of its centroid.
	cv, err := coverage.Compute(s.Registry().Engine().Coverage(), coverage.Query{})
	if err != nil {
		t.Fatal(err)
	}
	z := cv.Gaps[0]
	layers := getTile(t, s, "/tiles/gaps/"+tileOf(orb.Point{z.Centroid[0], z.Centroid[1]}, 7)+".mvt")
	found := false
	for _, f := range layers[0].Features {
		found = found || f.Properties["id"] == z.ID
	}
	if !found {
		t.Errorf("gap %s not in the tile of its centroid", z.ID)
	}
}

func TestTileEmptyGzipAndErrors(t *testing.T) {
	s := apitest.MapServer(t)
	sea := "/tiles/communes/" + tileOf(orb.Point{-20, 45}, 8) + ".mvt"
	if rec := apitest.MapGet(t, s, sea); rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
		t.Fatalf("sea tile: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	url := "/tiles/communes/" + tileOf(orb.Point{1.8707, 46.1712}, 8) + ".mvt"
	plain := apitest.MapGet(t, s, url)
	zipped := apitest.MapGet(t, s, url, "Accept-Encoding", "gzip")
	if zipped.Header().Get("Content-Encoding") != "gzip" || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("Content-Encoding %q with gzip, %q without", zipped.Header().Get("Content-Encoding"), plain.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(body, plain.Body.Bytes()) || zipped.Body.Len() >= len(body) {
		t.Fatalf("gzip body differs (%v) or is not smaller (%d vs %d)", err, zipped.Body.Len(), len(body))
	}
	if etag := plain.Header().Get("ETag"); etag == "" || etag != zipped.Header().Get("ETag") {
		t.Fatalf("ETag %q plain, %q gzip", etag, zipped.Header().Get("ETag"))
	}
	if rec := apitest.MapGet(t, s, url, "If-None-Match", plain.Header().Get("ETag")); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Fatalf("If-None-Match: %d", rec.Code)
	}
	for _, c := range []struct {
		url    string
		status int
	}{
		{"/tiles/nope/1/1/1.mvt", http.StatusNotFound},
		{"/tiles/communes/1/1/1.png", http.StatusNotFound},
		{"/tiles/communes/23/1/1.mvt", http.StatusBadRequest},
		{"/tiles/communes/2/4/1.mvt", http.StatusBadRequest},
		{"/tiles/communes/2/1/-1.mvt", http.StatusBadRequest},
		{"/tiles/cells/5/16/11.mvt", http.StatusBadRequest},
		{"/tiles/communes.xml", http.StatusNotFound},
	} {
		var e apitest.ErrorBody
		if code := apitest.Get(t, s, c.url, &e); code != c.status || e.Error == "" {
			t.Errorf("GET %s: %d %+v, want %d", c.url, code, e, c.status)
		}
	}
}

func TestTileJSON(t *testing.T) {
	s := apitest.MapServer(t)
	var tj struct {
		TileJSON string    `json:"tilejson"`
		Tiles    []string  `json:"tiles"`
		MinZoom  int       `json:"minzoom"`
		Bounds   []float64 `json:"bounds"`
		Layers   []struct {
			ID     string            `json:"id"`
			Fields map[string]string `json:"fields"`
		} `json:"vector_layers"`
	}
	if code := apitest.Get(t, s, "/tiles/cells.json", &tj); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if tj.TileJSON != "3.0.0" || len(tj.Tiles) != 1 || tj.Tiles[0] != "http://example.com/tiles/cells/{z}/{x}/{y}.mvt" ||
		tj.MinZoom != 8 || len(tj.Bounds) != 4 || len(tj.Layers) != 1 || tj.Layers[0].Fields["population"] != "Number" {
		t.Fatalf("TileJSON %+v", tj)
	}
}

// TestPrepareMapsAndTileCache: PrepareMaps fills the zoom caches of every
// static polygon layer; tiles then come from the server-side cache.
func TestPrepareMapsAndTileCache(t *testing.T) {
	s := apitest.MapServer(t)
	if err := s.PrepareMaps(); err != nil {
		t.Fatal(err)
	}
	l, err := s.Maps().Current().Layer("communes")
	if err != nil {
		t.Fatal(err)
	}
	src, _ := l.Open(maplayers.Filter{})
	for _, z := range apilayers.PreparedZooms {
		for i := 0; i < src.Len(); i++ {
			if src.Geometry(i) != nil && !l.Cache.Cached(z, i) {
				t.Fatalf("zoom %d: commune %s not prepared", z, src.ID(i))
			}
		}
	}
	tile := maptile.At(orb.Point{2.3522, 48.8566}, 7)
	a, err := s.Maps().CachedTile(s.Maps().Current(), l, tile)
	if err != nil || a == nil {
		t.Fatalf("tile: %v", err)
	}
	cached, ok := s.Maps().Current().Cached(l, tile)
	if !ok || !bytes.Equal(cached.Raw(), a) || cached.ETag() != web.ContentETag(a) {
		t.Fatal("tile not cached")
	}
	fresh, err := s.Maps().RenderTile(l, tile)
	if err != nil || !bytes.Equal(fresh, a) {
		t.Fatalf("cached tile differs from a fresh render (%v)", err)
	}
}

// TestLowZoomCommunesTilesAreLight: zoom-5 tiles carry only what the map
// draws (communes: code, distances rounded to 100 m and the access ratio;
// service points: id, layer and kind), deeper tiles every property.
func TestLowZoomCommunesTilesAreLight(t *testing.T) {
	s := apitest.Real(t)
	tile := tileOf(orb.Point{2.3522, 48.8566}, 5)
	layers := getTile(t, s, "/tiles/communes/"+tile+".mvt")
	if len(layers) != 1 || len(layers[0].Features) < 1000 {
		t.Fatalf("zoom 5 tile: %d layers", len(layers))
	}
	for _, f := range layers[0].Features {
		for _, name := range []string{"area_km2", "departement", "minutes_class"} { // the style reads neither
			if _, ok := f.Properties[name]; ok {
				t.Fatalf("zoom 5 communes tile carries %s: %v", name, f.Properties)
			}
		}
		code, _ := f.Properties["code"].(string)
		d, ok := f.Properties["mean_distance_m"].(float64)
		if code == "" || !ok || d != math.Round(d/100)*100 {
			t.Fatalf("zoom 5 feature: code %q, mean_distance_m %v (want rounded to 100 m)", code, f.Properties["mean_distance_m"])
		}
	}
	// From zoom 6 (communes no longer coalesced) the classes are back.
	z6 := getTile(t, s, "/tiles/communes/"+tileOf(orb.Point{2.3522, 48.8566}, 6)+".mvt")
	if p := z6[0].Features[0].Properties; p["departement"] == nil || p["minutes_class"] == nil {
		t.Fatalf("zoom 6 communes tile: %v, want departement and minutes_class", p)
	}
	deep := getTile(t, s, "/tiles/communes/"+tileOf(orb.Point{2.3522, 48.8566}, 9)+".mvt")
	if _, ok := deep[0].Features[0].Properties["area_km2"]; !ok {
		t.Fatalf("zoom 9 tile lost its properties: %v", deep[0].Features[0].Properties)
	}
	// Service points: the map's dots need their layer (and the id) only.
	sites := getTile(t, s, "/tiles/sites/"+tile+".mvt")
	if len(sites) != 1 || len(sites[0].Features) < 1000 {
		t.Fatalf("zoom 5 sites tile: %d layers", len(sites))
	}
	for _, f := range sites[0].Features {
		if len(f.Properties) != 3 || f.Properties["id"] == nil || f.Properties["layer"] == nil || f.Properties["kind"] == nil {
			t.Fatalf("zoom 5 sites feature carries %v, want id, layer and kind only", f.Properties)
		}
	}
	deepSites := getTile(t, s, "/tiles/sites/"+tileOf(orb.Point{2.3522, 48.8566}, 9)+".mvt")
	if _, ok := deepSites[0].Features[0].Properties["name"]; !ok {
		t.Fatalf("zoom 9 sites tile lost the names: %v", deepSites[0].Features[0].Properties)
	}
}
