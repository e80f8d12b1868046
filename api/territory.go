package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/param"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/lookup"
)

// territoryRoutes registers the commune and site endpoints.
func (s *Server) territoryRoutes(r gin.IRouter) {
	r.GET("/communes/at", handle(s.communeAt))
	r.GET("/communes/:code", handle(s.communeByCode))
	r.GET("/sites/nearest", handle(s.sitesNearest))
	r.GET("/sites", handle(s.sites))
	// Batch lookups (api/batch.go): many points in one body, one answer each.
	r.POST("/communes/at", s.boundUpload(), handleRows(s.communesAtBatch))
	r.POST("/sites/nearest", s.boundUpload(), handleRows(s.sitesNearestBatch))
}

// healthView is the body of /healthz.
type healthView struct {
	Status         string              `json:"status"`
	Communes       int                 `json:"communes"`
	CommunesShaped int                 `json:"communes_with_shape"`
	Sites          map[string]int      `json:"sites"`
	Cells          int                 `json:"cells"`
	Resolution     int                 `json:"h3_resolution"`
	LoadMS         float64             `json:"load_ms"`
	Timings        any                 `json:"timings"`
	Reconciliation data.Reconciliation `json:"reconciliation"`
	// What is in service (api/reload.go): the engine's generation (the
	// X-Maillage-Generation header of every answer), when it was built,
	// the data files it was read from (sha256, vintage, load time) and the
	// layers uploaded at run time.
	Generation uint64                 `json:"generation"`
	LoadedAt   time.Time              `json:"loaded_at"`
	Reloading  bool                   `json:"reloading"`
	Files      []matching.FileStatus  `json:"files"`
	Uploads    []matching.LayerUpload `json:"uploaded_layers"`
}

func (s *Server) healthz(c *gin.Context) error {
	e := s.engineOf(c)
	v := healthView{
		Status:         "ok",
		Communes:       len(e.Territory().Communes),
		CommunesShaped: e.Territory().Index.Len(),
		Sites:          map[string]int{},
		Cells:          e.Grid().Len(),
		Resolution:     e.Grid().Resolution,
		LoadMS:         float64(e.LoadTime().Microseconds()) / 1000,
		Timings:        e.Timings(),
		Reconciliation: e.Territory().Report,
		Generation:     generationOf(c),
		LoadedAt:       e.LoadedAt(),
		Reloading:      s.Reloading(),
		Files:          e.Files(),
		Uploads:        e.Uploads(),
	}
	if v.Files == nil {
		v.Files = []matching.FileStatus{} // an engine built in memory
	}
	for name, l := range e.Layers() {
		v.Sites[name] = len(l.Sites)
	}
	c.JSON(http.StatusOK, v)
	return nil
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
	Fragility *data.Fragility `json:"fragility,omitempty"`
	ZRR       string          `json:"zrr,omitempty"`
	// PopulationInDifficulty is the estimated number of inhabitants in
	// difficulty with digital tools (matching/difficulty.go), absent
	// without fragility index.
	PopulationInDifficulty *float64 `json:"population_in_difficulty,omitempty"`
	// Spread says how its population is placed on the grid
	// (matching.CommuneCoverage.Spread: area, uniform-coarse,
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
		EPCI: c.EPCI, Population: c.Population, AreaKm2: round(c.AreaKm2, 3), FormerCodes: c.FormerCodes}
}

func newSiteRef(site *data.Site, distM float64) *siteRef {
	return &siteRef{ID: site.ID, Name: site.Name, Layer: site.Layer, Kind: site.Kind, Itinerant: site.Itinerant,
		Commune: site.Commune, Departement: site.Departement, Lon: site.Point[0], Lat: site.Point[1],
		DistanceM: round(distM, 1)}
}

func (s *Server) communeAt(c *gin.Context) error {
	p, err := queryPoint(c)
	if err != nil {
		return err
	}
	com, ok := s.engineOf(c).Territory().At(p)
	if !ok {
		return notFound("no commune contains lon=%v lat=%v", p[0], p[1])
	}
	c.JSON(http.StatusOK, newCommuneView(com))
	return nil
}

