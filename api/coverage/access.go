package coverage

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb/geojson"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/internal/access"
	"github.com/maillage/maillage/internal/param"
	"github.com/maillage/maillage/internal/present"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/accessibility"
	covm "github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/fca"
)

// accessRoutes registers GET /v1/access: capacity against need (2SFCA,
// matching/accessibility/access.go).
func (s *Handlers) accessRoutes(r gin.IRouter) {
	r.GET("/access", httpx.Handle(s.access2SFCA))
}

// accessView is the JSON body of GET /v1/access.
type accessView struct {
	Supply          string                     `json:"supply"`
	SupplyKind      string                     `json:"supply_kind"`
	Demand          string                     `json:"demand"`
	Reach           covm.Reach                 `json:"reach"`
	Decay           fca.Decay                  `json:"decay"`
	SupplyPoints    int                        `json:"supply_points"`
	SupplyTotal     float64                    `json:"supply_total"`
	IdleSupply      float64                    `json:"idle_supply"`
	DemandTotal     float64                    `json:"demand_total"`
	ReferencePer10k float64                    `json:"reference_per_10k"`
	National        accessibility.AccessArea   `json:"national"`
	By              string                     `json:"by"`
	Items           []accessibility.AccessArea `json:"items"`
	Total           int                        `json:"total"`
	ComputeMS       float64                    `json:"compute_ms"`
}

// accessQuery parses supply=, demand=, decay=, sigma_km= and the reach
// (max_km= or max_minutes= with speed_kmh= and detour=, as coverage).
// Supply is a layer or a built-in structures dataset: uploaded datasets
// hold uploaded data and this route is open.
func (s *Handlers) accessQuery(c *gin.Context) (accessibility.AccessQuery, error) {
	cq, err := s.env.CoverageQuery(c)
	if err != nil {
		return accessibility.AccessQuery{}, err
	}
	q := accessibility.AccessQuery{Supply: c.DefaultQuery("supply", matching.BuiltinStructuresDataset),
		Demand: c.DefaultQuery("demand", covm.DemandDifficulty), Reach: cq.Reach}
	if s.env.EngineOf(c).Layer(q.Supply) == nil {
		if _, builtin := s.env.EngineOf(c).Structures(q.Supply); !builtin {
			return q, httpx.BadParam("supply", "want a layer (%v) or the built-in structures %q, got %q (uploaded datasets: not on this open route)",
				s.env.EngineOf(c).LayerNames(), matching.BuiltinStructuresDataset, q.Supply)
		}
	}
	if q.Demand != covm.DemandDifficulty && q.Demand != covm.DemandPopulation {
		return q, httpx.BadParam("demand", "want %q or %q, got %q", covm.DemandDifficulty, covm.DemandPopulation, q.Demand)
	}
	q.Decay.Kind = fca.DecayKind(c.DefaultQuery("decay", string(fca.DecayNone)))
	sigmaKm, err := httpx.QueryFloat(c, "sigma_km", 0, 0, 1000)
	if err != nil {
		return q, err
	}
	q.Decay.Sigma = sigmaKm * 1000
	if _, err := q.Decay.Check(q.Reach.MaxM); err != nil {
		return q, httpx.BadParam("decay", "want none, linear or gaussian (with sigma_km > 0 or absent), got %q", q.Decay.Kind)
	}
	return q, nil
}

