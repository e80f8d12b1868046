package httpx

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

func TestAppendReal(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		bits int
		want string
	}{
		{1, 64, "1.0"},
		{0, 64, "0.0"},
		{-2, 64, "-2.0"},
		{0.5, 64, "0.5"},
		{213.0 / 215, 64, "0.9906976744186047"},
		{123456789, 64, "123456789.0"},
		{1e21, 64, "1e+21"},
		{1e-7, 64, "1e-7"},
		{-2.5e-9, 64, "-2.5e-9"},
		{3, 32, "3.0"},
		{0.1, 32, "0.1"},
	} {
		got, err := AppendReal(nil, tc.f, tc.bits)
		if err != nil || string(got) != tc.want {
			t.Errorf("appendReal(%v, %d) = %s, %v; want %s", tc.f, tc.bits, got, err, tc.want)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, err := AppendReal(nil, f, 64); err == nil {
			t.Errorf("appendReal(%v): no error", f)
		}
	}
	// Anything else reads back as the same float and is encoding/json's
	// text, with ".0" added to whole numbers.
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 10000; i++ {
		f := math.Float64frombits(r.Uint64())
		if i%2 == 0 {
			f = math.Round(r.NormFloat64() * math.Pow(10, float64(r.IntN(12))))
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		got, err := AppendReal(nil, f, 64)
		std, _ := json.Marshal(f)
		back, perr := strconv.ParseFloat(string(got), 64)
		if err != nil || perr != nil || back != f || !strings.ContainsAny(string(got), ".e") ||
			strings.TrimSuffix(string(got), ".0") != string(std) {
			t.Fatalf("appendReal(%v) = %s (encoding/json %s)", f, got, std)
		}
	}
}

// TestJSONCodec checks that gin's c.JSON and orb's GeoJSON go through the
// encoder: floats keep a decimal point, integers have none.
func TestJSONCodec(t *testing.T) {
	type view struct {
		Share float64 `json:"covered_share"`
		Pop   int     `json:"population"`
		Skip  float64 `json:"skip,omitempty"`
		Tag   string  `json:"tag"`
	}
	r := gin.New()
	r.GET("/", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"v": view{Share: 1, Pop: 215, Tag: "<b>"}, "f": 2.0})
	})
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if want := `{"f":2.0,"v":{"covered_share":1.0,"population":215,"tag":"\u003cb\u003e"}}`; rec.Body.String() != want {
		t.Errorf("c.JSON: %s, want %s", rec.Body, want)
	}
	// orb's FeatureOf marshals its properties with encoding/json: answers
	// use GeoFeature.
	fc := GeoCollection[view]{Features: []*GeoFeature[view]{{ID: "x", Geometry: orb.Point{2.5, 46.1234567}, Properties: view{Share: 0, Pop: 3}}},
		ExtraMembers: geojson.Properties{"total": 1, "reach": 2.0}}
	b, err := MarshalJSON(fc)
	want := `{"type":"FeatureCollection","reach":2.0,"total":1,"features":[{"type":"Feature","id":"x","geometry":{"type":"Point","coordinates":[2.5,46.123457]},"properties":{"covered_share":0.0,"population":3,"tag":""}}]}`
	if err != nil || string(b) != want {
		t.Errorf("geoCollection: %s, %v\nwant %s", b, err, want)
	}
	p := ToProperties(view{Share: 1, Pop: 2})
	b, err = MarshalJSON(p)
	if err != nil || string(b) != `{"covered_share":1.0,"population":2,"tag":""}` {
		t.Errorf("toProperties: %s, %v", b, err)
	}
}
