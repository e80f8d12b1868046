// Package coverage serves the coverage analyses of the API: who is within
// reach of a site (summary, départements, communes, gap zones, cells, rural
// mairies, figures), the network's structure (structures, articulation
// points, coverage evolution and layer comparisons) and capacity against
// need (2SFCA).
package coverage

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/internal/param"
	"github.com/maillage/maillage/internal/present"
	covm "github.com/maillage/maillage/matching/coverage"
)

// Limits of the coverage endpoints: the default page of gap zones, and
// MaxListLimit, the largest page of the coverage lists (limit=).
const (
	defaultGapsLimit = 50
	MaxListLimit     = 5000
)

// Handlers serves the coverage, network and access analyses.
type Handlers struct {
	env *httpx.Env
}

// New returns the handlers over env.
func New(env *httpx.Env) *Handlers { return &Handlers{env: env} }

// Routes registers the coverage, network, access and layer comparison
// endpoints.
func (s *Handlers) Routes(r *gin.RouterGroup) {
	s.networkRoutes(r)                                      // structures, articulation, coverage evolution (api/coverage/network.go)
	s.accessRoutes(r)                                       // capacity against need, 2SFCA (api/coverage/access.go)
	r.GET("/layers/compare", httpx.Handle(s.layersCompare)) // what changed between two lists (api/coverage/layers_compare.go)
	r.GET("/coverage", httpx.Handle(s.coverageSummary))
	r.GET("/coverage/figures", httpx.Handle(s.coverageFigures)) // any threshold in microseconds (api/coverage/coverage_figures.go)
	r.GET("/coverage/departements", httpx.Handle(s.coverageDepartements))
	r.GET("/coverage/communes", httpx.Handle(s.coverageCommunes))
	r.GET("/coverage/gaps", httpx.Handle(s.coverageGaps))
	r.GET("/coverage/cells", httpx.Handle(s.coverageCells))
	r.GET("/coverage/rural-mairies", httpx.Handle(s.coverageRuralMairies))
}

// What an answer needs of the analysis (Handlers.coverage): the gap
// zones, the list of communes; only GET /coverage/communes lists them.
const (
	withGaps     = 1 << iota
	withCommunes // the per-commune list (covm.Query.NoCommunes when unset)
)

// coverage runs the analysis of the request with what need asks for
// (withGaps, withCommunes) and maps its errors.
func (s *Handlers) coverage(c *gin.Context, need int) (*covm.Coverage, error) {
	q, err := s.env.CoverageQuery(c)
	if err != nil {
		return nil, err
	}
	q.NoGaps = need&withGaps == 0
	q.NoCommunes = need&withCommunes == 0
	cv, err := covm.Compute(s.env.EngineOf(c).Coverage(), q)
	if err != nil {
		return nil, err
	}
	return cv, nil
}

// coveragePage parses limit= and offset=.
func coveragePage(c *gin.Context, defLimit int) (limit, offset int, err error) {
	if limit, err = httpx.QueryIntParam(c, param.Limit(MaxListLimit), defLimit); err != nil {
		return 0, 0, err
	}
	offset, err = httpx.QueryIntParam(c, param.Offset(), 0)
	return limit, offset, err
}

// coverageSummaryView is the body of GET /v1/coverage.
type coverageSummaryView struct {
	Layers       []string            `json:"layers"`
	Reach        covm.Reach          `json:"reach"`
	Scope        covm.Scope          `json:"scope"`
	Summary      covm.AreaCoverage   `json:"summary"`
	Regions      []covm.AreaCoverage `json:"regions"`
	GapZones     int                 `json:"gap_zones"`
	LargestGaps  []gapRef            `json:"largest_gaps"`
	RuralMairies int                 `json:"rural_mairies"`
	ComputeMS    float64             `json:"compute_ms"`
}

// gapRef is a gap zone without its cell lists.
type gapRef struct {
	ID           string   `json:"id"`
	Rank         int      `json:"rank"`
	Population   int      `json:"population"`
	AreaKm2      float64  `json:"area_km2"`
	MaxDistanceM float64  `json:"max_distance_m"`
	Communes     int      `json:"communes"`
	Departements []string `json:"departements"`
	// Who needs it most (see covm.GapZone).
	PopulationInDifficulty float64 `json:"population_in_difficulty"`
	ZRRPopulation          int     `json:"zrr_population"`
	ZRRPartialPopulation   int     `json:"zrr_partial_population"`
}

