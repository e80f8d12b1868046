package api

import (
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/geo/crs"
	"github.com/maillage/maillage/internal/maplayers"

	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// Paging limits of the GeoJSON layers (/v1/layers/{name}) and OGC items.
const (
	layerDefaultLimit = 1000
	layerMaxLimit     = 50000 // all of France's communes fit in one page
	ogcDefaultLimit   = 100
	ogcMaxLimit       = 10000
)

// layerQuery is a parsed layer request.
type layerQuery struct {
	filter    maplayers.Filter
	limit     int
	offset    int
	props     []int   // positions of the chosen properties, nil for all
	zoom      int     // -1 when not given
	tolerance float64 // degrees, 0 when not given
	crs       crs.CRS // of the written coordinates (crs=), CRS84 by default
}

// pageLimits says how limit= is read.
type pageLimits struct {
	def, max int
	clamp    bool // a limit above max is lowered to max (OGC) instead of refused
}

// parseLayerQuery reads bbox=, departement=, limit=, offset=,
// properties=, zoom= and tolerance=.
func (s *Server) parseLayerQuery(c *gin.Context, l *maplayers.Layer, pl pageLimits) (layerQuery, error) {
	q := layerQuery{zoom: -1}
	var err error
	if q.crs, err = httpx.QueryCRS(c, "crs"); err != nil {
		return q, err
	}
	bboxCRS, err := httpx.QueryCRS(c, "bbox-crs")
	if err != nil {
		return q, err
	}
	if q.filter.BBox, q.filter.HasBBox, err = httpx.QueryBBoxIn(c, bboxCRS); err != nil {
		return q, err
	}
	if d := c.Query("departement"); d != "" {
		if _, ok := s.env.EngineOf(c).Territory().Departement(d); !ok {
			return q, httpx.NotFound("no département with code %q", d)
		}
		q.filter.Departement = d
	}
	if q.limit, err = queryLimit(c, pl); err != nil {
		return q, err
	}
	if q.offset, err = httpx.QueryInt(c, "offset", 0, 0, 1<<30); err != nil {
		return q, err
	}
	q.filter.Offset, q.filter.Limit = q.offset, q.limit
	if names := httpx.QueryList(c, "properties"); names != nil {
		q.props = make([]int, 0, len(names))
		for _, n := range names {
			k := l.PropIndex(n)
			if k < 0 {
				return q, httpx.BadParam("properties", "layer %s has no property %q (it has %s)", l.Name, n, strings.Join(l.PropNames(), ", "))
			}
			if !slices.Contains(q.props, k) {
				q.props = append(q.props, k)
			}
		}
	}
	_, hasZoom := c.GetQuery("zoom")
	_, hasTol := c.GetQuery("tolerance")
	if hasZoom && hasTol {
		return q, httpx.BadParam("tolerance", "give zoom or tolerance, not both")
	}
	if hasZoom {
		if q.zoom, err = httpx.QueryInt(c, "zoom", -1, 0, maplayers.MaxZoom); err != nil {
			return q, err
		}
	}
	if hasTol {
		if q.tolerance, err = httpx.QueryFloat(c, "tolerance", 0, 0, 1); err != nil {
			return q, err
		}
	}
	return q, nil
}

// queryLimit parses limit= under pl.
func queryLimit(c *gin.Context, pl pageLimits) (int, error) {
	s, ok := c.GetQuery("limit")
	if !ok || s == "" {
		return pl.def, nil
	}
	v, err := strconv.Atoi(s)
	switch {
	case err != nil:
		return 0, httpx.BadParam("limit", "%q is not an integer", s)
	case v < 1:
		return 0, httpx.BadParam("limit", "%d is below 1", v)
	case v > pl.max && pl.clamp:
		return pl.max, nil
	case v > pl.max:
		return 0, httpx.BadParam("limit", "%d is above %d: page with offset=", v, pl.max)
	}
	return v, nil
}

// pageLinks returns the self link of the request and, when more features
// follow, the next link (same query, offset moved on).
func (s *Server) pageLinks(c *gin.Context, mediaType string, q layerQuery, returned, matched int) []httpx.Link {
	base := s.env.BaseURL(c) + c.Request.URL.Path
	self := base
	if raw := c.Request.URL.RawQuery; raw != "" {
		self += "?" + raw
	}
	links := []httpx.Link{{Href: self, Rel: "self", Type: mediaType, Title: "this document"}}
	if q.offset+returned < matched {
		v := url.Values{}
		for k, vs := range c.Request.URL.Query() {
			v[k] = vs
		}
		v.Set("offset", strconv.Itoa(q.offset+returned))
		v.Set("limit", strconv.Itoa(q.limit))
		links = append(links, httpx.Link{Href: base + "?" + v.Encode(), Rel: "next", Type: mediaType, Title: "next page"})
	}
	return links
}
