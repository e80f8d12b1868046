package coverage

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/layerdiff"
	"github.com/maillage/maillage/matching/siting"
)

// layersCompare answers GET /v1/layers/compare: what changed from layer
// from= (default france-services-2020) to layer to= (default
// france-services): sites opened, closed, moved and renamed
// (matching/layerdiff), by département, and the coverage consequence at
// the reach (max_km= or max_minutes=) over the scope (departement= or
// region=); format=json, or geojson (one Point per change).
func (s *Handlers) layersCompare(c *gin.Context) error {
	t0 := time.Now()
	e := s.env.EngineOf(c)
	format, err := httpx.Format(c, "json", "geojson")
	if err != nil {
		return err
	}
	q, err := s.env.CoverageQuery(c)
	if err != nil {
		return err
	}
	from, err := oneLayer(c, e, "from", data.LayerFranceServices2020)
	if err != nil {
		return err
	}
	to, err := oneLayer(c, e, "to", data.LayerFranceServices)
	if err != nil {
		return err
	}
	d, err := layerdiff.Compare(c.Request.Context(), e, layerdiff.Query{From: from, To: to, Reach: q.Reach,
		Departement: q.Departement, Region: q.Region, NoCoverage: format == "geojson"})
	if err != nil {
		return err
	}
	for i := range d.Changes {
		ch := &d.Changes[i]
		ch.DistanceM = httpx.Round(ch.DistanceM, 1)
	}
	if format == "geojson" {
		fc := httpx.GeoCollection[layerdiff.Change]{Type: "FeatureCollection",
			Features: make([]*httpx.GeoFeature[layerdiff.Change], 0, len(d.Changes)),
			ExtraMembers: geojson.Properties{"from": d.From, "to": d.To, "moved_threshold_m": d.MovedM,
				"summary": d.Summary, "departements": d.Departements}}
		for _, ch := range d.Changes {
			fc.Features = append(fc.Features, &httpx.GeoFeature[layerdiff.Change]{ID: ch.Change + ":" + ch.ID, Type: "Feature",
				Geometry: orb.Point{ch.Lon, ch.Lat}, Properties: ch})
		}
		httpx.WriteGeoJSON(c, fc)
		return nil
	}
	out := gin.H{"from": d.From, "to": d.To, "moved_threshold_m": d.MovedM, "summary": d.Summary,
		"matched_by_id": d.MatchedByID, "matched_by_name_commune": d.MatchedByNC,
		"departements": d.Departements, "changes": d.Changes}
	if cv := d.Coverage; cv != nil {
		deps := make([]siting.AreaComparison, len(cv.Departements))
		for i, a := range cv.Departements {
			deps[i] = roundAreaComparison(a)
		}
		out["coverage"] = gin.H{"reach": httpx.RoundReach(cv.Reach), "scope": cv.Scope, "summary": roundAreaComparison(cv.Summary),
			"departements": deps, "communes_changed": len(cv.Communes)}
	}
	out["compute_ms"] = httpx.Round(float64(time.Since(t0).Microseconds())/1000, 3)
	c.JSON(http.StatusOK, out)
	return nil
}

// oneLayer reads the layer name of param (def when absent) and checks it
// is loaded in e.
func oneLayer(c *gin.Context, e *matching.Engine, param, def string) (string, error) {
	n := strings.TrimSpace(c.DefaultQuery(param, def))
	if e.Layer(n) == nil {
		return "", httpx.BadParam(param, "unknown layer %q (loaded: %s)", n, strings.Join(e.LayerNames(), ", "))
	}
	return n, nil
}
