package coverage

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/present"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/siting"
)

// networkRoutes registers the endpoints of today's network: the host
// structures, their articulation with France Services, and the evolution
// of coverage between two networks.
func (s *Handlers) networkRoutes(r gin.IRouter) {
	r.GET("/structures", httpx.Handle(s.structures))
	r.GET("/articulation", httpx.Handle(s.articulation))
	r.GET("/coverage/compare", httpx.Handle(s.coverageCompare))
}

// structureProps are the GeoJSON properties of a host structure.
type structureProps struct {
	ID                     string  `json:"id"`
	Name                   string  `json:"name"`
	Type                   string  `json:"type"`
	Posts                  int     `json:"posts"`
	Commune                string  `json:"commune"`
	Departement            string  `json:"departement"`
	Region                 string  `json:"region"`
	LocatedBy              string  `json:"located_by"`
	ZRR                    string  `json:"zrr"`
	QPV                    string  `json:"qpv"`
	FranceServices         string  `json:"france_services"`
	NearestFranceServices  string  `json:"nearest_france_services_id,omitempty"`
	NearestFranceServicesM float64 `json:"nearest_france_services_m"`
}

// structures answers GET /v1/structures: the structures of a dataset
// (dataset=, default the built-in cnfs-structures-2021) as GeoJSON points,
// filtered by departement= and bbox=, with the distance to the nearest
// France Services. The route is protected: a scoped token sees the rows of
// an uploaded dataset in its départements only, and the built-in structures
// (open data) whole, as everywhere (see Scope).
func (s *Handlers) structures(c *gin.Context) error {
	id := c.DefaultQuery("dataset", matching.BuiltinStructuresDataset)
	ds, builtin, err := s.env.Dataset(c, id)
	if err != nil {
		if errors.Is(err, data.ErrDatasetNotFound) {
			return httpx.NotFound("no dataset %q", id)
		}
		return err
	}
	if ds.Meta.Kind != data.KindStructures && ds.Meta.Kind != data.KindProposals {
		return httpx.BadParam("dataset", "%q holds %s, not structures", id, ds.Meta.Kind)
	}
	dep, err := s.env.QueryDepartement(c)
	if err != nil {
		return err
	}
	bbox, hasBBox, err := httpx.QueryBBox(c)
	if err != nil {
		return err
	}
	fs := s.env.EngineOf(c).Layer(siting.ArticulationReference)
	fc := geojson.NewFeatureCollection()
	for i := range ds.Structures {
		st := &ds.Structures[i]
		if dep != "" && st.Departement != dep || hasBBox && !bbox.Contains(st.Point) {
			continue
		}
		p := structureProps{ID: st.ID, Name: st.Name, Type: st.Type, Posts: st.Posts, Commune: st.Commune,
			Departement: st.Departement, Region: st.Region, LocatedBy: st.LocatedBy, ZRR: st.ZRR, QPV: st.QPV,
			FranceServices: st.FranceServices}
		if fs != nil {
			if j, d, ok := fs.Index.Nearest1(st.Point); ok {
				p.NearestFranceServices, p.NearestFranceServicesM = fs.Sites[j].ID, httpx.Round(d, 1)
			}
		}
		f := geojson.NewFeature(orb.Point{httpx.Round(st.Point[0], 6), httpx.Round(st.Point[1], 6)})
		f.ID = st.ID
		f.Properties = httpx.ToProperties(p)
		fc.Append(f)
	}
	fc.ExtraMembers = geojson.Properties{"dataset": id, "builtin": builtin, "total": len(fc.Features)}
	if rep, ok := s.env.EngineOf(c).StructureReport(id); ok && builtin {
		fc.ExtraMembers["report"] = rep
	}
	httpx.WriteGeoJSON(c, fc)
	return nil
}

