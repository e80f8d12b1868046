package api

import (
	"encoding/json"
	"math"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb/geojson"
)

// geoJSONType is the media type of RFC 7946 documents.
const geoJSONType = "application/geo+json"

// writeGeoJSON writes a GeoJSON Feature or FeatureCollection.
func writeGeoJSON(c *gin.Context, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(c, err)
		return
	}
	c.Data(http.StatusOK, geoJSONType, b)
}

// toProperties turns a view struct into GeoJSON properties through its JSON
// tags, so JSON and GeoJSON answers carry the same field names.
func toProperties(v any) geojson.Properties {
	b, err := json.Marshal(v)
	if err != nil {
		return geojson.Properties{}
	}
	p := geojson.Properties{}
	if err := json.Unmarshal(b, &p); err != nil {
		return geojson.Properties{}
	}
	return p
}

// round rounds v to the given number of decimals.
func round(v float64, decimals int) float64 {
	f := math.Pow(10, float64(decimals))
	return math.Round(v*f) / f
}
