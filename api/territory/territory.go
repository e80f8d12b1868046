// Package territory serves the territory lookups of the API: the commune
// at a point or of a code, the sites nearest a point, the sites of a layer,
// and their batch forms over uploaded points.
package territory

import (
	"net/http"

	"github.com/maillage/maillage/data/indicators"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/param"
	"github.com/maillage/maillage/matching/lookup"
)

// Handlers serves the commune and site lookups.
type Handlers struct {
	env *httpx.Env
}

// New returns the handlers over env.
func New(env *httpx.Env) *Handlers { return &Handlers{env: env} }

// Routes registers the commune and site endpoints.
func (s *Handlers) Routes(r *gin.RouterGroup) {
	r.GET("/communes/at", httpx.Handle(s.communeAt))
	r.GET("/communes/:code", httpx.Handle(s.communeByCode))
	r.GET("/sites/nearest", httpx.Handle(s.sitesNearest))
	r.GET("/sites", httpx.Handle(s.sites))
	// Batch lookups (api/territory/batch.go): many points in one body, one answer each.
	r.POST("/communes/at", s.env.BoundUpload(), httpx.HandleRows(s.communesAtBatch))
	r.POST("/sites/nearest", s.env.BoundUpload(), httpx.HandleRows(s.sitesNearestBatch))
}

// communeView is the JSON of one commune.
type communeView struct {
	Code        string   `json:"code"`
	Nom         string   `json:"nom"`
	Departement string   `json:"departement"`
	Region      string   `json:"region"`
	EPCI        string   `json:"epci,omitempty"`
	Population  int      `json:"population"`
	AreaKm2     float64  `json:"area_km2"`
	FormerCodes []string `json:"former_codes,omitempty"`
	Nearest     *siteRef `json:"nearest_site,omitempty"`
	// Indicators (fragility index 0-10, ZRR class C/P/NC), for the map's
	// commune panel; absent when the files have no value.
	Fragility *indicators.Fragility `json:"fragility,omitempty"`
	ZRR       string                `json:"zrr,omitempty"`
	// PopulationInDifficulty is the estimated number of inhabitants in
	// difficulty with digital tools (matching/coverage/difficulty.go), absent
	// without fragility index.
	PopulationInDifficulty *float64 `json:"population_in_difficulty,omitempty"`
	// Spread says how its population is placed on the grid
	// (coverage.CommuneCoverage.Spread: area, uniform-coarse,
	// population-grid); absent without boundary.
	Spread string `json:"spread,omitempty"`
}

// siteRef is a site with its distance from a query point.
type siteRef struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Layer       string        `json:"layer"`
	Kind        data.SiteKind `json:"kind"`
	Itinerant   bool          `json:"itinerant"`
	Commune     string        `json:"commune"`
	Departement string        `json:"departement"`
	Lon         float64       `json:"lon"`
	Lat         float64       `json:"lat"`
	DistanceM   float64       `json:"distance_m"`
}

func newCommuneView(c *data.Commune) communeView {
	return communeView{Code: c.Code, Nom: c.Name, Departement: c.Departement, Region: c.Region,
		EPCI: c.EPCI, Population: c.Population, AreaKm2: httpx.Round(c.AreaKm2, 3), FormerCodes: c.FormerCodes}
}

func newSiteRef(site *data.Site, distM float64) *siteRef {
	return &siteRef{ID: site.ID, Name: site.Name, Layer: site.Layer, Kind: site.Kind, Itinerant: site.Itinerant,
		Commune: site.Commune, Departement: site.Departement, Lon: site.Point[0], Lat: site.Point[1],
		DistanceM: httpx.Round(distM, 1)}
}

func (s *Handlers) communeAt(c *gin.Context) error {
	p, err := httpx.QueryPoint(c)
	if err != nil {
		return err
	}
	com, ok := s.env.EngineOf(c).Territory().At(p)
	if !ok {
		return httpx.NotFound("no commune contains lon=%v lat=%v", p[0], p[1])
	}
	c.JSON(http.StatusOK, newCommuneView(com))
	return nil
}

func (s *Handlers) communeByCode(c *gin.Context) error {
	code := c.Param("code")
	com, ok := s.env.EngineOf(c).Territory().Commune(code)
	if !ok {
		return httpx.NotFound("no commune with INSEE code %q", code)
	}
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "geojson" {
		return httpx.BadParam("format", "want json or geojson, got %q", format)
	}
	layers, err := s.env.Layers(c)
	if err != nil {
		return err
	}
	v := newCommuneView(com)
	ind := s.env.EngineOf(c).Indicator(com.Code)
	v.Fragility, v.ZRR = ind.Fragility, ind.ZRR
	if id, ok := s.env.EngineOf(c).Territory().CommuneID(com.Code); ok {
		v.Spread = s.env.EngineOf(c).Coverage().CommuneSpread(id)
		if share, ok := s.env.EngineOf(c).Coverage().DifficultyShare(id); ok {
			n := httpx.Round(float64(com.Population)*share, 0)
			v.PopulationInDifficulty = &n
		}
	}
	if site, d, ok := lookup.NearestSite(s.env.EngineOf(c), com.Rep, layers); ok {
		v.Nearest = newSiteRef(site, d)
	}
	if format == "json" {
		c.JSON(http.StatusOK, v)
		return nil
	}
	f := geojson.NewFeature(nil)
	if com.HasShape() {
		f = geojson.NewFeature(httpx.GeoJSONShape(com.Shape))
	}
	f.ID = com.Code
	f.Properties = httpx.ToProperties(v)
	httpx.WriteGeoJSON(c, f)
	return nil
}

func (s *Handlers) sitesNearest(c *gin.Context) error {
	p, err := httpx.QueryPoint(c)
	if err != nil {
		return err
	}
	k, layers, err := s.nearestParams(c)
	if err != nil {
		return err
	}
	found := lookup.NearestSites(s.env.EngineOf(c), p, k, layers)
	items := make([]*siteRef, len(found))
	for i, n := range found {
		items[i] = newSiteRef(n.Site, n.DistanceM)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": len(items)})
	return nil
}

func (s *Handlers) sites(c *gin.Context) error {
	layers, err := s.env.Layers(c)
	if err != nil {
		return err
	}
	dep, err := s.env.QueryDepartement(c)
	if err != nil {
		return err
	}
	bbox, hasBBox, err := httpx.QueryBBox(c)
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for _, name := range layers {
		l := s.env.EngineOf(c).Layer(name)
		for i := range l.Sites {
			site := &l.Sites[i]
			if dep != "" && site.Departement != dep {
				continue
			}
			if hasBBox && !bbox.Contains(site.Point) {
				continue
			}
			f := geojson.NewFeature(orb.Point{httpx.Round(site.Point[0], 6), httpx.Round(site.Point[1], 6)})
			f.ID = site.Layer + ":" + site.ID
			f.Properties = geojson.Properties{
				"id": site.ID, "name": site.Name, "layer": site.Layer, "kind": site.Kind,
				"itinerant": site.Itinerant, "format": site.Format, "address": site.Address,
				"commune": site.Commune, "departement": site.Departement,
			}
			fc.Append(f)
		}
	}
	httpx.WriteGeoJSON(c, fc)
	return nil
}

// nearestParams reads k= and layers= of the nearest-sites routes (one
// point or a batch).
func (s *Handlers) nearestParams(c *gin.Context) (k int, layers []string, err error) {
	if k, err = httpx.QueryIntParam(c, param.NearestK(), param.DefaultNearestK); err != nil {
		return 0, nil, err
	}
	layers, err = s.env.Layers(c)
	return k, layers, err
}