func (s *Handlers) access2SFCA(c *gin.Context) error {
	format, err := httpx.Format(c, "json", "csv", "geojson")
	if err != nil {
		return err
	}
	by := c.DefaultQuery("by", covm.LevelDepartement)
	switch by {
	case covm.LevelNational, covm.LevelRegion, covm.LevelDepartement, covm.LevelEPCI, covm.LevelCommune:
	default:
		return httpx.BadParam("by", "want national, region, departement, epci or commune, got %q", by)
	}
	dep := c.Query("departement")
	if dep != "" {
		if _, ok := s.env.EngineOf(c).Territory().Departement(dep); !ok {
			return httpx.NotFound("no département %q", dep)
		}
	}
	if format == "geojson" && (by != covm.LevelCommune || dep == "") {
		return httpx.BadParam("format", "GeoJSON needs by=commune and departement=")
	}
	if sortBy := c.Query("sort"); sortBy != "" && !slices.Contains(accessibility.AccessSorts(), sortBy) {
		return httpx.BadParam("sort", "want %s, got %q", strings.Join(accessibility.AccessSorts(), ", "), sortBy)
	}
	limit, err := httpx.QueryIntParam(c, param.Limit(maxAccessItems), 0)
	if err != nil {
		return err
	}
	q, err := s.accessQuery(c)
	if err != nil {
		return err
	}
	release, err := s.env.StartWork(c, access.WorkSiting, httpx.SitingNationalWeight)
	if err != nil {
		return err
	}
	defer release()
	a, err := accessibility.Compute(s.env.EngineOf(c), q)
	if err != nil {
		return err
	}
	items, communes, err := accessItems(a, by, dep, c.Query("sort"), limit)
	if err != nil {
		return err
	}
	switch format {
	case "csv":
		if communes != nil {
			return httpx.WriteTableCSV(c, "access-commune.csv", present.CommuneAccesses(), communes)
		}
		return httpx.WriteTableCSV(c, "access-"+by+".csv", present.AccessAreas(), items)
	case "geojson":
		fc := httpx.GeoCollection[accessibility.AccessArea]{Type: "FeatureCollection", Features: make([]*httpx.GeoFeature[accessibility.AccessArea], 0, len(items)),
			ExtraMembers: geojson.Properties{"supply": a.Supply, "demand": a.Demand, "reach": httpx.RoundReach(a.Reach),
				"reference_per_10k": httpx.Round(a.ReferencePer10k, 4), "total": len(items)}}
		for i, it := range items {
			f := &httpx.GeoFeature[accessibility.AccessArea]{ID: it.Code, Type: "Feature", Properties: it}
			if com, ok := s.env.EngineOf(c).Territory().Commune(communes[i].Code); ok && com.HasShape() {
				f.Geometry = httpx.GeoJSONShape(com.Shape)
			}
			fc.Features = append(fc.Features, f)
		}
		httpx.WriteGeoJSON(c, fc)
		return nil
	}
	c.JSON(http.StatusOK, accessView{Supply: a.Supply, SupplyKind: a.SupplyKind, Demand: a.Demand, Reach: httpx.RoundReach(a.Reach),
		Decay: a.Decay, SupplyPoints: a.SupplyPoints, SupplyTotal: a.SupplyTotal, IdleSupply: a.IdleSupply,
		DemandTotal: httpx.Round(a.DemandTotal, 1), ReferencePer10k: httpx.Round(a.ReferencePer10k, 4), National: roundAccess(a.National),
		By: by, Items: items, Total: len(items), ComputeMS: httpx.TimingsMS(a.Timings)})
	return nil
}

// maxAccessItems bounds limit= of GET /v1/access (there are about 35,000
// communes).
const maxAccessItems = 100000

// accessItems returns the rounded areas of level by (those of dep only,
// when given: see Access.Select) in the order sortBy, the first limit when
// limit > 0, and for communes the commune records alongside.
func accessItems(a *accessibility.Access, by, dep, sortBy string, limit int) ([]accessibility.AccessArea, []accessibility.CommuneAccess, error) {
	src, communes, err := a.Select(by, dep, sortBy)
	if err != nil {
		return nil, nil, err
	}
	if limit > 0 && len(src) > limit {
		src = src[:limit]
		if communes != nil {
			communes = communes[:limit]
		}
	}
	out := make([]accessibility.AccessArea, len(src))
	for i, it := range src {
		out[i] = roundAccess(it)
	}
	return out, communes, nil
}

// roundAccess rounds an area's figures for answers.
func roundAccess(a accessibility.AccessArea) accessibility.AccessArea {
	a.Demand, a.DemandBelowHalf = httpx.Round(a.Demand, 1), httpx.Round(a.DemandBelowHalf, 1)
	a.AccessPer10k, a.RatioToReference, a.ShareBelowHalf = httpx.Round(a.AccessPer10k, 4), httpx.Round(a.RatioToReference, 4), httpx.Round(a.ShareBelowHalf, 4)
	return a
}