func (s *Handlers) coverageSummary(c *gin.Context) error {
	t0 := time.Now()
	cv, err := s.coverage(c, withGaps)
	if err != nil {
		return err
	}
	v := coverageSummaryView{Layers: cv.Layers, Reach: httpx.RoundReach(cv.Reach), Scope: cv.Scope,
		Summary: roundArea(cv.Summary), Regions: []covm.AreaCoverage{}, GapZones: len(cv.Gaps),
		LargestGaps: []gapRef{}, RuralMairies: len(cv.RuralMairies)}
	for _, r := range cv.Regions {
		r.WorstCommunes = nil
		v.Regions = append(v.Regions, roundArea(r))
	}
	for _, z := range cv.Gaps[:min(10, len(cv.Gaps))] {
		v.LargestGaps = append(v.LargestGaps, gapRef{ID: z.ID, Rank: z.Rank, Population: z.Population,
			AreaKm2: httpx.Round(z.AreaKm2, 3), MaxDistanceM: httpx.Round(z.MaxDistanceM, 1), Communes: len(z.CommunesTouched),
			Departements: z.DepartementsTouched, PopulationInDifficulty: httpx.Round(z.PopulationInDifficulty, 1),
			ZRRPopulation: z.ZRRPopulation, ZRRPartialPopulation: z.ZRRPartialPopulation})
	}
	v.ComputeMS = httpx.Round(float64(time.Since(t0).Microseconds())/1000, 3)
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Handlers) coverageDepartements(c *gin.Context) error {
	format, err := httpx.Format(c, "json", "csv")
	if err != nil {
		return err
	}
	cv, err := s.coverage(c, 0)
	if err != nil {
		return err
	}
	items := make([]covm.AreaCoverage, len(cv.Departements))
	for i, d := range cv.Departements {
		items[i] = roundArea(d)
	}
	if format == "csv" {
		return httpx.WriteTableCSV(c, "coverage-departements.csv", present.AreaCoverages(), items)
	}
	c.JSON(http.StatusOK, gin.H{"layers": cv.Layers, "reach": httpx.RoundReach(cv.Reach), "items": items, "total": len(items)})
	return nil
}

func (s *Handlers) coverageCommunes(c *gin.Context) error {
	format, err := httpx.Format(c, "geojson", "csv")
	if err != nil {
		return err
	}
	if format == "geojson" && c.Query("departement") == "" && c.Query("region") == "" {
		return httpx.BadParam("departement", "required for GeoJSON (or region=; format=csv lists all communes)")
	}
	cv, err := s.coverage(c, withCommunes)
	if err != nil {
		return err
	}
	if format == "csv" {
		return httpx.WriteTableCSV(c, "coverage-communes.csv", present.CommuneCoverages(), cv.Communes)
	}
	fc := httpx.GeoCollection[covm.CommuneCoverage]{Type: "FeatureCollection",
		Features:     make([]*httpx.GeoFeature[covm.CommuneCoverage], 0, len(cv.Communes)),
		ExtraMembers: geojson.Properties{"total": len(cv.Communes), "layers": cv.Layers, "reach": httpx.RoundReach(cv.Reach)}}
	for i := range cv.Communes {
		m := &cv.Communes[i]
		// The commune is named "nom" as in the map layers (issue 15); its
		// struct starts with code and nom, which GIS clients list first.
		f := &httpx.GeoFeature[covm.CommuneCoverage]{ID: m.Code, Type: "Feature", Properties: roundCommune(*m)}
		if com := &s.env.EngineOf(c).Territory().Communes[m.ID()]; com.HasShape() {
			f.Geometry = httpx.GeoJSONShape(com.Shape)
		}
		fc.Features = append(fc.Features, f)
	}
	httpx.WriteGeoJSON(c, fc)
	return nil
}

func (s *Handlers) coverageGaps(c *gin.Context) error {
	limit, offset, err := coveragePage(c, defaultGapsLimit)
	if err != nil {
		return err
	}
	cv, err := s.coverage(c, withGaps)
	if err != nil {
		return err
	}
	lo, hi := httpx.PageWindow(len(cv.Gaps), limit, offset)
	fc := httpx.GeoCollection[covm.GapZone]{Type: "FeatureCollection",
		Features:     []*httpx.GeoFeature[covm.GapZone]{},
		ExtraMembers: geojson.Properties{"total": len(cv.Gaps), "layers": cv.Layers, "reach": httpx.RoundReach(cv.Reach), "rank_by": cv.RankBy}}
	for i := lo; i < hi; i++ {
		z := cv.Gaps[i]
		z.AreaKm2, z.MaxDistanceM, z.MeanDistanceM = httpx.Round(z.AreaKm2, 3), httpx.Round(z.MaxDistanceM, 1), httpx.Round(z.MeanDistanceM, 1)
		z.Centroid = [2]float64{httpx.Round(z.Centroid[0], 6), httpx.Round(z.Centroid[1], 6)}
		z.BBox = [4]float64{httpx.Round(z.BBox[0], 6), httpx.Round(z.BBox[1], 6), httpx.Round(z.BBox[2], 6), httpx.Round(z.BBox[3], 6)}
		z.PopulationInDifficulty = httpx.Round(z.PopulationInDifficulty, 1)
		fc.Features = append(fc.Features, &httpx.GeoFeature[covm.GapZone]{ID: z.ID, Type: "Feature",
			Geometry: httpx.GeoJSONShape(cv.GapOutline(i)), Properties: z, BBox: geojson.BBox(z.BBox[:])})
	}
	httpx.WriteGeoJSON(c, fc)
	return nil
}

