package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/maplayers"
	"github.com/maillage/maillage/matching"
)

// mapRoutes registers the endpoints of the map layers: the layer list and
// GeoJSON layers under /v1, the OGC API under /ogc, vector tiles under
// /tiles, and the OpenAPI document. The layers themselves are set up on
// first use (mapLayers).
func (s *Server) mapRoutes(r *gin.Engine, v1 *gin.RouterGroup) {
	v1.GET("/layers", handle(s.layersIndex))
	v1.GET("/layers/compare", handle(s.layersCompare)) // what changed between two lists (api/layers_compare.go)
	v1.GET("/layers/:name", handle(s.layerGeoJSON))
	s.ogcRoutes(r)
	s.tileRoutes(r)
	r.GET("/openapi.json", handle(s.openAPI))
}

// layerView is one entry of GET /v1/layers.
type layerView struct {
	Name         string               `json:"name"`
	Title        string               `json:"title"`
	Description  string               `json:"description"`
	Kind         string               `json:"kind"`
	GeometryType string               `json:"geometry_type"`
	Count        *int                 `json:"count"` // null when the layer cannot be built (see unavailable)
	Unavailable  string               `json:"unavailable,omitempty"`
	Vintage      string               `json:"vintage,omitempty"`
	Source       string               `json:"source,omitempty"`
	Report       *data.LoadReport     `json:"report,omitempty"`
	MinTileZoom  int                  `json:"min_tile_zoom"`
	Properties   []maplayers.PropSpec `json:"properties"`
	Links        layerLinks           `json:"links"`
	// Uploaded describes a layer uploaded at run time (POST /v1/layers),
	// which DELETE /v1/layers/{name} removes; absent for the others.
	Uploaded *matching.LayerUpload `json:"uploaded,omitempty"`
}

// layerLinks are the URLs serving a layer.
type layerLinks struct {
	GeoJSON  string `json:"geojson"`
	OGC      string `json:"ogc_items"`
	Tiles    string `json:"tiles"`
	TileJSON string `json:"tilejson"`
}

// layerKinds are the kinds GET /v1/layers?kind= takes.
var layerKinds = []string{maplayers.KindBoundaries, maplayers.KindService, maplayers.KindAnalysis, maplayers.KindUploaded}

func (s *Server) layersIndex(c *gin.Context) error {
	base := s.baseURL(c)
	e := s.engineOf(c)
	// kind= lists one kind only: the map's checkboxes ask for the service
	// layers without paying for the counts of the analysis layers.
	kind := c.Query("kind")
	if kind != "" && !slices.Contains(layerKinds, kind) {
		return badParam("kind", "%q: want one of %s", kind, strings.Join(layerKinds, ", "))
	}
	items := []layerView{}
	for _, l := range s.mapsFor(e).mapLayers().List() {
		if kind != "" && l.Kind != kind {
			continue
		}
		v := layerView{Name: l.Name, Title: l.Title, Description: l.Description, Kind: l.Kind,
			GeometryType: l.GeometryType, Vintage: l.Vintage, Source: l.Source, Report: l.Report,
			MinTileZoom: l.MinTileZoom, Properties: l.Props, Links: layerLinksOf(base, l.Name)}
		if up, ok := e.Uploaded(l.Name); ok && l.Kind == maplayers.KindService {
			v.Uploaded = &up
		}
		if n, err := l.Count(); err != nil {
			v.Unavailable = err.Error()
		} else {
			v.Count = &n
		}
		items = append(items, v)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": len(items)})
	return nil
}

// layer returns the map layer called name.
func (m *mapState) layer(name string) (*maplayers.Layer, error) {
	l, ok := m.mapLayers().Get(name)
	if !ok {
		var names []string
		for _, x := range m.mapLayers().List() {
			names = append(names, x.Name)
		}
		return nil, notFound("no layer %q (layers: %v)", name, names)
	}
	return l, nil
}

// layerGeoJSON serves GET /v1/layers/{name}: a FeatureCollection with
// numberMatched, numberReturned and self/next links.
func (s *Server) layerGeoJSON(c *gin.Context) error {
	l, err := s.mapsOf(c).layer(c.Param("name"))
	if err != nil {
		return err
	}
	q, err := s.parseLayerQuery(c, l, pageLimits{def: layerDefaultLimit, max: layerMaxLimit})
	if err != nil {
		return err
	}
	body, release, err := s.featureCollection(c, l, q)
	if err != nil {
		return err
	}
	defer release() // once the page is sent: its memory is held until then
	c.Header("Content-Crs", "<"+q.crs.URI()+">")
	s.writeCached(c, geoJSONType, body)
	return nil
}

// featureCollection renders one page of a layer, within the bound on large
// pages: the caller calls release once the page is sent.
func (s *Server) featureCollection(c *gin.Context, l *maplayers.Layer, q layerQuery) (body []byte, release func(), err error) {
	src, err := l.Open(q.filter)
	if err != nil {
		return nil, nil, err
	}
	ids, matched := maplayers.Select(src, q.filter)
	ids = maplayers.Page(ids, matched, q.limit, q.offset)
	if release, err = s.boundLayerPage(c, len(ids)); err != nil {
		return nil, nil, err
	}
	w := newFeatureWriter(l, src, q)
	links := s.pageLinks(c, geoJSONType, q, len(ids), matched)
	return w.appendCollection(make([]byte, 0, 64<<10), ids, matched, links), release, nil
}

// preparedZooms are the zooms whose simplified geometries PrepareMaps
// computes: a map of France opens around zoom 5, a département around 8.
var preparedZooms = []int{5, 6, 7, 8}

// PrepareMaps computes ahead of the first request what the map layers
// otherwise build on first use: the national coverage at the default
// reach, the département and région boundaries, every static layer's
// features and their simplified geometries at preparedZooms (about a
// second and a half on two cores). Requests work without it; call it in
// the background after start-up so that the first map view is fast. It
// returns the first layer that could not be built.
func (s *Server) PrepareMaps() error {
	var first error
	for _, l := range s.mapsNow().mapLayers().List() {
		if l.NeedsFilter {
			continue
		}
		src, err := l.Open(maplayers.Filter{})
		if err != nil {
			if first == nil {
				first = fmt.Errorf("layer %s: %w", l.Name, err)
			}
			continue
		}
		if l.Cache == nil {
			continue
		}
		for _, z := range preparedZooms {
			for i := 0; i < src.Len(); i++ {
				l.Cache.AtZoom(src, i, z)
			}
		}
	}
	return first
}
