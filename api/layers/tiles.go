package layers

import (
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/maptile"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/topo"
	"github.com/maillage/maillage/geo/valid"
	"github.com/maillage/maillage/internal/maplayers"
	"github.com/maillage/maillage/internal/mvt"
	"github.com/maillage/maillage/internal/web"
)

// Vector tiles: their media type (MVTType), buffer and deepest zoom.
const (
	MVTType         = "application/vnd.mapbox-vector-tile"
	tileBufferUnits = 64 // features are clipped this far (in tile units of 4096) outside the tile
	tileJSONMaxZoom = 14 // clients overzoom beyond
)

// tileRoutes registers the vector tiles and their TileJSON descriptions.
func (s *Handlers) tileRoutes(r gin.IRouter) {
	r.GET("/tiles/:layer", httpx.Handle(s.tileJSON))         // /tiles/{layer}.json
	r.GET("/tiles/:layer/:z/:x/:y", httpx.Handle(s.tileMVT)) // /tiles/{layer}/{z}/{x}/{y}.mvt
}

// parseTile reads z, x and y (with its .mvt suffix) from the path.
func parseTile(c *gin.Context) (maptile.Tile, error) {
	ys, ok := strings.CutSuffix(c.Param("y"), ".mvt")
	if !ok {
		return maptile.Tile{}, httpx.NotFound("tiles are /tiles/{layer}/{z}/{x}/{y}.mvt")
	}
	z, err := strconv.Atoi(c.Param("z"))
	if err != nil || z < 0 || z > maplayers.MaxZoom {
		return maptile.Tile{}, httpx.BadParam("z", "%q is not a zoom in [0, %d]", c.Param("z"), maplayers.MaxZoom)
	}
	n := 1 << z
	x, err := strconv.Atoi(c.Param("x"))
	if err != nil || x < 0 || x >= n {
		return maptile.Tile{}, httpx.BadParam("x", "%q is not a column in [0, %d] at zoom %d", c.Param("x"), n-1, z)
	}
	y, err := strconv.Atoi(ys)
	if err != nil || y < 0 || y >= n {
		return maptile.Tile{}, httpx.BadParam("y", "%q is not a row in [0, %d] at zoom %d", ys, n-1, z)
	}
	return maptile.New(uint32(x), uint32(y), maptile.Zoom(z)), nil
}

// tileMVT serves one Mapbox Vector Tile (version 2, extent 4096) holding
// one layer named after the map layer; 204 when no feature reaches it.
func (s *Handlers) tileMVT(c *gin.Context) error {
	m := s.StateOf(c)
	l, err := m.Layer(c.Param("layer"))
	if err != nil {
		return err
	}
	t, err := parseTile(c)
	if err != nil {
		return err
	}
	if int(t.Z) < l.MinTileZoom {
		return httpx.BadParam("z", "layer %s has tiles from zoom %d", l.Name, l.MinTileZoom)
	}
	e, err := s.tile(m, l, t)
	if err != nil {
		return err
	}
	if e.empty() {
		s.env.WriteEmpty(c)
		return nil
	}
	body := e.raw
	if body == nil && !web.AcceptsGzip(c.GetHeader("Accept-Encoding")) {
		if body, err = e.mvt(); err != nil { // the cache keeps the gzip form only
			return err
		}
	}
	s.env.WriteTagged(c, MVTType, body, e.gz, e.etag)
	return nil
}