func (s *Handlers) coverageCells(c *gin.Context) error {
	bbox, hasBBox, err := httpx.QueryBBox(c)
	if err != nil {
		return err
	}
	if !hasBBox && c.Query("departement") == "" && c.Query("region") == "" {
		return httpx.BadParam("bbox", "required (minLon,minLat,maxLon,maxLat), or give departement= or region=")
	}
	if !hasBBox {
		bbox = orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
	}
	cv, err := s.coverage(c, withGaps)
	if err != nil {
		return err
	}
	cells, err := cv.Cells(bbox, httpx.MaxCoverageCells)
	if err != nil {
		return err
	}
	fc := httpx.GeoCollection[covm.CellCoverage]{Type: "FeatureCollection",
		Features:     make([]*httpx.GeoFeature[covm.CellCoverage], 0, len(cells)),
		ExtraMembers: geojson.Properties{"total": len(cells), "layers": cv.Layers, "reach": httpx.RoundReach(cv.Reach)}}
	for i := range cells {
		p := cells[i]
		p.DistanceM, p.Population = httpx.Round(p.DistanceM, 1), httpx.Round(p.Population, 2)
		g := httpx.GeoJSONShape(orb.MultiPolygon{cv.CellPolygon(&cells[i])})
		if mp, ok := g.(orb.MultiPolygon); ok && len(mp) == 1 {
			g = mp[0] // a cell is one Polygon
		}
		fc.Features = append(fc.Features, &httpx.GeoFeature[covm.CellCoverage]{ID: p.H3, Type: "Feature",
			Geometry: g, Properties: p})
	}
	httpx.WriteGeoJSON(c, fc)
	return nil
}

func (s *Handlers) coverageRuralMairies(c *gin.Context) error {
	format, err := httpx.Format(c, "json", "csv")
	if err != nil {
		return err
	}
	limit, offset, err := coveragePage(c, MaxListLimit)
	if err != nil {
		return err
	}
	cv, err := s.coverage(c, withGaps)
	if err != nil {
		return err
	}
	lo, hi := httpx.PageWindow(len(cv.RuralMairies), limit, offset)
	items := make([]covm.RuralMairie, 0, hi-lo)
	for _, m := range cv.RuralMairies[lo:hi] {
		m.AreaKm2, m.DensityPerKm2, m.GapShare = httpx.Round(m.AreaKm2, 3), httpx.Round(m.DensityPerKm2, 2), httpx.Round(m.GapShare, 4)
		m.NearestDistanceM = httpx.Round(m.NearestDistanceM, 1)
		m.UncoveredPopulationInDifficulty = httpx.Round(m.UncoveredPopulationInDifficulty, 1)
		items = append(items, m)
	}
	if format == "csv" {
		return httpx.WriteTableCSV(c, "rural-mairies.csv", present.RuralMairies(), items)
	}
	c.JSON(http.StatusOK, gin.H{"layers": cv.Layers, "reach": httpx.RoundReach(cv.Reach), "rank_by": cv.RankBy,
		"rule":  gin.H{"density_max_per_km2": covm.RuralDensityMaxKm2, "gap_share_min": covm.RuralGapShareMin},
		"items": items, "total": len(cv.RuralMairies)})
	return nil
}

// roundPtr rounds *p on a copy; nil (a missing figure) stays nil.
func roundPtr(p *float64, digits int) *float64 {
	if p == nil {
		return nil
	}
	v := httpx.Round(*p, digits)
	return &v
}

// roundArea and roundCommune round the figures of an answer (shares to
// 1e-6) on copies.
func roundArea(a covm.AreaCoverage) covm.AreaCoverage {
	a.CoveredShare, a.MeanDistanceM = roundPtr(a.CoveredShare, 6), roundPtr(a.MeanDistanceM, 1)
	a.PopulationInDifficulty, a.UncoveredPopulationInDifficulty = httpx.Round(a.PopulationInDifficulty, 1), httpx.Round(a.UncoveredPopulationInDifficulty, 1)
	if a.WorstCommunes != nil {
		w := make([]covm.CommuneRef, len(a.WorstCommunes))
		for i, r := range a.WorstCommunes {
			r.CoveredShare, r.MeanDistanceM = httpx.Round(r.CoveredShare, 6), httpx.Round(r.MeanDistanceM, 1)
			w[i] = r
		}
		a.WorstCommunes = w
	}
	return a
}

// roundCommune rounds the figures of a commune on a copy (roundArea).
func roundCommune(m covm.CommuneCoverage) covm.CommuneCoverage {
	m.CoveredShare = roundPtr(m.CoveredShare, 6)
	m.MeanDistanceM, m.MaxDistanceM, m.NearestDistanceM = roundPtr(m.MeanDistanceM, 1), roundPtr(m.MaxDistanceM, 1), httpx.Round(m.NearestDistanceM, 1)
	m.AreaKm2, m.DensityPerKm2 = httpx.Round(m.AreaKm2, 3), httpx.Round(m.DensityPerKm2, 2)
	m.PopulationInDifficulty, m.UncoveredPopulationInDifficulty = httpx.Round(m.PopulationInDifficulty, 1), httpx.Round(m.UncoveredPopulationInDifficulty, 1)
	return m
}
