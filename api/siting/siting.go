// Package siting serves where new sites and posts should go: evaluating
// proposed sites, recommending new ones, comparing scenarios (all bounded
// as siting work) and allocating posts between hosts.
package siting

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/access"
	"github.com/maillage/maillage/internal/param"
	"github.com/maillage/maillage/internal/present"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/siting"
)

// Handlers serves the siting and allocation analyses.
type Handlers struct {
	env *httpx.Env
}

// New returns the handlers over env.
func New(env *httpx.Env) *Handlers { return &Handlers{env: env} }

// Routes registers the siting endpoints.
func (s *Handlers) Routes(r *gin.RouterGroup) {
	s.allocationRoutes(r) // where the next posts go (api/siting/allocate.go)
	r.POST("/proposals/evaluate", s.env.BoundUpload(), httpx.Handle(s.evaluateProposals))
	r.GET("/recommendations", httpx.Handle(s.recommendations))
	r.POST("/recommendations", s.env.BoundUpload(), httpx.Handle(s.recommendations))
	r.POST("/scenarios/compare", s.env.BoundUpload(), httpx.Handle(s.compareScenario))
}

// sitingQuery parses layers=, max_km= or max_minutes= (with speed_kmh= and
// detour=) and redundancy_km= (0 turns the redundancy rule off).
func (s *Handlers) sitingQuery(c *gin.Context) (siting.SitingQuery, error) {
	cq, err := s.env.CoverageQuery(c)
	if err != nil {
		return siting.SitingQuery{}, err
	}
	km, err := httpx.QueryParam(c, param.RedundancyKm(), siting.DefaultRedundancyM/1000)
	if err != nil {
		return siting.SitingQuery{}, err
	}
	q := siting.SitingQuery{Layers: cq.Layers, Reach: cq.Reach, RedundancyM: km * 1000}
	if km == 0 {
		q.RedundancyM = -1
	}
	return q, nil
}

// errRowsWritten tells a handler that the response (a 400 listing row
// errors) is already written.
var errRowsWritten = errors.New("row errors written")

// readSites reads the sites of a request. With dataset= (when fromDataset),
// they are the rows of a stored proposals or structures dataset in the
// token's scope (a dataset it sees no row of is unknown; built-in rows too
// enter its analyses only in its scope, see Scope). Otherwise
// the body holds them in the formats of host structures: CSV, a JSON array,
// a GeoJSON FeatureCollection of Points, or a JSON object holding one of
// them under key (or "sites"); Content-Type text/csv or
// application/geo+json settles the format, else it is sniffed. Invalid rows
// are answered at once, 400 with every row error (people.LoadErrors), and
// errRowsWritten is returned: handlers pass it through sitingResult. More
// rows than api.Config.MaxRows answer 413.
func (s *Handlers) readSites(c *gin.Context, key string, fromDataset bool) ([]people.Structure, error) {
	var sites []people.Structure
	if id := c.Query("dataset"); id != "" && fromDataset {
		d, _, err := s.env.SeeDataset(c, id)
		switch {
		case errors.Is(err, data.ErrDatasetNotFound):
			return nil, httpx.NotFound("%v", err)
		case err != nil:
			return nil, err
		case d.Meta.Kind != data.KindProposals && d.Meta.Kind != data.KindStructures:
			return nil, httpx.BadParam("dataset", "dataset %s holds %s, want proposals or structures", id, d.Meta.Kind)
		}
		sites = httpx.ScopeFrom(c).FilterStructures(d.Structures)
	} else {
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, err // 413
			}
			return nil, httpx.BadBody("reading the body: %v", err)
		}
		if sites, err = s.parseSites(c, key, body); err != nil {
			return nil, err
		}
	}
	if len(sites) == 0 {
		return nil, httpx.BadBody("no %s given", key)
	}
	if err := s.env.CheckRowCount(key, len(sites)); err != nil {
		return nil, err
	}
	return sites, nil
}

