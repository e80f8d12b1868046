package api

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo/crs"
	"github.com/maillage/maillage/geo/topo"
	"github.com/maillage/maillage/internal/maplayers"
	"github.com/maillage/maillage/internal/mvt"
)

// link is an OGC API / RFC 8288 link.
type link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// featureWriter writes the features of one layer as RFC 7946 GeoJSON:
// no crs member, coordinates rounded to at most 6 decimals (fewer at low
// zoom), exterior rings counter-clockwise and holes clockwise, rings
// simplified without ever becoming invalid (topo.Simplifier), string ids.
// It appends to byte slices by hand: answers are large and
// encoding/json would cost more than the rest of the request.
type featureWriter struct {
	l    *maplayers.Layer
	src  maplayers.Source
	sel  []int           // positions of the properties written (nil: all)
	zoom int             // simplify for this zoom (cached), -1 for none
	simp topo.Simplifier // used when zoom < 0
	vals []mvt.Value     // scratch
	crs  crs.CRS         // coordinates written in this system (CRS84 unless crs= asked for another)
}

// maxDecimals is the precision of written coordinates (about 0.1 m); the
// simplifiers round polygons more coarsely at low zoom.
const maxDecimals = 6

// newFeatureWriter prepares the writing of q's features of l.
func newFeatureWriter(l *maplayers.Layer, src maplayers.Source, q layerQuery) *featureWriter {
	w := &featureWriter{l: l, src: src, sel: q.props, zoom: q.zoom, crs: q.crs}
	switch {
	case q.zoom >= 0:
	case q.tolerance > 0:
		w.simp = maplayers.ToleranceSimplifier(q.tolerance)
	default:
		w.simp = topo.Simplifier{Decimals: maxDecimals}
	}
	return w
}

// geometry returns feature i's geometry as written.
func (w *featureWriter) geometry(i int) orb.Geometry {
	return w.crs.Geometry(w.lonLat(i))
}

// lonLat returns feature i's geometry in lon/lat, simplified as asked.
func (w *featureWriter) lonLat(i int) orb.Geometry {
	if w.zoom >= 0 {
		return w.l.Cache.AtZoom(w.src, i, w.zoom)
	}
	g := w.src.Geometry(i)
	if mp, ok := g.(orb.MultiPolygon); ok {
		return maplayers.PolygonsOrNil(w.simp.MultiPolygon(mp))
	}
	return g
}

// appendFeature appends feature i as a GeoJSON Feature, with links when
// given.
func (w *featureWriter) appendFeature(b []byte, i int, links []link) []byte {
	b = append(b, `{"type":"Feature","id":`...)
	b = appendString(b, w.src.ID(i))
	b = append(b, `,"geometry":`...)
	b = appendGeometry(b, w.geometry(i), w.crs.Decimals())
	b = append(b, `,"properties":{`...)
	w.vals = w.src.Props(i, w.vals[:0])
	first := true
	emit := func(k int) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, w.l.Props[k].Name)
		b = append(b, ':')
		b = appendValue(b, w.vals[k])
	}
	if w.sel == nil {
		for k := range w.vals {
			emit(k)
		}
	} else {
		for _, k := range w.sel {
			emit(k)
		}
	}
	b = append(b, '}')
	if links != nil {
		b = append(b, `,"links":`...)
		b = appendLinks(b, links)
	}
	return append(b, '}')
}

// appendCollection appends a FeatureCollection of the features ids (in
// that order), announcing matched features in all and the links.
func (w *featureWriter) appendCollection(b []byte, ids []int, matched int, links []link) []byte {
	b = append(b, `{"type":"FeatureCollection","numberMatched":`...)
	b = strconv.AppendInt(b, int64(matched), 10)
	b = append(b, `,"numberReturned":`...)
	b = strconv.AppendInt(b, int64(len(ids)), 10)
	b = append(b, `,"links":`...)
	b = appendLinks(b, links)
	b = append(b, `,"features":[`...)
	for k, i := range ids {
		if k > 0 {
			b = append(b, ',')
		}
		b = w.appendFeature(b, i, nil)
	}
	return append(b, "]}"...)
}

// appendLinks appends a JSON array of links.
func appendLinks(b []byte, links []link) []byte {
	b = append(b, '[')
	for k, l := range links {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"href":`...)
		b = appendString(b, l.Href)
		b = append(b, `,"rel":`...)
		b = appendString(b, l.Rel)
		if l.Type != "" {
			b = append(b, `,"type":`...)
			b = appendString(b, l.Type)
		}
		if l.Title != "" {
			b = append(b, `,"title":`...)
			b = appendString(b, l.Title)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendGeometry appends a Point, Polygon or MultiPolygon (null for
// anything else, including nil). Rings are written as they are: the
// simplifier (or geoJSONShape) has rounded, closed and oriented them.
func appendGeometry(b []byte, g orb.Geometry, dec int) []byte {
	switch g := g.(type) {
	case orb.Point:
		b = append(b, `{"type":"Point","coordinates":`...)
		b = appendPosition(b, g, dec)
		return append(b, '}')
	case orb.Polygon:
		if len(g) == 0 {
			break
		}
		b = append(b, `{"type":"Polygon","coordinates":`...)
		b = appendRings(b, g, dec)
		return append(b, '}')
	case orb.MultiPolygon:
		if len(g) == 0 {
			break
		}
		b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
		for pi, p := range g {
			if pi > 0 {
				b = append(b, ',')
			}
			b = appendRings(b, p, dec)
		}
		return append(b, "]}"...)
	}
	return append(b, "null"...)
}

// appendRings appends the rings of a polygon as a JSON array.
func appendRings(b []byte, p orb.Polygon, dec int) []byte {
	b = append(b, '[')
	for ri, r := range p {
		if ri > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for k, pt := range r {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendPosition(b, pt, dec)
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

// appendPosition appends [lon,lat] rounded to dec decimals.
func appendPosition(b []byte, p orb.Point, dec int) []byte {
	b = append(b, '[')
	b = appendCoord(b, p[0], dec)
	b = append(b, ',')
	b = appendCoord(b, p[1], dec)
	return append(b, ']')
}

// appendCoord appends v rounded to dec decimals, in the shortest form.
func appendCoord(b []byte, v float64, dec int) []byte {
	f := pow10[dec]
	return strconv.AppendFloat(b, math.Round(v*f)/f, 'f', -1, 64)
}

// pow10 holds 10^0 … 10^7.
var pow10 = [...]float64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7}

// appendValue appends a property value.
func appendValue(b []byte, v mvt.Value) []byte {
	switch v.Kind {
	case mvt.String:
		return appendString(b, v.S)
	case mvt.Number:
		if v.IsInt {
			return strconv.AppendFloat(b, v.F, 'f', -1, 64)
		}
		if out, err := appendReal(b, v.F, 64); err == nil {
			return out
		}
		return append(b, "null"...) // mvt.Num keeps NaN and infinities out
	case mvt.Bool:
		return strconv.AppendBool(b, v.F != 0)
	case mvt.Strings:
		b = append(b, '[')
		for k, s := range v.List {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		return append(b, ']')
	}
	return append(b, "null"...)
}

// appendString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced by U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
