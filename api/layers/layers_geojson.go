package layers

import (
	"strconv"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/geo/crs"
	"github.com/maillage/maillage/geo/topo"
	"github.com/maillage/maillage/internal/maplayers"
	"github.com/maillage/maillage/internal/mvt"
)

// FeatureWriter writes the features of one layer as RFC 7946 GeoJSON:
// no crs member, coordinates rounded to at most 6 decimals (fewer at low
// zoom), exterior rings counter-clockwise and holes clockwise, rings
// simplified without ever becoming invalid (topo.Simplifier), string ids.
// It appends to byte slices by hand: answers are large and
// encoding/json would cost more than the rest of the request.
type FeatureWriter struct {
	l    *maplayers.Layer
	src  maplayers.Source
	sel  []int           // positions of the properties written (nil: all)
	zoom int             // simplify for this zoom (cached), -1 for none
	simp topo.Simplifier // used when zoom < 0
	vals []mvt.Value     // scratch
	crs  crs.CRS         // coordinates written in this system (CRS84 unless crs= asked for another)
}

// NewFeatureWriter prepares the writing of q's features of l.
func NewFeatureWriter(l *maplayers.Layer, src maplayers.Source, q Query) *FeatureWriter {
	w := &FeatureWriter{l: l, src: src, sel: q.props, zoom: q.zoom, crs: q.CRS}
	switch {
	case q.zoom >= 0:
	case q.tolerance > 0:
		w.simp = maplayers.ToleranceSimplifier(q.tolerance)
	default:
		w.simp = topo.Simplifier{Decimals: httpx.MaxDecimals}
	}
	return w
}

// geometry returns feature i's geometry as written.
func (w *FeatureWriter) geometry(i int) orb.Geometry {
	return w.crs.Geometry(w.lonLat(i))
}

// lonLat returns feature i's geometry in lon/lat, simplified as asked.
func (w *FeatureWriter) lonLat(i int) orb.Geometry {
	if w.zoom >= 0 {
		return w.l.Cache.AtZoom(w.src, i, w.zoom)
	}
	g := w.src.Geometry(i)
	if mp, ok := g.(orb.MultiPolygon); ok {
		return maplayers.PolygonsOrNil(w.simp.MultiPolygon(mp))
	}
	return g
}

// AppendFeature appends feature i as a GeoJSON Feature, with links when
// given.
func (w *FeatureWriter) AppendFeature(b []byte, i int, links []httpx.Link) []byte {
	b = append(b, `{"type":"Feature","id":`...)
	b = httpx.AppendString(b, w.src.ID(i))
	b = append(b, `,"geometry":`...)
	b = httpx.AppendGeometry(b, w.geometry(i), w.crs.Decimals())
	b = append(b, `,"properties":{`...)
	w.vals = w.src.Props(i, w.vals[:0])
	first := true
	emit := func(k int) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = httpx.AppendString(b, w.l.Props[k].Name)
		b = append(b, ':')
		b = httpx.AppendValue(b, w.vals[k])
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
		b = httpx.AppendLinks(b, links)
	}
	return append(b, '}')
}

// AppendCollection appends a FeatureCollection of the features ids (in
// that order), announcing matched features in all and the links.
func (w *FeatureWriter) AppendCollection(b []byte, ids []int, matched int, links []httpx.Link) []byte {
	b = append(b, `{"type":"FeatureCollection","numberMatched":`...)
	b = strconv.AppendInt(b, int64(matched), 10)
	b = append(b, `,"numberReturned":`...)
	b = strconv.AppendInt(b, int64(len(ids)), 10)
	b = append(b, `,"links":`...)
	b = httpx.AppendLinks(b, links)
	b = append(b, `,"features":[`...)
	for k, i := range ids {
		if k > 0 {
			b = append(b, ',')
		}
		b = w.AppendFeature(b, i, nil)
	}
	return append(b, "]}"...)
}