// parseSites parses a body of sites (see readSites).
func (s *Handlers) parseSites(c *gin.Context, key string, body []byte) ([]people.Structure, error) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(trimmed) == 0 {
		return nil, httpx.BadBody("empty body: send CSV, a JSON array, a GeoJSON FeatureCollection or {%q: [...]}", key)
	}
	format := textio.FormatUnknown
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	switch strings.ToLower(mt) {
	case "text/csv", "application/csv":
		format = textio.FormatCSV
	case httpx.GeoJSONType:
		format = textio.FormatGeoJSON
	}
	if format == textio.FormatUnknown && trimmed[0] == '{' {
		var wrap map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &wrap); err != nil {
			return nil, httpx.BadBody("body is not valid JSON: %v", err)
		}
		var typ string
		_ = json.Unmarshal(wrap["type"], &typ)
		if typ == "FeatureCollection" {
			format = textio.FormatGeoJSON
		} else {
			inner, ok := wrap[key]
			if !ok {
				inner, ok = wrap["sites"]
			}
			if !ok {
				return nil, httpx.BadBody("JSON object without %q: send {%q: [...]}, a JSON array or a GeoJSON FeatureCollection", key, key)
			}
			trimmed = bytes.TrimSpace(inner)
		}
	}
	name := key
	if format == textio.FormatUnknown {
		format = textio.DetectFormat("", trimmed) // FormatUnknown for gzip: sniffed once inflated
	}
	if format != textio.FormatUnknown {
		name += "." + format.String()
	}
	sites, _, err := people.LoadStructures(bytes.NewReader(trimmed), name, format, s.env.EngineOf(c).Territory(), s.env.DecodeLimits())
	if err != nil {
		var le *people.LoadErrors
		if errors.As(err, &le) {
			c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{"error": httpx.CodeBadBody,
				"message": fmt.Sprintf("%d invalid row(s): nothing was loaded", le.Count()), "errors": le.Errors, "more": le.More})
			return nil, errRowsWritten
		}
		if e := httpx.AsError(err); e != nil {
			return nil, e // a damaged file or one over a bound (textio.ReadError)
		}
		return nil, httpx.BadBody("%v", err)
	}
	return sites, nil
}

// checkSiteUpload refuses (403) sites of the request body outside the
// token's scope, as an upload; sites of dataset= are already narrowed to it
// (readSites).
func (s *Handlers) checkSiteUpload(c *gin.Context, sites []people.Structure) error {
	if c.Query("dataset") != "" {
		return nil
	}
	return httpx.ScopeFrom(c).CheckStructures(sites)
}

// sitingResult turns errRowsWritten, already answered, into nil.
func sitingResult(err error) error {
	if errors.Is(err, errRowsWritten) {
		return nil
	}
	return err
}

// ms returns the milliseconds since t0, rounded to the microsecond.
func ms(t0 time.Time) float64 { return httpx.Round(float64(time.Since(t0).Microseconds())/1000, 3) }

// evaluationView is the JSON answer of POST /v1/proposals/evaluate.
type evaluationView struct {
	*siting.ProposalEvaluation
	ComputeMS float64 `json:"compute_ms"`
}

func (s *Handlers) evaluateProposals(c *gin.Context) error {
	t0 := time.Now()
	format, err := httpx.Format(c, "json", "geojson", "csv")
	if err != nil {
		return err
	}
	q, err := s.sitingQuery(c)
	if err != nil {
		return err
	}
	props, err := s.readSites(c, "proposals", true)
	if err != nil {
		return sitingResult(err)
	}
	if err := s.checkSiteUpload(c, props); err != nil {
		return err
	}
	release, err := s.env.StartWork(c, access.WorkSiting, httpx.SitingNationalWeight+int64(len(props)))
	if err != nil {
		return err
	}
	defer release()
	ev, err := siting.EvaluateProposals(c.Request.Context(), s.env.EngineOf(c), props, q)
	if err != nil {
		return err
	}
	roundEvaluation(ev)
	switch format {
	case "csv":
		return httpx.WriteTableCSV(c, "proposals.csv", present.Proposals(), ev.Proposals)
	case "geojson":
		fc := httpx.GeoCollection[siting.ProposalResult]{Type: "FeatureCollection",
			Features: make([]*httpx.GeoFeature[siting.ProposalResult], 0, len(ev.Proposals))}
		for _, r := range ev.Proposals {
			fc.Features = append(fc.Features, &httpx.GeoFeature[siting.ProposalResult]{ID: r.ID, Type: "Feature",
				Geometry: orb.Point{r.Lon, r.Lat}, Properties: r})
		}
		summary := *ev
		summary.Proposals = nil
		fc.ExtraMembers = httpx.ToProperties(evaluationView{ProposalEvaluation: &summary, ComputeMS: ms(t0)})
		delete(fc.ExtraMembers, "proposals")
		httpx.WriteGeoJSON(c, fc)
		return nil
	}
	c.JSON(http.StatusOK, evaluationView{ProposalEvaluation: ev, ComputeMS: ms(t0)})
	return nil
}

