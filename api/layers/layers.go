// Package layers serves the map layers of the API: each engine's layers
// (communes, boundaries, sites, gap zones, grid cells) with their coverage,
// as GeoJSON pages and as vector tiles, cached and rendered once per tile.
package layers

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/maplayers"
	"github.com/maillage/maillage/matching"
)

// Handlers serves the map layers of the engine in service: the layer list
// and GeoJSON pages under /v1/layers and vector tiles under /tiles. It
// keeps each engine's State (the layers, their coverage and boundaries,
// the tile cache), built on first use.
type Handlers struct {
	env     *httpx.Env
	dataDir string    // the data folder, for the boundary layers ("": they answer 503)
	states  mapStates // the states of the engine in service and of the one before
}

// New returns the handlers over env; dataDir is the data folder read for
// the département and région boundaries.
func New(env *httpx.Env, dataDir string) *Handlers {
	return &Handlers{env: env, dataDir: dataDir}
}

// Routes registers the endpoints of the map layers under r (the root): the
// layer list and GeoJSON layers under /v1 and vector tiles under /tiles.
// The layers themselves are set up on first use (State.Layers).
func (s *Handlers) Routes(r *gin.RouterGroup) {
	v1 := r.Group("/v1")
	v1.GET("/layers", httpx.Handle(s.layersIndex))
	v1.GET("/layers/:name", httpx.Handle(s.layerGeoJSON))
	s.tileRoutes(r)
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
	Links        Links                `json:"links"`
	// Uploaded describes a layer uploaded at run time (POST /v1/layers),
	// which DELETE /v1/layers/{name} removes; absent for the others.
	Uploaded *matching.LayerUpload `json:"uploaded,omitempty"`
}

// Links are the URLs serving a layer.
type Links struct {
	GeoJSON  string `json:"geojson"`
	OGC      string `json:"ogc_items"`
	Tiles    string `json:"tiles"`
	TileJSON string `json:"tilejson"`
}

// layerKinds are the kinds GET /v1/layers?kind= takes.
var layerKinds = []string{maplayers.KindBoundaries, maplayers.KindService, maplayers.KindAnalysis, maplayers.KindUploaded}

func (s *Handlers) layersIndex(c *gin.Context) error {
	base := s.env.BaseURL(c)
	e := s.env.EngineOf(c)
	// kind= lists one kind only: the map's checkboxes ask for the service
	// layers without paying for the counts of the analysis layers.
	kind := c.Query("kind")
	if kind != "" && !slices.Contains(layerKinds, kind) {
		return httpx.BadParam("kind", "%q: want one of %s", kind, strings.Join(layerKinds, ", "))
	}
	items := []layerView{}
	for _, l := range s.stateFor(e).Layers().List() {
		if kind != "" && l.Kind != kind {
			continue
		}
		v := layerView{Name: l.Name, Title: l.Title, Description: l.Description, Kind: l.Kind,
			GeometryType: l.GeometryType, Vintage: l.Vintage, Source: l.Source, Report: l.Report,
			MinTileZoom: l.MinTileZoom, Properties: l.Props, Links: LinksOf(base, l.Name)}
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

// Layer returns the map layer called name.
func (m *State) Layer(name string) (*maplayers.Layer, error) {
	l, ok := m.Layers().Get(name)
	if !ok {
		var names []string
		for _, x := range m.Layers().List() {
			names = append(names, x.Name)
		}
		return nil, httpx.NotFound("no layer %q (layers: %v)", name, names)
	}
	return l, nil
}

// layerGeoJSON serves GET /v1/layers/{name}: a FeatureCollection with
// numberMatched, numberReturned and self/next links.
func (s *Handlers) layerGeoJSON(c *gin.Context) error {
	l, err := s.StateOf(c).Layer(c.Param("name"))
	if err != nil {
		return err
	}
	q, err := s.ParseQuery(c, l, PageLimits{Def: DefaultLimit, Max: MaxLimit})
	if err != nil {
		return err
	}
	body, release, err := s.FeatureCollection(c, l, q)
	if err != nil {
		return err
	}
	defer release() // once the page is sent: its memory is held until then
	c.Header("Content-Crs", "<"+q.CRS.URI()+">")
	s.env.WriteCached(c, httpx.GeoJSONType, body)
	return nil
}

// FeatureCollection renders one page of a layer, within the bound on large
// pages: the caller calls release once the page is sent.
func (s *Handlers) FeatureCollection(c *gin.Context, l *maplayers.Layer, q Query) (body []byte, release func(), err error) {
	src, err := l.Open(q.Filter)
	if err != nil {
		return nil, nil, err
	}
	ids, matched := maplayers.Select(src, q.Filter)
	ids = maplayers.Page(ids, matched, q.Limit, q.Offset)
	if release, err = s.BoundPage(c, len(ids)); err != nil {
		return nil, nil, err
	}
	w := NewFeatureWriter(l, src, q)
	links := s.PageLinks(c, httpx.GeoJSONType, q, len(ids), matched)
	return w.AppendCollection(make([]byte, 0, 64<<10), ids, matched, links), release, nil
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
func (s *Handlers) PrepareMaps() error {
	return s.PrepareMapsPaced(context.Background(), nil)
}

// PrepareMapsPaced is PrepareMaps at pace, pausing between features (nil
// pace: full speed), and stopping with ctx's error once ctx ends (a
// reload starting: the engine is about to be replaced). Building a
// layer's source (the national coverage, the commune topology) is one
// unit: it is not paced within.
func (s *Handlers) PrepareMapsPaced(ctx context.Context, pace *Pace) error {
	pc := newPacer(ctx, pace)
	var first error
	for _, l := range s.Current().Layers().List() {
		if err := pc.step(); err != nil {
			return err
		}
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
				if err := pc.step(); err != nil {
					return err
				}
				l.Cache.AtZoom(src, i, z)
			}
		}
	}
	return first
}

// LinksOf returns the URLs serving the layer name.
func LinksOf(base, name string) Links {
	return Links{GeoJSON: base + "/v1/layers/" + name, OGC: base + "/ogc/collections/" + name + "/items",
		Tiles: base + "/tiles/" + name + "/{z}/{x}/{y}.mvt", TileJSON: base + "/tiles/" + name + ".json"}
}

// Extent is the union of l's feature bounds (the communes' for a
// layer built per query, or one that cannot be built) over engine e.
func Extent(e *matching.Engine, l *maplayers.Layer) orb.Bound {
	var src maplayers.Source = &communesSource{t: e.Territory()}
	if !l.NeedsFilter {
		if x, err := l.Open(maplayers.Filter{}); err == nil {
			src = x
		}
	}
	var ext orb.Bound
	found := false
	for i := 0; i < src.Len(); i++ {
		if b, ok := src.Bound(i); ok {
			if !found {
				ext, found = b, true
			} else {
				ext = ext.Union(b)
			}
		}
	}
	return ext
}
