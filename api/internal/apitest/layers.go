package apitest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/maillage/maillage/geo/valid"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/httpx"
)

// mapShared is the server of the map-layer tests: the shared engine, with
// the data folder for the boundary layers (built once, so that its
// caches serve every test).
var mapShared struct {
	once sync.Once
	srv  *api.Server
}

// MapServer returns the map-layer test server, skipping without real data.
func MapServer(t testing.TB) *api.Server {
	t.Helper()
	base := Real(t)
	mapShared.once.Do(func() { mapShared.srv = api.New(base.Registry(), api.Config{DataDir: TestData}) })
	return mapShared.srv
}

// MapGet performs a GET with optional headers (name, value pairs).
func MapGet(t testing.TB, s *api.Server, url string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

// GeoPage is a FeatureCollection answer parsed twice: by orb, and as raw
// JSON for the members orb does not keep.
type GeoPage struct {
	FC  *geojson.FeatureCollection
	Raw struct {
		Type           string            `json:"type"`
		NumberMatched  int               `json:"numberMatched"`
		NumberReturned int               `json:"numberReturned"`
		Links          []httpx.Link      `json:"links"`
		CRS            json.RawMessage   `json:"crs"`
		Features       []json.RawMessage `json:"features"`
	}
}

// GetPage GETs a FeatureCollection (status 200 expected).
func GetPage(t testing.TB, s *api.Server, url string) GeoPage {
	t.Helper()
	rec := MapGet(t, s, url)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d: %.300s", url, rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != httpx.GeoJSONType {
		t.Fatalf("GET %s: Content-Type %q", url, ct)
	}
	var p GeoPage
	var err error
	if p.FC, err = geojson.UnmarshalFeatureCollection(rec.Body.Bytes()); err != nil {
		t.Fatalf("GET %s: orb cannot parse the answer: %v", url, err)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &p.Raw); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return p
}

// NextLink returns the href of the next link, "" when none.
func (p GeoPage) NextLink() string {
	for _, l := range p.Raw.Links {
		if l.Rel == "next" {
			return l.Href
		}
	}
	return ""
}

// CheckRFC7946 checks a parsed collection against RFC 7946 and our
// promises: no crs member, string ids, at most httpx.MaxDecimals decimals,
// Point or MultiPolygon geometries whose rings are closed, of at least 4
// positions and wound counter-clockwise (exteriors) or clockwise (holes);
// with wantValid, every polygon must also pass valid.ValidatePolygon (rings that
// neither cross nor touch), except that rings may touch at isolated points
// when the polygon is valid by the OGC rules: the source shapes have such
// touches (the enclave of Pontécoulant is a hole touching the exterior of
// Condé-en-Normandie at one vertex), which no simplification can remove.
func CheckRFC7946(t testing.TB, what string, p GeoPage, maxDecimals int, wantValid bool) {
	t.Helper()
	if p.Raw.Type != "FeatureCollection" || p.Raw.CRS != nil {
		t.Fatalf("%s: type %q, crs %s", what, p.Raw.Type, p.Raw.CRS)
	}
	if p.Raw.NumberReturned != len(p.FC.Features) || len(p.Raw.Features) != len(p.FC.Features) {
		t.Fatalf("%s: numberReturned %d for %d features", what, p.Raw.NumberReturned, len(p.FC.Features))
	}
	for k, raw := range p.Raw.Features {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		if _, ok := m["crs"]; ok {
			t.Fatalf("%s: feature %d has a crs member", what, k)
		}
	}
	f := math.Pow(10, float64(maxDecimals))
	checkCoord := func(id any, v float64) {
		if math.Abs(v*f-math.Round(v*f)) > 1e-6 {
			t.Fatalf("%s: feature %v: coordinate %v has more than %d decimals", what, id, v, maxDecimals)
		}
	}
	for _, ft := range p.FC.Features {
		if _, ok := ft.ID.(string); !ok {
			t.Fatalf("%s: feature id %v is not a string", what, ft.ID)
		}
		switch g := ft.Geometry.(type) {
		case nil:
		case orb.Point:
			checkCoord(ft.ID, g[0])
			checkCoord(ft.ID, g[1])
		case orb.MultiPolygon:
			for _, poly := range g {
				for ri, r := range poly {
					if len(r) < 4 || r[0] != r[len(r)-1] {
						t.Fatalf("%s: feature %v: ring %d open or shorter than 4 positions", what, ft.ID, ri)
					}
					if (r.Orientation() == orb.CCW) != (ri == 0) {
						t.Fatalf("%s: feature %v: ring %d wound the wrong way", what, ft.ID, ri)
					}
					for _, q := range r {
						checkCoord(ft.ID, q[0])
						checkCoord(ft.ID, q[1])
					}
				}
				if wantValid {
					if err := valid.ValidatePolygon(poly); err != nil &&
						!(errors.Is(err, valid.ErrRingsMeet) && valid.ValidateShape(orb.MultiPolygon{poly}) == nil) {
						t.Fatalf("%s: feature %v: %v", what, ft.ID, err)
					}
				}
			}
		default:
			t.Fatalf("%s: feature %v: geometry %T", what, ft.ID, ft.Geometry)
		}
	}
}

// FeatureIDs lists the ids of a page.
func FeatureIDs(p GeoPage) []string {
	out := make([]string, len(p.FC.Features))
	for i, f := range p.FC.Features {
		out[i], _ = f.ID.(string)
	}
	return out
}

// GzipSize is the size of body once gzip-compressed (default level, as
// served).
func GzipSize(b testing.TB, body []byte) int {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(body); err != nil {
		b.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Len()
}