// recommendationView is the JSON answer of /v1/recommendations.
type recommendationView struct {
	*siting.Recommendation
	ComputeMS float64 `json:"compute_ms"`
}

// recommendations answers GET (candidates: the scope's communes) and POST
// (candidates: the body) /v1/recommendations.
func (s *Handlers) recommendations(c *gin.Context) error {
	t0 := time.Now()
	format, err := httpx.Format(c, "geojson", "json", "csv")
	if err != nil {
		return err
	}
	cq, err := s.env.CoverageQuery(c)
	if err != nil {
		return err
	}
	k, err := httpx.QueryIntParam(c, param.K(), siting.DefaultRecommendK)
	if err != nil {
		return err
	}
	demand := c.DefaultQuery("demand", coverage.DemandPopulation)
	weights, err := coverage.DemandWeights(s.env.EngineOf(c).Coverage(), demand) // demand=difficulty: people in difficulty (matching/coverage/difficulty.go)
	if err != nil {
		return httpx.BadParam("demand", "want %q or %q, got %q", coverage.DemandPopulation, coverage.DemandDifficulty, demand)
	}
	q := siting.RecommendQuery{Layers: cq.Layers, Reach: cq.Reach, Departement: cq.Departement, Region: cq.Region,
		K: k, Demand: demand, DemandWeights: weights}
	if c.Request.Method == http.MethodPost {
		// This route is open: candidates come from the body only, never
		// from a stored dataset.
		if q.Candidates, err = s.readSites(c, "candidates", false); err != nil {
			return sitingResult(err)
		}
	}
	release, err := s.env.StartWork(c, access.WorkSiting, s.recommendWeight(s.env.EngineOf(c), q))
	if err != nil {
		return err
	}
	defer release()
	rec, err := siting.Recommend(c.Request.Context(), s.env.EngineOf(c), q)
	if err != nil {
		return err
	}
	roundRecommendation(rec)
	switch format {
	case "json":
		c.JSON(http.StatusOK, recommendationView{Recommendation: rec, ComputeMS: ms(t0)})
		return nil
	case "csv":
		return httpx.WriteTableCSV(c, "recommendations.csv", present.SitePicks(), rec.Picks)
	}
	fc := httpx.GeoCollection[siting.SitePick]{Type: "FeatureCollection",
		Features: make([]*httpx.GeoFeature[siting.SitePick], 0, len(rec.Picks))}
	for _, p := range rec.Picks {
		fc.Features = append(fc.Features, &httpx.GeoFeature[siting.SitePick]{ID: p.ID, Type: "Feature",
			Geometry: orb.Point{p.Lon, p.Lat}, Properties: p})
	}
	summary := *rec
	summary.Picks = nil
	fc.ExtraMembers = httpx.ToProperties(recommendationView{Recommendation: &summary, ComputeMS: ms(t0)})
	delete(fc.ExtraMembers, "picks")
	httpx.WriteGeoJSON(c, fc)
	return nil
}

// recommendWeight is the work bound weight of a recommendation: its
// candidates (uploaded, or the communes of its scope) and its demand.
func (s *Handlers) recommendWeight(e *matching.Engine, q siting.RecommendQuery) int64 {
	t := e.Territory()
	demand, cands := int64(httpx.SitingLocalWeight), len(q.Candidates)
	switch {
	case q.Departement != "":
		if q.Candidates == nil {
			cands = len(t.CommunesIn(q.Departement))
		}
	case q.Region != "":
		if q.Candidates == nil {
			for _, d := range t.Departements {
				if d.Region == q.Region {
					cands += len(t.CommunesIn(d.Code))
				}
			}
		}
	default:
		demand = httpx.SitingNationalWeight
		if q.Candidates == nil {
			cands = len(t.Communes)
		}
	}
	return demand + int64(cands)
}

