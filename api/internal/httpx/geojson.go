package httpx

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/maillage/maillage/internal/mvt"
	"github.com/paulmach/orb"
)

// Link is an OGC API / RFC 8288 link.
type Link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// MaxDecimals is the precision of written coordinates (about 0.1 m); the
// simplifiers round polygons more coarsely at low zoom.
const MaxDecimals = 6

// AppendLinks appends a JSON array of links.
func AppendLinks(b []byte, links []Link) []byte {
	b = append(b, '[')
	for k, l := range links {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"href":`...)
		b = AppendString(b, l.Href)
		b = append(b, `,"rel":`...)
		b = AppendString(b, l.Rel)
		if l.Type != "" {
			b = append(b, `,"type":`...)
			b = AppendString(b, l.Type)
		}
		if l.Title != "" {
			b = append(b, `,"title":`...)
			b = AppendString(b, l.Title)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// AppendGeometry appends a Point, Polygon or MultiPolygon (null for
// anything else, including nil). Rings are written as they are: the
// simplifier (or GeoJSONShape) has rounded, closed and oriented them.
func AppendGeometry(b []byte, g orb.Geometry, dec int) []byte {
	switch g := g.(type) {
	case orb.Point:
		b = append(b, `{"type":"Point","coordinates":`...)
		b = AppendPosition(b, g, dec)
		return append(b, '}')
	case orb.Polygon:
		if len(g) == 0 {
			break
		}
		b = append(b, `{"type":"Polygon","coordinates":`...)
		b = AppendRings(b, g, dec)
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
			b = AppendRings(b, p, dec)
		}
		return append(b, "]}"...)
	}
	return append(b, "null"...)
}

// AppendRings appends the rings of a polygon as a JSON array.
func AppendRings(b []byte, p orb.Polygon, dec int) []byte {
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
			b = AppendPosition(b, pt, dec)
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

// AppendPosition appends [lon,lat] rounded to dec decimals.
func AppendPosition(b []byte, p orb.Point, dec int) []byte {
	b = append(b, '[')
	b = AppendCoord(b, p[0], dec)
	b = append(b, ',')
	b = AppendCoord(b, p[1], dec)
	return append(b, ']')
}

// AppendCoord appends v rounded to dec decimals, in the shortest form.
func AppendCoord(b []byte, v float64, dec int) []byte {
	f := pow10[dec]
	return strconv.AppendFloat(b, math.Round(v*f)/f, 'f', -1, 64)
}

// pow10 holds 10^0 … 10^7.
var pow10 = [...]float64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7}

// AppendValue appends a property value.
func AppendValue(b []byte, v mvt.Value) []byte {
	switch v.Kind {
	case mvt.String:
		return AppendString(b, v.S)
	case mvt.Number:
		if v.IsInt {
			return strconv.AppendFloat(b, v.F, 'f', -1, 64)
		}
		if out, err := AppendReal(b, v.F, 64); err == nil {
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
			b = AppendString(b, s)
		}
		return append(b, ']')
	}
	return append(b, "null"...)
}

// AppendString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced by U+FFFD.
func AppendString(b []byte, s string) []byte {
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