// renderTile encodes the features of l reaching tile t, nil when none
// does. Geometries are simplified for the tile's zoom in lon/lat (cached
// per zoom), projected, clipped to the tile and its buffer, then rounded to
// the integer grid, rings de-duplicated, collapsed ones dropped, and
// oriented (exteriors of positive area in tile coordinates, as MVT 2
// wants). Null properties are left out: MVT has no null.
func (s *Handlers) renderTile(l *maplayers.Layer, t maptile.Tile) ([]byte, error) {
	bound := t.Bound(float64(tileBufferUnits) / geo.TileExtent)
	src, err := l.Open(maplayers.Filter{BBox: bound, HasBBox: true})
	if err != nil {
		return nil, err
	}
	var ids []int
	src.Search(bound, func(i int) bool {
		if b, ok := src.Bound(i); ok && maplayers.BoundsMeet(b, bound) {
			ids = append(ids, i)
		}
		return true
	})
	if len(ids) == 0 {
		return nil, nil
	}
	rep, merged, coalesced := []int32(nil), (func(int) orb.MultiPolygon)(nil), false
	if l.TileCoalesce != nil {
		rep, merged, coalesced = l.TileCoalesce(int(t.Z))
	}
	if coalesced {
		for k, i := range ids {
			ids[k] = int(rep[i]) // drawn by its group's outline
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	proj := geo.NewTileProjection(t, geo.TileExtent)
	box := orb.Bound{Min: orb.Point{-tileBufferUnits, -tileBufferUnits},
		Max: orb.Point{geo.TileExtent + tileBufferUnits, geo.TileExtent + tileBufferUnits}}
	grid := topo.Simplifier{Decimals: 0}
	var validator valid.ShapeValidator // rounding to the grid can fold a ring
	keep := tileProps(l, int(t.Z))
	names := l.PropNames()
	if keep != nil {
		names = make([]string, len(keep))
		for k, i := range keep {
			names[k] = l.Props[i].Name
		}
	}
	enc := mvt.NewLayer(l.Name, names, geo.TileExtent, len(ids))
	var vals, kept []mvt.Value
	for _, i := range ids {
		var g orb.Geometry
		var lonLat orb.Geometry
		if coalesced {
			lonLat = maplayers.PolygonsOrNil(merged(i))
		} else {
			lonLat = l.Cache.AtZoom(src, i, int(t.Z))
		}
		switch lg := lonLat.(type) {
		case orb.Point:
			p := proj.Point(lg)
			if !box.Contains(p) {
				continue
			}
			g = orb.Point{math.Round(p[0]), math.Round(p[1])}
		case orb.MultiPolygon:
			mp := validator.RepairGridShape(grid.MultiPolygon(clip.MultiPolygon(box, proj.MultiPolygon(lg))))
			if len(mp) == 0 {
				continue
			}
			g = mp
		default:
			continue
		}
		vals = src.Props(i, vals[:0])
		if keep != nil {
			kept = lowZoomValues(l, keep, vals, kept[:0])
			enc.Add(tileFeatureID(src, i), g, kept)
			continue
		}
		enc.Add(tileFeatureID(src, i), g, vals)
	}
	return enc.Tile(), nil
}

// tileFeatureID is a feature's MVT id: its H3 index for cells, else its
// position in the layer plus one (stable while the server runs).
func tileFeatureID(src maplayers.Source, i int) uint64 {
	if c, ok := src.(*cellsSource); ok {
		id, _ := geo.ParseCell(c.cells[i].H3) // the grid's own cells: always valid
		return uint64(id)
	}
	return uint64(i) + 1
}

// tileJSON serves /tiles/{layer}.json (TileJSON 3.0), for MapLibre
// sources: {"type": "vector", "url": ".../tiles/communes.json"}.
func (s *Handlers) tileJSON(c *gin.Context) error {
	name, ok := strings.CutSuffix(c.Param("layer"), ".json")
	if !ok {
		return httpx.NotFound("tiles are /tiles/{layer}/{z}/{x}/{y}.mvt, descriptions /tiles/{layer}.json")
	}
	l, err := s.StateOf(c).Layer(name)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	for _, p := range l.Props {
		switch p.Type {
		case "integer", "number":
			fields[p.Name] = "Number"
		case "boolean":
			fields[p.Name] = "Boolean"
		default:
			fields[p.Name] = "String"
		}
	}
	b := Extent(s.env.EngineOf(c), l)
	base := s.env.BaseURL(c)
	c.JSON(http.StatusOK, gin.H{
		"tilejson":    "3.0.0",
		"name":        l.Title,
		"description": l.Description,
		"scheme":      "xyz",
		"tiles":       []string{base + "/tiles/" + l.Name + "/{z}/{x}/{y}.mvt"},
		"minzoom":     l.MinTileZoom,
		"maxzoom":     tileJSONMaxZoom,
		"bounds":      []float64{httpx.Round(b.Min[0], 6), httpx.Round(b.Min[1], 6), httpx.Round(b.Max[0], 6), httpx.Round(b.Max[1], 6)},
		"vector_layers": []gin.H{{"id": l.Name, "description": l.Description, "fields": fields,
			"minzoom": l.MinTileZoom, "maxzoom": tileJSONMaxZoom}},
	})
	return nil
}

// Low-zoom tiles of the communes layer carry only the properties a map needs to
// colour and identify features, with distances rounded to 100 m: a zoom-5
// communes tile holds ~20,000 communes, and their unique numbers (areas,
// shares, distances to the metre) made most of its 2.4 MB. Names and
// populations, unique per commune, come from /v1/communes/{code} when one
// is clicked (they kept the zoom-6 tiles at 500 kB gzipped).
const lowZoomTileMax = 6

// lowZoomTileProps are the properties kept in a layer's tiles at zoom z
// (at most lowZoomTileMax), nil for all of them. The "sites" layer (every
// point of every service layer: 0.53 MB raw in the zoom-5 tile of France's
// centre) keeps what the map tells its dots apart by: their names,
// addresses and communes made most of the bytes the browser parsed before
// the map's first render (issue 15); tiles from zoom 7 on, and each
// layer's own tiles, carry them. Communes tiles of the national view (up
// to coalesceMaxZoom, communes coalesced) keep only what the page's style
// reads (the code for feature states and clicks, the distances and the
// access ratio for colours): a click asks /v1/communes/{code} for the rest.
func lowZoomTileProps(layer string, z int) []string {
	switch layer {
	case "communes":
		if z <= coalesceMaxZoom {
			return []string{"code", "mean_distance_m", "nearest_distance_m", "access_ratio"}
		}
		return []string{"code", "departement", "minutes_class", "mean_distance_m", "nearest_distance_m", "access_ratio"}
	case "sites":
		return []string{"id", "layer", "kind"}
	}
	return nil
}

// tileProps returns the indexes of l's properties kept at zoom z, nil for
// all of them.
func tileProps(l *maplayers.Layer, z int) []int {
	names := lowZoomTileProps(l.Name, z)
	if z > lowZoomTileMax || names == nil {
		return nil
	}
	var keep []int
	for _, name := range names {
		if i := l.PropIndex(name); i >= 0 {
			keep = append(keep, i)
		}
	}
	slices.Sort(keep)
	if len(keep) == 0 || len(keep) == len(l.Props) {
		return nil
	}
	return keep
}

// lowZoomValues appends the kept values to dst, distances in metres
// rounded to 100 m and minutes to the minute.
func lowZoomValues(l *maplayers.Layer, keep []int, vals, dst []mvt.Value) []mvt.Value {
	for _, i := range keep {
		v := vals[i]
		if v.Kind == mvt.Number {
			switch name := l.Props[i].Name; {
			case strings.HasSuffix(name, "_m"):
				v.F = math.Round(v.F/100) * 100
			case strings.HasSuffix(name, "_minutes"):
				v.F = math.Round(v.F)
			}
		}
		dst = append(dst, v)
	}
	return dst
}
