package api

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
)

// queryFloat parses an optional float parameter within [lo, hi].
func queryFloat(c *gin.Context, name string, def, lo, hi float64) (float64, error) {
	s, ok := c.GetQuery(name)
	if !ok || s == "" {
		return def, nil
	}
	v, err := data.ParseDecimal(s)
	if err != nil {
		return 0, badParam(name, "%v", err)
	}
	if v < lo || v > hi {
		return 0, badParam(name, "%v is out of range [%v, %v]", v, lo, hi)
	}
	return v, nil
}

// queryInt parses an optional integer parameter within [lo, hi].
func queryInt(c *gin.Context, name string, def, lo, hi int) (int, error) {
	s, ok := c.GetQuery(name)
	if !ok || s == "" {
		return def, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, badParam(name, "%q is not an integer", s)
	}
	if v < lo || v > hi {
		return 0, badParam(name, "%d is out of range [%d, %d]", v, lo, hi)
	}
	return v, nil
}

// queryPoint parses the required lon and lat parameters.
func queryPoint(c *gin.Context) (orb.Point, error) {
	for _, n := range []string{"lon", "lat"} {
		if c.Query(n) == "" {
			return orb.Point{}, badParam(n, "required (decimal degrees, WGS84)")
		}
	}
	lon, err := queryFloat(c, "lon", 0, -180, 180)
	if err != nil {
		return orb.Point{}, err
	}
	lat, err := queryFloat(c, "lat", 0, -90, 90)
	if err != nil {
		return orb.Point{}, err
	}
	return orb.Point{lon, lat}, nil
}

// queryBBox parses an optional bbox=minLon,minLat,maxLon,maxLat.
func queryBBox(c *gin.Context) (orb.Bound, bool, error) {
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
	if v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90 || v[0] > v[2] || v[1] > v[3] {
		return orb.Bound{}, false, badParam("bbox", "%q is not a valid minLon,minLat,maxLon,maxLat box", s)
	}
	return orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, true, nil
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