func (s *Server) communeByCode(c *gin.Context) error {
	code := c.Param("code")
	com, ok := s.engineOf(c).Territory().Commune(code)
	if !ok {
		return notFound("no commune with INSEE code %q", code)
	}
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "geojson" {
		return badParam("format", "want json or geojson, got %q", format)
	}
	layers, err := s.layers(c)
	if err != nil {
		return err
	}
	v := newCommuneView(com)
	ind := s.engineOf(c).Indicator(com.Code)
	v.Fragility, v.ZRR = ind.Fragility, ind.ZRR
	if id, ok := s.engineOf(c).Territory().CommuneID(com.Code); ok {
		v.Spread = s.engineOf(c).CommuneSpread(id)
		if share, ok := s.engineOf(c).DifficultyShare(id); ok {
			n := round(float64(com.Population)*share, 0)
			v.PopulationInDifficulty = &n
		}
	}
	if site, d, ok := lookup.NearestSite(s.engineOf(c), com.Rep, layers); ok {
		v.Nearest = newSiteRef(site, d)
	}
	if format == "json" {
		c.JSON(http.StatusOK, v)
		return nil
	}
	f := geojson.NewFeature(nil)
	if com.HasShape() {
		f = geojson.NewFeature(geoJSONShape(com.Shape))
	}
	f.ID = com.Code
	f.Properties = toProperties(v)
	writeGeoJSON(c, f)
	return nil
}

func (s *Server) sitesNearest(c *gin.Context) error {
	p, err := queryPoint(c)
	if err != nil {
		return err
	}
	k, layers, err := s.nearestParams(c)
	if err != nil {
		return err
	}
	found := lookup.NearestSites(s.engineOf(c), p, k, layers)
	items := make([]*siteRef, len(found))
	for i, n := range found {
		items[i] = newSiteRef(n.Site, n.DistanceM)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": len(items)})
	return nil
}

func (s *Server) sites(c *gin.Context) error {
	layers, err := s.layers(c)
	if err != nil {
		return err
	}
	dep := c.Query("departement")
	if dep != "" {
		if _, ok := s.engineOf(c).Territory().Departement(dep); !ok {
			return notFound("no département with code %q", dep)
		}
	}
	bbox, hasBBox, err := queryBBox(c)
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for _, name := range layers {
		l := s.engineOf(c).Layer(name)
		for i := range l.Sites {
			site := &l.Sites[i]
			if dep != "" && site.Departement != dep {
				continue
			}
			if hasBBox && !bbox.Contains(site.Point) {
				continue
			}
			f := geojson.NewFeature(orb.Point{round(site.Point[0], 6), round(site.Point[1], 6)})
			f.ID = site.Layer + ":" + site.ID
			f.Properties = geojson.Properties{
				"id": site.ID, "name": site.Name, "layer": site.Layer, "kind": site.Kind,
				"itinerant": site.Itinerant, "format": site.Format, "address": site.Address,
				"commune": site.Commune, "departement": site.Departement,
			}
			fc.Append(f)
		}
	}
	writeGeoJSON(c, fc)
	return nil
}

// layers parses layers=a,b (default: the engine's default layer) and checks
// every name is loaded.
func (s *Server) layers(c *gin.Context) ([]string, error) {
	names := queryList(c, "layers")
	if len(names) == 0 {
		return []string{matching.DefaultLayer}, nil
	}
	for _, n := range names {
		if s.engineOf(c).Layer(n) == nil {
			return nil, badParam("layers", "unknown layer %q (loaded: %s)", n, strings.Join(s.engineOf(c).LayerNames(), ", "))
		}
	}
	return names, nil
}

// nearestParams reads k= and layers= of the nearest-sites routes (one
// point or a batch).
func (s *Server) nearestParams(c *gin.Context) (k int, layers []string, err error) {
	if k, err = queryIntParam(c, param.NearestK(), param.DefaultNearestK); err != nil {
		return 0, nil, err
	}
	layers, err = s.layers(c)
	return k, layers, err
}
