package siting

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/internal/access"
	"github.com/maillage/maillage/internal/param"
	"github.com/maillage/maillage/internal/present"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/accessibility"
	"github.com/maillage/maillage/matching/alloc"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/pairing"
)

// allocationRoutes registers POST /v1/allocations: where the next posts go
// (matching/accessibility/allocate.go). Like GET /v1/access the route is open: its
// supply and hosts are open data (a layer or the built-in structures, the
// France Services, the communes), and candidate points sent in the body
// are the caller's, used for the answer and not stored.
func (s *Handlers) allocationRoutes(r gin.IRouter) {
	r.POST("/allocations", httpx.Handle(s.allocations))
}

// allocationRequest is the JSON body of POST /v1/allocations.
type allocationRequest struct {
	Posts      int                   `json:"posts"`
	Supply     string                `json:"supply"`
	Demand     string                `json:"demand"`
	MaxMinutes *float64              `json:"max_minutes"`
	MaxKm      *float64              `json:"max_km"`
	Objective  string                `json:"objective"`
	Hosts      []string              `json:"hosts"`
	Floors     map[string]int        `json:"floors"`
	Caps       map[string]int        `json:"caps"`
	Candidates []allocationCandidate `json:"candidates"`
}

// allocationCandidate is a candidate host point of the body; without a
// département it takes the one of the commune holding it.
type allocationCandidate struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Lon         float64 `json:"lon"`
	Lat         float64 `json:"lat"`
	Departement string  `json:"departement"`
}

// allocationView is the JSON answer: the allocation with its points as a
// GeoJSON FeatureCollection.
type allocationView struct {
	*accessibility.Allocation
	Points    httpx.GeoCollection[accessibility.AllocatedPoint] `json:"points"`
	ComputeMS float64                                           `json:"compute_ms"`
}

// allocationQuery reads and checks the body: the parameters of
// internal/param (as maillage allocate), a built-in supply, known
// départements and located candidates.
func (s *Handlers) allocationQuery(c *gin.Context, e *matching.Engine) (accessibility.AllocationQuery, error) {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return accessibility.AllocationQuery{}, err
	}
	var req allocationRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return accessibility.AllocationQuery{}, httpx.BadBody("want a JSON object such as {\"posts\": 1862, \"objective\": \"equity\"}: %v", err)
	}
	q := accessibility.AllocationQuery{Posts: req.Posts, Supply: req.Supply, Demand: req.Demand, Objective: alloc.Objective(req.Objective),
		Hosts: req.Hosts, Floors: req.Floors, Caps: req.Caps}
	if err := param.CheckAllocation(q.Posts, req.Objective, q.Hosts, q.Floors, q.Caps); err != nil {
		return q, err
	}
	if q.Supply == "" {
		q.Supply = matching.BuiltinStructuresDataset
	}
	if e.Layer(q.Supply) == nil {
		if _, builtin := e.Structures(q.Supply); !builtin {
			return q, httpx.BadParam("supply", "want a layer (%v) or the built-in structures %q, got %q (uploaded datasets: not on this open route)",
				e.LayerNames(), matching.BuiltinStructuresDataset, q.Supply)
		}
	}
	if q.Demand == "" {
		q.Demand = coverage.DemandDifficulty
	}
	if q.Demand != coverage.DemandDifficulty && q.Demand != coverage.DemandPopulation {
		return q, httpx.BadParam("demand", "want %q or %q, got %q", coverage.DemandDifficulty, coverage.DemandPopulation, q.Demand)
	}
	reach := coverage.DefaultReach()
	switch {
	case req.MaxMinutes != nil && req.MaxKm != nil:
		return q, httpx.BadParam("max_minutes", "give max_minutes or max_km, not both")
	case req.MaxMinutes != nil:
		if err := param.MaxMinutes().Check(*req.MaxMinutes); err != nil {
			return q, httpx.ParamError(err)
		}
		reach = coverage.ReachMinutes(*req.MaxMinutes, coverage.DefaultTravelModel())
	case req.MaxKm != nil:
		if err := param.MaxKm().Check(*req.MaxKm); err != nil {
			return q, httpx.ParamError(err)
		}
		reach = coverage.ReachKm(*req.MaxKm)
	}
	q.Reach = &reach
	for _, b := range []struct {
		name string
		m    map[string]int
	}{{"floors", q.Floors}, {"caps", q.Caps}} {
		for _, code := range slices.Sorted(maps.Keys(b.m)) {
			if _, ok := e.Territory().Departement(code); !ok {
				return q, httpx.BadParam(b.name, "no département %q", code)
			}
		}
	}
	if n := len(req.Candidates); n > param.MaxAllocationCandidates {
		return q, httpx.BadParam("candidates", "%d points, at most %d", n, param.MaxAllocationCandidates)
	}
	for i, cd := range req.Candidates {
		if err := param.Lon().Check(cd.Lon); err != nil {
			return q, httpx.BadParam("candidates", "point %d (%q): %v", i, cd.Name, err)
		}
		if err := param.Lat().Check(cd.Lat); err != nil {
			return q, httpx.BadParam("candidates", "point %d (%q): %v", i, cd.Name, err)
		}
		if _, ok := e.Territory().Departement(cd.Departement); !ok && cd.Departement != "" {
			return q, httpx.BadParam("candidates", "point %d (%q): no département %q", i, cd.Name, cd.Departement)
		}
		if cd.ID == "" { // features keep an id: the point's rank in the body
			cd.ID = strconv.Itoa(i + 1)
		}
		q.Candidates = append(q.Candidates, pairing.Structure{ID: cd.ID, Name: cd.Name, Point: orb.Point{cd.Lon, cd.Lat}, Departement: cd.Departement})
	}
	return q, nil
}

