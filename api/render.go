package api

import (
	"encoding/json"
	"maps"
	"math"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/maillage/maillage/geo/topo"
	"github.com/maillage/maillage/internal/maplayers"
)

// geoJSONType is the media type of RFC 7946 documents.
const geoJSONType = "application/geo+json"

// writeGeoJSON writes a GeoJSON Feature or FeatureCollection.
func writeGeoJSON(c *gin.Context, v any) {
	b, err := marshalJSON(v)
	if err != nil {
		writeError(c, err)
		return
	}
	c.Data(http.StatusOK, geoJSONType, b)
}

// geoFeature is an RFC 7946 Feature whose properties are a view struct.
// It replaces orb's geojson.FeatureOf in answers: orb marshals typed
// properties with encoding/json, which writes a float 1.0 as 1 (see
// appendReal), and writes geometries as they are. Here the geometry is
// written with at most maxDecimals decimals (Point, Polygon or
// MultiPolygon; give polygons through geoJSONShape so that their rings are
// oriented as RFC 7946 wants).
type geoFeature[P any] struct {
	ID         string
	Type       string // "Feature" (the only value written)
	BBox       geojson.BBox
	Geometry   orb.Geometry
	Properties P
}

// MarshalJSON writes the feature.
func (f geoFeature[P]) MarshalJSON() ([]byte, error) {
	b := append(make([]byte, 0, 512), `{"type":"Feature"`...)
	if f.ID != "" {
		b = append(b, `,"id":`...)
		b = appendString(b, f.ID)
	}
	if len(f.BBox) > 0 {
		bb, err := marshalJSON([]float64(f.BBox))
		if err != nil {
			return nil, err
		}
		b = append(append(b, `,"bbox":`...), bb...)
	}
	b = append(b, `,"geometry":`...)
	b = appendGeometry(b, f.Geometry, maxDecimals)
	props, err := marshalJSON(f.Properties)
	if err != nil {
		return nil, err
	}
	b = append(append(b, `,"properties":`...), props...)
	return append(b, '}'), nil
}

// geoCollection is an RFC 7946 FeatureCollection of geoFeatures; the
// ExtraMembers are written at its top level (foreign members), in key
// order, before the features.
type geoCollection[P any] struct {
	Type         string // "FeatureCollection" (the only value written)
	Features     []*geoFeature[P]
	ExtraMembers geojson.Properties
}

// MarshalJSON writes the collection.
func (fc geoCollection[P]) MarshalJSON() ([]byte, error) {
	b := append(make([]byte, 0, 4096), `{"type":"FeatureCollection"`...)
	for _, k := range slices.Sorted(maps.Keys(fc.ExtraMembers)) {
		if k == "type" || k == "features" {
			continue
		}
		v, err := marshalJSON(fc.ExtraMembers[k])
		if err != nil {
			return nil, err
		}
		b = append(appendString(append(b, ','), k), ':')
		b = append(b, v...)
	}
	b = append(b, `,"features":[`...)
	for i, f := range fc.Features {
		if i > 0 {
			b = append(b, ',')
		}
		fb, err := f.MarshalJSON()
		if err != nil {
			return nil, err
		}
		b = append(b, fb...)
	}
	return append(b, "]}"...), nil
}

// geoJSONShape returns mp as GeoJSON answers write polygons: coordinates
// rounded to maxDecimals, exterior rings counter-clockwise and holes
// clockwise (RFC 7946 §3.1.6), rings closed, collapsed rings dropped; nil
// when nothing is left. The input is not modified.
func geoJSONShape(mp orb.MultiPolygon) orb.Geometry {
	return maplayers.PolygonsOrNil(topo.Simplifier{Decimals: maxDecimals}.MultiPolygon(mp))
}

// toProperties turns a view struct into GeoJSON properties through its JSON
// tags, so JSON and GeoJSON answers carry the same field names. Values stay
// as encoded (raw JSON), so an integer stays an integer and a float keeps
// its decimal point.
func toProperties(v any) geojson.Properties {
	b, err := marshalJSON(v)
	if err != nil {
		return geojson.Properties{}
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return geojson.Properties{}
	}
	p := make(geojson.Properties, len(raw))
	for k, x := range raw {
		p[k] = x
	}
	return p
}

// round rounds v to the given number of decimals.
func round(v float64, decimals int) float64 {
	f := math.Pow(10, float64(decimals))
	return math.Round(v*f) / f
}
