package layers_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"
)

// maxTileBytes is the weight every tile must stay under, gzipped (issue
// 15: a national map must not fetch megabytes per tile).
const maxTileBytes = 500_000

// TestTilesUnder500KB renders every tile of the polygon and site layers
// over metropolitan France from zoom 0 to 7 and checks each gzipped
// answer weighs at most 500 kB (the communes' z3–z5 tiles weighed
// 0.9–1.2 MB before small communes were coalesced).
func TestTilesUnder500KB(t *testing.T) {
	if testing.Short() {
		t.Skip("renders ~200 tiles of the real data: skipped in -short mode")
	}
	s := apitest.MapServer(t)
	fr := orb.Bound{Min: orb.Point{-5.2, 41.3}, Max: orb.Point{9.6, 51.1}}
	for _, layer := range []string{"communes", "departements", "regions", "sites"} {
		for z := maptile.Zoom(0); z <= 7; z++ {
			lo, hi := maptile.At(orb.Point{fr.Min[0], fr.Max[1]}, z), maptile.At(orb.Point{fr.Max[0], fr.Min[1]}, z)
			heaviest, at := 0, ""
			for x := lo.X; x <= hi.X; x++ {
				for y := lo.Y; y <= hi.Y; y++ {
					url := fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", layer, z, x, y)
					rec := apitest.MapGet(t, s, url, "Accept-Encoding", "gzip")
					if rec.Code != http.StatusOK && rec.Code != http.StatusNoContent {
						t.Fatalf("GET %s: %d %s", url, rec.Code, rec.Body.String())
					}
					if n := rec.Body.Len(); n > heaviest {
						heaviest, at = n, url
					}
				}
			}
			t.Logf("%s z%d: heaviest tile %d bytes gzipped (%s)", layer, z, heaviest, at)
			if heaviest > maxTileBytes {
				t.Errorf("%s: %s weighs %d bytes gzipped, want ≤ %d", layer, at, heaviest, maxTileBytes)
			}
		}
	}
}

// TestTileSeams decodes the z5 tile (communes coalesced) and the z7 tile
// (every commune) over Creuse and samples the land of Creuse and its
// neighbours on a 0.015° grid: the decoded features cover at least 99.5 %
// of it and overlap on at most 0.5 %, as they would on screen.
func TestTileSeams(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the communes' topology: skipped in -short mode")
	}
	s := apitest.MapServer(t)
	rural := []string{"23", "03", "19", "36", "63", "87"}
	terr := s.Registry().Engine().Territory()
	var land []orb.MultiPolygon
	for _, c := range terr.Communes {
		if slices.Contains(rural, c.Departement) && c.HasShape() {
			land = append(land, c.Shape)
		}
	}
	gueret := orb.Point{1.8707, 46.1712}
	area := orb.Bound{Min: orb.Point{1.4, 45.7}, Max: orb.Point{2.6, 46.4}} // Creuse and its borders, inside the tiles below
	var samples []orb.Point                                                 // land points of the area, on a 0.015° grid
	for lon := area.Min[0]; lon < area.Max[0]; lon += 0.015 {
		for lat := area.Min[1]; lat < area.Max[1]; lat += 0.015 {
			if p := (orb.Point{lon, lat}); coversAny(land, p) {
				samples = append(samples, p)
			}
		}
	}
	for _, z := range []maptile.Zoom{5, 7} {
		tile := maptile.At(gueret, z)
		if !tile.Bound().Contains(area.Min) || !tile.Bound().Contains(area.Max) {
			t.Fatalf("z%d tile %v does not hold the sampled area", z, tile)
		}
		layers := getTile(t, s, fmt.Sprintf("/tiles/communes/%d/%d/%d.mvt", z, tile.X, tile.Y))
		layers.ProjectToWGS84(tile)
		var shapes []orb.Geometry
		for _, f := range layers[0].Features {
			if f.Geometry.Bound().Intersects(area) {
				shapes = append(shapes, f.Geometry)
			}
		}
		nLand, nCov, nOver := len(samples), 0, 0
		for _, p := range samples {
			n := 0
			for _, g := range shapes {
				if g.Bound().Contains(p) && geometryContains(g, p) {
					n++
				}
			}
			if n > 0 {
				nCov++
				nOver += n - 1
			}
		}
		cov, over := float64(nCov)/float64(nLand), float64(nOver)/float64(nLand)
		t.Logf("z%d: %d features near Creuse, %d land samples: covered %.2f %%, overlap %.2f %%", z, len(shapes), nLand, 100*cov, 100*over)
		if nLand < 2000 || cov < 0.995 || over > 0.005 {
			t.Errorf("z%d: covered %.2f %% (want ≥ 99.5), overlap %.2f %% (want ≤ 0.5) over %d samples", z, 100*cov, 100*over, nLand)
		}
	}
}

// coversAny reports whether one of the shapes holds p.
func coversAny(shapes []orb.MultiPolygon, p orb.Point) bool {
	for _, mp := range shapes {
		if mp.Bound().Contains(p) && planar.MultiPolygonContains(mp, p) {
			return true
		}
	}
	return false
}

// geometryContains reports whether a decoded polygon feature holds p.
func geometryContains(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	}
	return false
}