func (s *Handlers) allocations(c *gin.Context) error {
	format, err := httpx.Format(c, "json", "csv")
	if err != nil {
		return err
	}
	e := s.env.EngineOf(c)
	q, err := s.allocationQuery(c, e)
	if err != nil {
		return httpx.ParamError(err)
	}
	release, err := s.env.StartWork(c, access.WorkSiting, httpx.SitingNationalWeight+int64(q.Posts))
	if err != nil {
		return err
	}
	defer release()
	a, err := accessibility.Allocate(c.Request.Context(), e, q)
	if err != nil {
		return err
	}
	if format == "csv" {
		return httpx.WriteTableCSV(c, "allocation-departement.csv", present.AllocationDepartements(), a.Departements)
	}
	for i := range a.Departements {
		d := &a.Departements[i]
		d.Demand, d.AccessBeforePer10k, d.AccessAfterPer10k = httpx.Round(d.Demand, 1), httpx.Round(d.AccessBeforePer10k, 4), httpx.Round(d.AccessAfterPer10k, 4)
		d.NeedSharePostsBefore, d.OverServedPostsBefore = httpx.Round(d.NeedSharePostsBefore, 2), httpx.Round(d.OverServedPostsBefore, 2)
	}
	fc := httpx.GeoCollection[accessibility.AllocatedPoint]{Type: "FeatureCollection", Features: make([]*httpx.GeoFeature[accessibility.AllocatedPoint], 0, len(a.Points)),
		ExtraMembers: geojson.Properties{"total": len(a.Points)}}
	for _, p := range a.Points {
		p.CatchmentDemand = httpx.Round(p.CatchmentDemand, 1)
		fc.Features = append(fc.Features, &httpx.GeoFeature[accessibility.AllocatedPoint]{ID: p.Kind + ":" + p.ID, Type: "Feature", Geometry: p.Point, Properties: p})
	}
	a.Reach = httpx.RoundReach(a.Reach)
	for _, f := range []*float64{&a.ReferenceBeforePer10k, &a.ReferencePer10k, &a.LargestShortfallBeforePer10k, &a.LargestShortfallAfterPer10k,
		&a.AccessBeforePer10k, &a.AccessAfterPer10k} {
		*f = httpx.Round(*f, 4)
	}
	for _, f := range []*float64{&a.ReachingReferenceBefore, &a.ReachingReferenceAfter, &a.ServedBefore, &a.ServedAfter, &a.ServedUpperBound} {
		*f = httpx.Round(*f, 1)
	}
	c.JSON(http.StatusOK, allocationView{Allocation: a, Points: fc, ComputeMS: httpx.TimingsMS(a.Timings)})
	return nil
}
