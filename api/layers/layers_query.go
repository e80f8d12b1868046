package layers

import (
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/geo/crs"
	"github.com/maillage/maillage/internal/access"
	"github.com/maillage/maillage/internal/maplayers"

	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// Paging limits of the GeoJSON layers (/v1/layers/{name}).
const (
	DefaultLimit = 1000
	MaxLimit     = 50000 // all of France's communes fit in one page
)

// Query is a parsed layer request.
type Query struct {
	Filter    maplayers.Filter
	Limit     int
	Offset    int
	props     []int   // positions of the chosen properties, nil for all
	zoom      int     // -1 when not given
	tolerance float64 // degrees, 0 when not given
	CRS       crs.CRS // of the written coordinates (crs=), CRS84 by default
}

// PageLimits says how limit= is read.
type PageLimits struct {
	Def, Max int
	Clamp    bool // a limit above max is lowered to max (OGC) instead of refused
}

// ParseQuery reads bbox=, departement=, limit=, offset=,
// properties=, zoom= and tolerance=.
func (s *Handlers) ParseQuery(c *gin.Context, l *maplayers.Layer, pl PageLimits) (Query, error) {
	q := Query{zoom: -1}
	var err error
	if q.CRS, err = httpx.QueryCRS(c, "crs"); err != nil {
		return q, err
	}
	bboxCRS, err := httpx.QueryCRS(c, "bbox-crs")
	if err != nil {
		return q, err
	}
	if q.Filter.BBox, q.Filter.HasBBox, err = httpx.QueryBBoxIn(c, bboxCRS); err != nil {
		return q, err
	}
	if q.Filter.Departement, err = s.env.QueryDepartement(c); err != nil {
		return q, err
	}
	if q.Limit, err = queryLimit(c, pl); err != nil {
		return q, err
	}
	if q.Offset, err = httpx.QueryInt(c, "offset", 0, 0, 1<<30); err != nil {
		return q, err
	}
	q.Filter.Offset, q.Filter.Limit = q.Offset, q.Limit
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
func queryLimit(c *gin.Context, pl PageLimits) (int, error) {
	s, ok := c.GetQuery("limit")
	if !ok || s == "" {
		return pl.Def, nil
	}
	v, err := strconv.Atoi(s)
	switch {
	case err != nil:
		return 0, httpx.BadParam("limit", "%q is not an integer", s)
	case v < 1:
		return 0, httpx.BadParam("limit", "%d is below 1", v)
	case v > pl.Max && pl.Clamp:
		return pl.Max, nil
	case v > pl.Max:
		return 0, httpx.BadParam("limit", "%d is above %d: page with offset=", v, pl.Max)
	}
	return v, nil
}

// PageLinks returns the self link of the request and, when more features
// follow, the next link (same query, offset moved on).
func (s *Handlers) PageLinks(c *gin.Context, mediaType string, q Query, returned, matched int) []httpx.Link {
	base := s.env.BaseURL(c) + c.Request.URL.Path
	self := base
	if raw := c.Request.URL.RawQuery; raw != "" {
		self += "?" + raw
	}
	links := []httpx.Link{{Href: self, Rel: "self", Type: mediaType, Title: "this document"}}
	if q.Offset+returned < matched {
		v := url.Values{}
		for k, vs := range c.Request.URL.Query() {
			v[k] = vs
		}
		v.Set("offset", strconv.Itoa(q.Offset+returned))
		v.Set("limit", strconv.Itoa(q.Limit))
		links = append(links, httpx.Link{Href: base + "?" + v.Encode(), Rel: "next", Type: mediaType, Title: "next page"})
	}
	return links
}

// layerLightFeatures is the largest layer page that is not bounded: the
// default page of /v1/layers.
const layerLightFeatures = DefaultLimit

// BoundPage waits for room to render and send a layer page of n
// features when it is large (more than layerLightFeatures); small pages,
// what maps ask for, pass at once. The caller defers the release.
func (s *Handlers) BoundPage(c *gin.Context, n int) (release func(), err error) {
	if n <= layerLightFeatures {
		return func() {}, nil
	}
	return s.env.Acquire(c.Request.Context(), access.WorkLayer, int64(n))
}