// scenarioView is the JSON answer of POST /v1/scenarios/compare.
type scenarioView struct {
	*siting.ScenarioComparison
	ComputeMS float64 `json:"compute_ms"`
}

func (s *Handlers) compareScenario(c *gin.Context) error {
	t0 := time.Now()
	q, err := s.sitingQuery(c)
	if err != nil {
		return err
	}
	sites, err := s.readSites(c, "sites", true)
	if err != nil {
		return sitingResult(err)
	}
	if err := s.checkSiteUpload(c, sites); err != nil {
		return err
	}
	release, err := s.env.StartWork(c, access.WorkSiting, httpx.SitingNationalWeight+int64(len(sites)))
	if err != nil {
		return err
	}
	defer release()
	sc, err := siting.CompareScenario(c.Request.Context(), s.env.EngineOf(c), sites, q)
	if err != nil {
		return err
	}
	sc.Reach = httpx.RoundReach(sc.Reach)
	sc.National = roundChange(sc.National)
	for i := range sc.Regions {
		sc.Regions[i] = roundChange(sc.Regions[i])
	}
	for i := range sc.Departements {
		sc.Departements[i] = roundChange(sc.Departements[i])
	}
	c.JSON(http.StatusOK, scenarioView{ScenarioComparison: sc, ComputeMS: ms(t0)})
	return nil
}

// roundEvaluation, roundRecommendation and roundChange round the figures of
// an answer in place (distances to 0.1 m, shares to 1e-6, coordinates to
// 1e-7°).
func roundEvaluation(ev *siting.ProposalEvaluation) {
	ev.Reach = httpx.RoundReach(ev.Reach)
	ev.CoveredShareBefore, ev.CoveredShareAfter = httpx.Round(ev.CoveredShareBefore, 6), httpx.Round(ev.CoveredShareAfter, 6)
	for i := range ev.Proposals {
		r := &ev.Proposals[i]
		r.Lon, r.Lat = httpx.Round(r.Lon, 7), httpx.Round(r.Lat, 7)
		r.NearestFranceServicesM, r.NearestExistingM = httpx.Round(r.NearestFranceServicesM, 1), httpx.Round(r.NearestExistingM, 1)
	}
}

func roundRecommendation(rec *siting.Recommendation) {
	rec.Reach = httpx.RoundReach(rec.Reach)
	rec.CoveredShareBefore, rec.CoveredShareAfter = httpx.Round(rec.CoveredShareBefore, 6), httpx.Round(rec.CoveredShareAfter, 6)
	for i := range rec.Picks {
		p := &rec.Picks[i]
		p.Lon, p.Lat, p.CoveredShare = httpx.Round(p.Lon, 7), httpx.Round(p.Lat, 7), httpx.Round(p.CoveredShare, 6)
		p.GainDemand = httpx.Round(p.GainDemand, 6)
	}
	for i := range rec.Curve {
		rec.Curve[i].CoveredShare, rec.Curve[i].Demand = httpx.Round(rec.Curve[i].CoveredShare, 6), httpx.Round(rec.Curve[i].Demand, 6)
	}
	b := &rec.Bound
	b.AchievedShare = httpx.Round(b.AchievedShare, 6)
	b.Achieved, b.UpperBound, b.Gap = httpx.Round(b.Achieved, 6), httpx.Round(b.UpperBound, 6), httpx.Round(b.Gap, 6)
	b.Online, b.GreedyFactor, b.Coverable = httpx.Round(b.Online, 6), httpx.Round(b.GreedyFactor, 6), httpx.Round(b.Coverable, 6)
}

func roundChange(a siting.AreaChange) siting.AreaChange {
	a.CoveredShareBefore, a.CoveredShareAfter = httpx.Round(a.CoveredShareBefore, 6), httpx.Round(a.CoveredShareAfter, 6)
	return a
}