// articulation answers GET /v1/articulation: every place of source=
// (cnfs-permanences, or the built-in structures cnfs-structures-2021: open
// data, listed to anyone as on every route, see Scope)
// classed against France Services at the reach (max_minutes= or max_km=),
// with the per-département and national summaries; departement= restricts
// the items and départements listed. format= json (default), csv (items)
// or geojson (items as points, summaries as foreign members).
func (s *Handlers) articulation(c *gin.Context) error {
	t0 := time.Now()
	format, err := httpx.Format(c, "json", "csv", "geojson")
	if err != nil {
		return err
	}
	q, err := s.env.CoverageQuery(c)
	if err != nil {
		return err
	}
	if q.Region != "" {
		return httpx.BadParam("region", "not supported here: give departement=")
	}
	a, err := siting.Articulate(s.env.EngineOf(c), siting.ArticulationQuery{Source: c.DefaultQuery("source", data.LayerCNFSPermanences),
		Reach: q.Reach, Departement: q.Departement})
	switch {
	case errors.Is(err, siting.ErrUnknownSource):
		return httpx.BadParam("source", "%v", err)
	case err != nil:
		return err
	}
	roundArticulation(a)
	switch format {
	case "csv":
		return httpx.WriteTableCSV(c, "articulation.csv", present.ArticulationItems(), a.Items)
	case "geojson":
		fc := httpx.GeoCollection[siting.ArticulationItem]{Type: "FeatureCollection",
			Features: make([]*httpx.GeoFeature[siting.ArticulationItem], 0, len(a.Items)),
			ExtraMembers: geojson.Properties{"source": a.Source, "reference": a.Reference, "reach": a.Reach,
				"co_located_max_m": a.CoLocatedMaxM, "national": a.National, "departements": a.Departements}}
		for _, it := range a.Items {
			fc.Features = append(fc.Features, &httpx.GeoFeature[siting.ArticulationItem]{ID: it.ID, Type: "Feature",
				Geometry: orb.Point{it.Lon, it.Lat}, Properties: it})
		}
		httpx.WriteGeoJSON(c, fc)
		return nil
	}
	c.JSON(http.StatusOK, struct {
		*siting.Articulation
		Total     int     `json:"total"`
		ComputeMS float64 `json:"compute_ms"`
	}{a, len(a.Items), httpx.Round(float64(time.Since(t0).Microseconds())/1000, 3)})
	return nil
}

// roundArticulation rounds the figures of an answer in place.
func roundArticulation(a *siting.Articulation) {
	a.Reach = httpx.RoundReach(a.Reach)
	ra := func(ar *siting.ArticulationArea) {
		ar.AddedPopulationInDifficulty = httpx.Round(ar.AddedPopulationInDifficulty, 1)
		ar.CoveredShareReference, ar.CoveredShareWith = httpx.Round(ar.CoveredShareReference, 6), httpx.Round(ar.CoveredShareWith, 6)
	}
	ra(&a.National)
	for i := range a.Departements {
		ra(&a.Departements[i])
	}
	for i := range a.Items {
		it := &a.Items[i]
		it.Lon, it.Lat = httpx.Round(it.Lon, 6), httpx.Round(it.Lat, 6)
		it.NearestFranceServicesM, it.AddedPopulationInDifficulty = httpx.Round(it.NearestFranceServicesM, 1), httpx.Round(it.AddedPopulationInDifficulty, 1)
	}
}

