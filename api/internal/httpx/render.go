package httpx

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
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
)

// Media types of JSON answers and of the OpenAPI document.
const (
	JSONType    = "application/json"
	OpenAPIType = "application/vnd.oai.openapi+json;version=3.0"
)

// GeoJSONType is the media type of RFC 7946 documents.
const GeoJSONType = "application/geo+json"

// WriteGeoJSON writes a GeoJSON Feature or FeatureCollection.
func WriteGeoJSON(c *gin.Context, v any) {
	b, err := MarshalJSON(v)
	if err != nil {
		WriteError(c, err)
		return
	}
	c.Data(http.StatusOK, GeoJSONType, b)
}

// GeoFeature is an RFC 7946 Feature whose properties are a view struct.
// It replaces orb's geojson.FeatureOf in answers: orb marshals typed
// properties with encoding/json, which writes a float 1.0 as 1 (see
// AppendReal), and writes geometries as they are. Here the geometry is
// written with at most MaxDecimals decimals (Point, Polygon or
// MultiPolygon; give polygons through GeoJSONShape so that their rings are
// oriented as RFC 7946 wants).
type GeoFeature[P any] struct {
	ID         string
	Type       string // "Feature" (the only value written)
	BBox       geojson.BBox
	Geometry   orb.Geometry
	Properties P
}

// MarshalJSON writes the feature.
func (f GeoFeature[P]) MarshalJSON() ([]byte, error) {
	b := append(make([]byte, 0, 512), `{"type":"Feature"`...)
	if f.ID != "" {
		b = append(b, `,"id":`...)
		b = AppendString(b, f.ID)
	}
	if len(f.BBox) > 0 {
		bb, err := MarshalJSON([]float64(f.BBox))
		if err != nil {
			return nil, err
		}
		b = append(append(b, `,"bbox":`...), bb...)
	}
	b = append(b, `,"geometry":`...)
	b = AppendGeometry(b, f.Geometry, MaxDecimals)
	props, err := MarshalJSON(f.Properties)
	if err != nil {
		return nil, err
	}
	b = append(append(b, `,"properties":`...), props...)
	return append(b, '}'), nil
}

// GeoCollection is an RFC 7946 FeatureCollection of geoFeatures; the
// ExtraMembers are written at its top level (foreign members), in key
// order, before the features.
type GeoCollection[P any] struct {
	Type         string // "FeatureCollection" (the only value written)
	Features     []*GeoFeature[P]
	ExtraMembers geojson.Properties
}

// MarshalJSON writes the collection.
func (fc GeoCollection[P]) MarshalJSON() ([]byte, error) {
	b := append(make([]byte, 0, 4096), `{"type":"FeatureCollection"`...)
	for _, k := range slices.Sorted(maps.Keys(fc.ExtraMembers)) {
		if k == "type" || k == "features" {
			continue
		}
		v, err := MarshalJSON(fc.ExtraMembers[k])
		if err != nil {
			return nil, err
		}
		b = append(AppendString(append(b, ','), k), ':')
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

// GeoJSONShape returns mp as GeoJSON answers write polygons: coordinates
// rounded to MaxDecimals, exterior rings counter-clockwise and holes
// clockwise (RFC 7946 §3.1.6), rings closed, collapsed rings dropped; nil
// when nothing is left. The input is not modified.
func GeoJSONShape(mp orb.MultiPolygon) orb.Geometry {
	return maplayers.PolygonsOrNil(topo.Simplifier{Decimals: MaxDecimals}.MultiPolygon(mp))
}

// ToProperties turns a view struct into GeoJSON properties through its JSON
// tags, so JSON and GeoJSON answers carry the same field names. Values stay
// as encoded (raw JSON), so an integer stays an integer and a float keeps
// its decimal point.
func ToProperties(v any) geojson.Properties {
	b, err := MarshalJSON(v)
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

// Round rounds v to the given number of decimals.
func Round(v float64, decimals int) float64 {
	f := math.Pow(10, float64(decimals))
	return math.Round(v*f) / f
}

// RoundReach rounds the distance of a reach to 0.1 m, on a copy, as
// answers give it.
func RoundReach(r coverage.Reach) coverage.Reach {
	r.MaxM = Round(r.MaxM, 1)
	return r
}

// TimingsMS sums query timings.
func TimingsMS(ts []matching.Timing) float64 {
	var ms float64
	for _, t := range ts {
		ms += t.DurationMS
	}
	return Round(ms, 3)
}

// RoundRings rounds the coordinates of a freshly built geometry to 1e-7°
// (about 1 cm), in place, to keep answers small.
func RoundRings(mp orb.MultiPolygon) orb.MultiPolygon {
	for _, poly := range mp {
		for _, ring := range poly {
			for i, p := range ring {
				ring[i] = orb.Point{Round(p[0], 7), Round(p[1], 7)}
			}
		}
	}
	return mp
}
