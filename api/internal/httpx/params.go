package httpx

import (
	"errors"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data/values"
	"github.com/maillage/maillage/geo/crs"
	"github.com/maillage/maillage/internal/param"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
)

// QueryFloat parses an optional float parameter within [lo, hi].
func QueryFloat(c *gin.Context, name string, def, lo, hi float64) (float64, error) {
	return QueryParam(c, param.Float{Name: name, Min: lo, Max: hi}, def)
}

// QueryParam parses an optional decimal parameter of the shared table
// (internal/param), refused with the message the CLI gives.
func QueryParam(c *gin.Context, p param.Float, def float64) (float64, error) {
	s, ok := c.GetQuery(p.Name)
	if !ok || s == "" {
		return def, nil
	}
	v, err := p.Parse(s)
	return v, ParamError(err)
}

// QueryInt parses an optional integer parameter within [lo, hi].
func QueryInt(c *gin.Context, name string, def, lo, hi int) (int, error) {
	return QueryIntParam(c, param.Int{Name: name, Min: lo, Max: hi}, def)
}

// QueryIntParam parses an optional integer parameter of the shared table.
func QueryIntParam(c *gin.Context, p param.Int, def int) (int, error) {
	s, ok := c.GetQuery(p.Name)
	if !ok || s == "" {
		return def, nil
	}
	v, err := p.Parse(s)
	return v, ParamError(err)
}

// ParamError maps a refused parameter to a 400 bad_parameter.
func ParamError(err error) error {
	var pe *param.Error
	if errors.As(err, &pe) {
		return BadParam(pe.Name, "%s", pe.Reason)
	}
	return err
}

// QueryPoint parses the required lon and lat parameters.
func QueryPoint(c *gin.Context) (orb.Point, error) {
	for _, n := range []string{"lon", "lat"} {
		if c.Query(n) == "" {
			return orb.Point{}, BadParam(n, "required (decimal degrees, WGS84)")
		}
	}
	lon, err := QueryParam(c, param.Lon(), 0)
	if err != nil {
		return orb.Point{}, err
	}
	lat, err := QueryParam(c, param.Lat(), 0)
	if err != nil {
		return orb.Point{}, err
	}
	return orb.Point{lon, lat}, nil
}

// QueryBBox parses an optional bbox=minLon,minLat,maxLon,maxLat.
func QueryBBox(c *gin.Context) (orb.Bound, bool, error) {
	return QueryBBoxIn(c, crs.CRS84())
}

// QueryBBoxIn reads bbox= given in system in (bbox-crs=, OGC API –
// Features Part 2) and returns the lon/lat box covering it.
func QueryBBoxIn(c *gin.Context, in crs.CRS) (orb.Bound, bool, error) {
	s := c.Query("bbox")
	if s == "" {
		return orb.Bound{}, false, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return orb.Bound{}, false, BadParam("bbox", "want minLon,minLat,maxLon,maxLat, got %q", s)
	}
	var v [4]float64
	for i, p := range parts {
		f, err := values.ParseDecimal(strings.TrimSpace(p))
		if err != nil {
			return orb.Bound{}, false, BadParam("bbox", "%v", err)
		}
		v[i] = f
	}
	if !in.IsCRS84() {
		if v[0] > v[2] || v[1] > v[3] { // ParseDecimal refuses infinities
			return orb.Bound{}, false, BadParam("bbox", "%q is not a valid minX,minY,maxX,maxY box in %s", s, in.URI())
		}
		return in.LonLatBound(orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}), true, nil
	}
	if v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90 || v[0] > v[2] || v[1] > v[3] {
		return orb.Bound{}, false, BadParam("bbox", "%q is not a valid minLon,minLat,maxLon,maxLat box", s)
	}
	return orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, true, nil
}

// QueryCRS reads a coordinate reference system parameter (crs=,
// bbox-crs=): CRS84 when absent, 400 listing the supported ones when
// unknown.
func QueryCRS(c *gin.Context, name string) (crs.CRS, error) {
	s, ok := c.GetQuery(name)
	if !ok {
		return crs.CRS84(), nil
	}
	system, err := crs.Parse(s)
	if err != nil {
		return crs.CRS{}, BadParam(name, "%v", err)
	}
	return system, nil
}

// QueryList parses an optional comma-separated list.
func QueryList(c *gin.Context, name string) []string {
	s := c.Query(name)
	if s == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// MaxCoverageCells bounds the cells of one answer: /v1/coverage/cells and
// the cells layer.
const MaxCoverageCells = 50000

// Layers parses layers=a,b (default: the engine's default layer) and checks
// every name is loaded.
func (s *Env) Layers(c *gin.Context) ([]string, error) {
	names := QueryList(c, "layers")
	if len(names) == 0 {
		return []string{matching.DefaultLayer}, nil
	}
	for _, n := range names {
		if s.EngineOf(c).Layer(n) == nil {
			return nil, BadParam("layers", "unknown layer %q (loaded: %s)", n, strings.Join(s.EngineOf(c).LayerNames(), ", "))
		}
	}
	return names, nil
}

// CoverageQuery parses layers=, max_km= or max_minutes= (with speed_kmh=
// and detour=), departement= or region=, and rank_by= (the order of gap
// zones and rural mairies: population, fragility or zrr).
func (s *Env) CoverageQuery(c *gin.Context) (coverage.Query, error) {
	var q coverage.Query
	layers, err := s.Layers(c)
	if err != nil {
		return q, err
	}
	q.Layers = layers
	_, hasKm := c.GetQuery("max_km")
	_, hasMin := c.GetQuery("max_minutes")
	switch {
	case hasKm && hasMin:
		return q, BadParam("max_km", "give max_km or max_minutes, not both")
	case hasKm:
		km, err := QueryParam(c, param.MaxKm(), 0)
		if err != nil {
			return q, err
		}
		r := coverage.ReachKm(km)
		q.Reach = &r
	default:
		minutes, err := QueryParam(c, param.MaxMinutes(), coverage.DefaultMaxMinutes)
		if err != nil {
			return q, err
		}
		speed, err := QueryParam(c, param.SpeedKmh(), coverage.DefaultSpeedKmh)
		if err != nil {
			return q, err
		}
		detour, err := QueryParam(c, param.Detour(), coverage.DefaultDetour)
		if err != nil {
			return q, err
		}
		r := coverage.ReachMinutes(minutes, coverage.TravelModel{SpeedKmh: speed, Detour: detour})
		q.Reach = &r
	}
	q.Departement, q.Region = c.Query("departement"), c.Query("region")
	if q.Departement != "" && q.Region != "" {
		return q, BadParam("region", "give departement or region, not both")
	}
	q.RankBy = c.Query("rank_by")
	return q, nil
}

// QueryDepartement reads departement= ("" when absent), 404 when the
// request's engine has no such département.
func (s *Env) QueryDepartement(c *gin.Context) (string, error) {
	dep := c.Query("departement")
	if dep != "" {
		if _, ok := s.EngineOf(c).Territory().Departement(dep); !ok {
			return "", NotFound("no département with code %q", dep)
		}
	}
	return dep, nil
}