// coverageCompare answers GET /v1/coverage/compare: the covered population
// of from= (default france-services-2020) and to= (default
// france-services), both comma-separated layer lists, at the reach, over
// the scope (departement= or region=), with the communes that gained or
// lost coverage, paged by limit= and offset=: format= json (items), csv or
// geojson (communes with their shapes and before/after properties).
func (s *Handlers) coverageCompare(c *gin.Context) error {
	t0 := time.Now()
	format, err := httpx.Format(c, "json", "geojson", "csv")
	if err != nil {
		return err
	}
	q, err := s.env.CoverageQuery(c)
	if err != nil {
		return err
	}
	limit, offset, err := coveragePage(c, MaxListLimit)
	if err != nil {
		return err
	}
	from, err := s.compareLayers(c, "from", data.LayerFranceServices2020)
	if err != nil {
		return err
	}
	to, err := s.compareLayers(c, "to", data.LayerFranceServices)
	if err != nil {
		return err
	}
	cmp, err := siting.CompareCoverage(c.Request.Context(), s.env.EngineOf(c), siting.CompareQuery{From: from, To: to, Reach: q.Reach,
		Departement: q.Departement, Region: q.Region})
	if err != nil {
		return err
	}
	lo, hi := httpx.PageWindow(len(cmp.Communes), limit, offset)
	items := make([]siting.CommuneComparison, hi-lo)
	for i := range items {
		items[i] = roundCommuneComparison(cmp.Communes[lo+i])
	}
	summary := roundAreaComparison(cmp.Summary)
	deps := make([]siting.AreaComparison, len(cmp.Departements))
	for i, d := range cmp.Departements {
		deps[i] = roundAreaComparison(d)
	}
	switch format {
	case "csv":
		return httpx.WriteTableCSV(c, "coverage-compare.csv", present.CommuneComparisons(), items)
	case "geojson":
		fc := httpx.GeoCollection[siting.CommuneComparison]{Type: "FeatureCollection",
			Features: make([]*httpx.GeoFeature[siting.CommuneComparison], 0, len(items)),
			ExtraMembers: geojson.Properties{"from": cmp.From, "to": cmp.To, "reach": httpx.RoundReach(cmp.Reach),
				"scope": cmp.Scope, "summary": summary, "total": len(cmp.Communes)}}
		for i := range items {
			f := &httpx.GeoFeature[siting.CommuneComparison]{ID: items[i].Code, Type: "Feature", Properties: items[i]}
			if com := &s.env.EngineOf(c).Territory().Communes[cmp.Communes[lo+i].ID()]; com.HasShape() {
				f.Geometry = httpx.GeoJSONShape(com.Shape)
			}
			fc.Features = append(fc.Features, f)
		}
		httpx.WriteGeoJSON(c, fc)
		return nil
	}
	c.JSON(http.StatusOK, gin.H{"from": cmp.From, "to": cmp.To, "reach": httpx.RoundReach(cmp.Reach), "scope": cmp.Scope,
		"summary": summary, "departements": deps, "items": items, "total": len(cmp.Communes),
		"compute_ms": httpx.Round(float64(time.Since(t0).Microseconds())/1000, 3)})
	return nil
}

// compareLayers parses a comma-separated list of layer names (def when
// absent) and checks every name is loaded.
func (s *Handlers) compareLayers(c *gin.Context, param, def string) ([]string, error) {
	names := httpx.QueryList(c, param)
	if len(names) == 0 {
		names = []string{def}
	}
	for _, n := range names {
		if s.env.EngineOf(c).Layer(n) == nil {
			return nil, httpx.BadParam(param, "unknown layer %q (loaded: %s)", n, strings.Join(s.env.EngineOf(c).LayerNames(), ", "))
		}
	}
	return names, nil
}

func roundAreaComparison(a siting.AreaComparison) siting.AreaComparison {
	a.CoveredShareBefore, a.CoveredShareAfter = roundPtr(a.CoveredShareBefore, 6), roundPtr(a.CoveredShareAfter, 6)
	a.UncoveredInDifficultyBefore, a.UncoveredInDifficultyAfter = httpx.Round(a.UncoveredInDifficultyBefore, 1), httpx.Round(a.UncoveredInDifficultyAfter, 1)
	return a
}

func roundCommuneComparison(m siting.CommuneComparison) siting.CommuneComparison {
	m.CoveredShareBefore, m.CoveredShareAfter = httpx.Round(m.CoveredShareBefore, 6), httpx.Round(m.CoveredShareAfter, 6)
	m.NearestDistanceBeforeM, m.NearestDistanceAfterM = httpx.Round(m.NearestDistanceBeforeM, 1), httpx.Round(m.NearestDistanceAfterM, 1)
	m.PopulationInDifficulty = httpx.Round(m.PopulationInDifficulty, 1)
	return m
}
