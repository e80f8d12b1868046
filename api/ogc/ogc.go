// Package ogc serves the map layers as OGC API – Features (Part 1 core
// and GeoJSON, Part 2 CRS by reference, Part 5 schemas and queryables)
// under /ogc, over the layers of package api/layers.
package ogc

import (
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/api/layers"
	"github.com/maillage/maillage/geo/crs"
	"github.com/maillage/maillage/internal/maplayers"

	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// OGC API – Features (Part 1: Core) under /ogc; / is the built-in map.
const ogcBase = "/ogc"

// Conformance classes of the OGC API.
const (
	confCore    = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
	confGeoJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
	confOAS30   = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"
	// Part 3 queryables, usable as query parameters (departement=); no
	// filter= (CQL2) is offered.
	confQueryables      = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables"
	confQueryablesParam = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters"
	// Part 5 schemas, with the id and primary-geometry roles.
	confSchemas   = "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas"
	confCoreRoles = "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/core-roles-features"
	crs84         = crs.CRS84URI
	// Part 2: answers in Lambert-93 on request (crs=, bbox-crs=).
	confCRS = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"
)

// Paging limits of the OGC items.
const (
	DefaultLimit = 100
	MaxLimit     = 10000
)

// ogcItemParams are the query parameters the items endpoint knows; any
// other is refused (400), as OGC API – Features requires.
var ogcItemParams = []string{"bbox", "bbox-crs", "crs", "limit", "offset", "f", "departement", "properties", "zoom", "tolerance"}

// Handlers serves OGC API – Features over the map layers.
type Handlers struct {
	env  *httpx.Env
	maps *layers.Handlers // the layers and their state per engine
}

// New returns the handlers over env.
func New(env *httpx.Env, maps *layers.Handlers) *Handlers {
	return &Handlers{env: env, maps: maps}
}

// Routes registers the OGC API endpoints.
func (s *Handlers) Routes(r *gin.RouterGroup) {
	g := r.Group(ogcBase)
	g.GET("", httpx.Handle(s.ogcLanding))
	g.GET("/conformance", httpx.Handle(s.ogcConformance))
	g.GET("/collections", httpx.Handle(s.ogcCollections))
	g.GET("/collections/:id", httpx.Handle(s.ogcCollection))
	g.GET("/collections/:id/items", httpx.Handle(s.ogcItems))
	g.GET("/collections/:id/items/:featureId", httpx.Handle(s.ogcItem))
	g.GET("/collections/:id/schema", httpx.Handle(s.ogcSchema(featureSchemaPart5)))
	g.GET("/collections/:id/queryables", httpx.Handle(s.ogcSchema(queryablesSchema)))
	g.GET("/collections/:id/feature-schema", httpx.Handle(s.ogcSchema(geoJSONFeatureSchema)))
}

// ogcFormat accepts f=json (or no f) only; params lists the known
// parameters (nil: only f).
func ogcFormat(c *gin.Context, params []string) error {
	if f := c.Query("f"); f != "" && f != "json" {
		return httpx.BadParam("f", "only f=json is served, got %q", f)
	}
	for k := range c.Request.URL.Query() {
		if k != "f" && !containsString(params, k) {
			return httpx.BadParam(k, "unknown parameter (known: %s)", strings.Join(append([]string{"f"}, params...), ", "))
		}
	}
	return nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (s *Handlers) ogcLanding(c *gin.Context) error {
	if err := ogcFormat(c, nil); err != nil {
		return err
	}
	base := s.env.BaseURL(c)
	c.JSON(http.StatusOK, gin.H{
		"title":       "maillage",
		"description": "France's digital-inclusion network (France Services, conseillers numériques): communes, départements, régions, service points, coverage gap zones and the population grid.",
		"links": []httpx.Link{
			{Href: base + ogcBase, Rel: "self", Type: httpx.JSONType, Title: "this document"},
			{Href: base + "/", Rel: "alternate", Type: "text/html", Title: "the built-in map"},
			{Href: base + "/openapi.json", Rel: "service-desc", Type: httpx.OpenAPIType, Title: "the API definition"},
			{Href: base + ogcBase + "/conformance", Rel: "conformance", Type: httpx.JSONType, Title: "conformance classes"},
			{Href: base + ogcBase + "/collections", Rel: "data", Type: httpx.JSONType, Title: "the collections"},
		},
	})
	return nil
}

func (s *Handlers) ogcConformance(c *gin.Context) error {
	if err := ogcFormat(c, nil); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"conformsTo": []string{confCore, confGeoJSON, confOAS30,
		confQueryables, confQueryablesParam, confSchemas, confCoreRoles, confCRS}})
	return nil
}

// ogcCollectionView is one collection's description.
type ogcCollectionView struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	ItemType    string   `json:"itemType"`
	CRS         []string `json:"crs"`
	StorageCRS  string   `json:"storageCrs"`
	Extent      struct {
		Spatial struct {
			BBox [][4]float64 `json:"bbox"`
			CRS  string       `json:"crs"`
		} `json:"spatial"`
	} `json:"extent"`
	Links []httpx.Link `json:"links"`
}

