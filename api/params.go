package api

import (
	"errors"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/geo/crs"
	"github.com/maillage/maillage/internal/param"
)

// queryFloat parses an optional float parameter within [lo, hi].
func queryFloat(c *gin.Context, name string, def, lo, hi float64) (float64, error) {
	return queryParam(c, param.Float{Name: name, Min: lo, Max: hi}, def)
}

// queryParam parses an optional decimal parameter of the shared table
// (internal/param), refused with the message the CLI gives.
func queryParam(c *gin.Context, p param.Float, def float64) (float64, error) {
	s, ok := c.GetQuery(p.Name)
	if !ok || s == "" {
		return def, nil
	}
	v, err := p.Parse(s)
	return v, paramError(err)
}

// queryInt parses an optional integer parameter within [lo, hi].
func queryInt(c *gin.Context, name string, def, lo, hi int) (int, error) {
	return queryIntParam(c, param.Int{Name: name, Min: lo, Max: hi}, def)
}

// queryIntParam parses an optional integer parameter of the shared table.
func queryIntParam(c *gin.Context, p param.Int, def int) (int, error) {
	s, ok := c.GetQuery(p.Name)
	if !ok || s == "" {
		return def, nil
	}
	v, err := p.Parse(s)
	return v, paramError(err)
}

// paramError maps a refused parameter to a 400 bad_parameter.
func paramError(err error) error {
	var pe *param.Error
	if errors.As(err, &pe) {
		return badParam(pe.Name, "%s", pe.Reason)
	}
	return err
}

// queryPoint parses the required lon and lat parameters.
func queryPoint(c *gin.Context) (orb.Point, error) {
	for _, n := range []string{"lon", "lat"} {
		if c.Query(n) == "" {
			return orb.Point{}, badParam(n, "required (decimal degrees, WGS84)")
		}
	}
	lon, err := queryParam(c, param.Lon(), 0)
	if err != nil {
		return orb.Point{}, err
	}
	lat, err := queryParam(c, param.Lat(), 0)
	if err != nil {
		return orb.Point{}, err
	}
	return orb.Point{lon, lat}, nil
}

// queryBBox parses an optional bbox=minLon,minLat,maxLon,maxLat.
func queryBBox(c *gin.Context) (orb.Bound, bool, error) {
	return queryBBoxIn(c, crs.CRS84())
}

// queryBBoxIn reads bbox= given in system in (bbox-crs=, OGC API –
// Features Part 2) and returns the lon/lat box covering it.
func queryBBoxIn(c *gin.Context, in crs.CRS) (orb.Bound, bool, error) {
	s := c.Query("bbox")
	if s == "" {
		return orb.Bound{}, false, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return orb.Bound{}, false, badParam("bbox", "want minLon,minLat,maxLon,maxLat, got %q", s)
	}
	var v [4]float64
	for i, p := range parts {
		f, err := data.ParseDecimal(strings.TrimSpace(p))
		if err != nil {
			return orb.Bound{}, false, badParam("bbox", "%v", err)
		}
		v[i] = f
	}
	if !in.IsCRS84() {
		if v[0] > v[2] || v[1] > v[3] { // ParseDecimal refuses infinities
			return orb.Bound{}, false, badParam("bbox", "%q is not a valid minX,minY,maxX,maxY box in %s", s, in.URI())
		}
		return in.LonLatBound(orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}), true, nil
	}
	if v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90 || v[0] > v[2] || v[1] > v[3] {
		return orb.Bound{}, false, badParam("bbox", "%q is not a valid minLon,minLat,maxLon,maxLat box", s)
	}
	return orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, true, nil
}

// queryCRS reads a coordinate reference system parameter (crs=,
// bbox-crs=): CRS84 when absent, 400 listing the supported ones when
// unknown.
func queryCRS(c *gin.Context, name string) (crs.CRS, error) {
	s, ok := c.GetQuery(name)
	if !ok {
		return crs.CRS84(), nil
	}
	system, err := crs.Parse(s)
	if err != nil {
		return crs.CRS{}, badParam(name, "%v", err)
	}
	return system, nil
}

// queryList parses an optional comma-separated list.
func queryList(c *gin.Context, name string) []string {
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