// collectionView describes l; its extent is its features' (France's for
// layers built per query).
func (s *Handlers) collectionView(c *gin.Context, l *maplayers.Layer) ogcCollectionView {
	base := s.env.BaseURL(c) + ogcBase + "/collections/" + l.Name
	v := ogcCollectionView{ID: l.Name, Title: l.Title, Description: l.Description, ItemType: "feature", CRS: crs.URIs(), StorageCRS: crs84,
		Links: []httpx.Link{
			{Href: base, Rel: "self", Type: httpx.JSONType, Title: "this collection"},
			{Href: base + "/items", Rel: "items", Type: httpx.GeoJSONType, Title: l.Title},
			{Href: s.env.BaseURL(c) + "/v1/layers/" + l.Name, Rel: "alternate", Type: httpx.GeoJSONType, Title: "the same features, paged by /v1/layers"},
		}}
	v.Links = append(v.Links, schemaLinks(base)...)
	b := layers.Extent(s.env.EngineOf(c), l)
	v.Extent.Spatial.BBox = [][4]float64{{httpx.Round(b.Min[0], 6), httpx.Round(b.Min[1], 6), httpx.Round(b.Max[0], 6), httpx.Round(b.Max[1], 6)}}
	v.Extent.Spatial.CRS = crs84
	return v
}

func (s *Handlers) ogcCollections(c *gin.Context) error {
	if err := ogcFormat(c, nil); err != nil {
		return err
	}
	views := []ogcCollectionView{}
	for _, l := range s.maps.StateOf(c).Layers().List() {
		views = append(views, s.collectionView(c, l))
	}
	base := s.env.BaseURL(c) + ogcBase + "/collections"
	c.JSON(http.StatusOK, gin.H{"links": []httpx.Link{{Href: base, Rel: "self", Type: httpx.JSONType, Title: "this document"}},
		"collections": views})
	return nil
}

func (s *Handlers) ogcCollection(c *gin.Context) error {
	if err := ogcFormat(c, nil); err != nil {
		return err
	}
	l, err := s.maps.StateOf(c).Layer(c.Param("id"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, s.collectionView(c, l))
	return nil
}

// ogcItems serves the features of a collection as a GeoJSON
// FeatureCollection (default limit 100, larger limits lowered to 10,000).
func (s *Handlers) ogcItems(c *gin.Context) error {
	if err := ogcFormat(c, ogcItemParams); err != nil {
		return err
	}
	l, err := s.maps.StateOf(c).Layer(c.Param("id"))
	if err != nil {
		return err
	}
	q, err := s.maps.ParseQuery(c, l, layers.PageLimits{Def: DefaultLimit, Max: MaxLimit, Clamp: true})
	if err != nil {
		return err
	}
	src, err := l.Open(q.Filter)
	if err != nil {
		return err
	}
	ids, matched := maplayers.Select(src, q.Filter)
	ids = maplayers.Page(ids, matched, q.Limit, q.Offset)
	release, err := s.maps.BoundPage(c, len(ids))
	if err != nil {
		return err
	}
	defer release() // once the page is sent: its memory is held until then
	links := s.maps.PageLinks(c, httpx.GeoJSONType, q, len(ids), matched)
	base := s.env.BaseURL(c)
	links = append(links,
		httpx.Link{Href: base + "/v1/layers/" + l.Name, Rel: "alternate", Type: httpx.GeoJSONType, Title: "the same features, paged by /v1/layers"},
		httpx.Link{Href: base + ogcBase + "/collections/" + l.Name, Rel: "collection", Type: httpx.JSONType, Title: l.Title})
	body := layers.NewFeatureWriter(l, src, q).AppendCollection(make([]byte, 0, 64<<10), ids, matched, links)
	c.Header("Content-Crs", "<"+q.CRS.URI()+">")
	s.env.WriteCached(c, httpx.GeoJSONType, body)
	return nil
}

// ogcItem serves one feature by id.
func (s *Handlers) ogcItem(c *gin.Context) error {
	if err := ogcFormat(c, []string{"crs", "properties", "zoom", "tolerance"}); err != nil {
		return err
	}
	l, err := s.maps.StateOf(c).Layer(c.Param("id"))
	if err != nil {
		return err
	}
	id := c.Param("featureId")
	var f maplayers.Filter
	if l.NeedsFilter {
		var ok bool
		if f, ok = layers.CellFilter(id); !ok {
			return httpx.NotFound("no feature %q in %s", id, l.Name)
		}
	}
	q, err := s.maps.ParseQuery(c, l, layers.PageLimits{Def: 1, Max: 1})
	if err != nil {
		return err
	}
	src, err := l.Open(f)
	if err != nil {
		return err
	}
	i, ok := src.Lookup(id)
	if !ok {
		return httpx.NotFound("no feature %q in %s", id, l.Name)
	}
	base := s.env.BaseURL(c) + ogcBase + "/collections/" + l.Name
	links := []httpx.Link{
		{Href: base + "/items/" + url.PathEscape(id), Rel: "self", Type: httpx.GeoJSONType, Title: "this feature"},
		{Href: base, Rel: "collection", Type: httpx.JSONType, Title: l.Title},
	}
	body := layers.NewFeatureWriter(l, src, q).AppendFeature(make([]byte, 0, 4<<10), i, links)
	c.Header("Content-Crs", "<"+q.CRS.URI()+">")
	s.env.WriteCached(c, httpx.GeoJSONType, body)
	return nil
}
