package httpx

import (
	"github.com/maillage/maillage/internal/access"

	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// fuzzContext is a gin context whose request has the raw query q (any
// bytes: url.ParseQuery is tolerant, as gin is on a live request).
func fuzzContext(q string) *gin.Context {
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/", RawQuery: q}, Header: http.Header{}}
	return c
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func FuzzQueryParams(f *testing.F) {
	for _, q := range []string{
		"lon=2.35&lat=48.85", "lon=-180&lat=90", "lon=NaN&lat=1", "lon=1e999&lat=0", "lon=&lat=", "lon=0x1p-2&lat=1_0",
		"bbox=2,45,3,46", "bbox=3,45,2,46", "bbox=-180,-90,180,90", "bbox=1,2,3", "bbox=+Inf,0,1,1", "bbox=%20 1 ,2,3,4",
		"k=5", "k=-1", "k=99999999999999999999", "limit=5000&offset=1073741824",
		"layers=a,,b,%20", "layers=france-services&layers=x", "lon=2&lon=3&lat=4", "%zz=1&lat=2",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		c := fuzzContext(q)
		if p, err := QueryPoint(c); err == nil {
			if !finite(p[0]) || !finite(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
				t.Fatalf("queryPoint(%q) accepted %v", q, p)
			}
		} else if _, ok := err.(*Error); !ok {
			t.Fatalf("queryPoint(%q): error %v is not an *Error", q, err)
		}
		if b, ok, err := QueryBBox(c); err == nil && ok {
			for _, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
				if !finite(v) {
					t.Fatalf("queryBBox(%q) accepted %v", q, b)
				}
			}
			if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] || b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 {
				t.Fatalf("queryBBox(%q) accepted %v", q, b)
			}
		} else if err == nil && ok != (c.Query("bbox") != "") {
			t.Fatalf("queryBBox(%q): ok %v without error", q, ok)
		}
		if k, err := QueryInt(c, "k", 5, 1, 100); err == nil && (k < 1 || k > 100) {
			t.Fatalf("queryInt(%q) accepted k=%d", q, k)
		}
		if v, err := QueryFloat(c, "lon", 0, -10, 10); err == nil && (!finite(v) || v < -10 || v > 10) {
			t.Fatalf("queryFloat(%q) accepted %v", q, v)
		}
		for _, item := range QueryList(c, "layers") {
			if item == "" || item != strings.TrimSpace(item) || strings.Contains(item, ",") {
				t.Fatalf("queryList(%q) item %q", q, item)
			}
		}
	})
}

func FuzzParseScope(f *testing.F) {
	for _, s := range []string{"national", "departement:23,87", "departement:1,2a,974", "departement:", "departement:,,", "region:1", "DEPARTEMENT:2B"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sc, err := access.ParseScope(s)
		if err != nil {
			return
		}
		back, err := access.ParseScope(sc.String())
		if err != nil || !reflect.DeepEqual(back, sc) {
			t.Fatalf("ParseScope(%q) = %v, which reads back as %v, %v", s, sc, back, err)
		}
		if !sc.National && len(sc.Departements) == 0 {
			t.Fatalf("ParseScope(%q) gave an empty département scope", s)
		}
	})
}

func FuzzParseTokens(f *testing.F) {
	line := access.TokenLine(access.Token{Hash: access.HashToken("mlg_x"), Scope: access.Scope{Departements: []string{"23"}}, Name: "prefet 23"})
	f.Add(line + "\n# comment\n\n")
	f.Add("abc national x\n")
	f.Add(line + "\n" + line + "\n")
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := access.ParseTokens(strings.NewReader(s), "fuzz")
		if err != nil {
			return
		}
		names := map[string]bool{}
		for _, tok := range ts {
			if tok.Name == "" || names[tok.Name] {
				t.Fatalf("token with an empty or duplicate name %q", tok.Name)
			}
			names[tok.Name] = true
		}
	})
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"50/s", "3000/m", "1/h", "0", "", "x", "-1/s", "1e400/s", "5/d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, err := access.ParseRate(s); err == nil && (!finite(v) || v < 0) {
			t.Fatalf("ParseRate(%q) = %v", s, v)
		}
	})
}

// TestQueryNumbersDecimalOnly: strconv.ParseFloat took lon=0x1.dep0 (issue
// 13, finding 8); parameters now read decimal numbers only, like uploads.
func TestQueryNumbersDecimalOnly(t *testing.T) {
	for _, q := range []string{"lon=0x1.dep0&lat=46", "lon=2&lat=0x1p5", "lon=1_0&lat=46", "lon=Inf&lat=46", "lon=2&lat=nan"} {
		if p, err := QueryPoint(fuzzContext(q)); err == nil || !strings.Contains(err.Error(), "not a decimal number") {
			t.Errorf("queryPoint(%q) = %v, %v; want a 400 saying it is not a decimal number", q, p, err)
		}
	}
	if _, _, err := QueryBBox(fuzzContext("bbox=0x1p1,45,3,46")); err == nil {
		t.Error("bbox with a hexadecimal float accepted")
	}
	if p, err := QueryPoint(fuzzContext("lon=1.8707&lat=46.1712")); err != nil || p[0] != 1.8707 {
		t.Errorf("decimal point refused: %v, %v", p, err)
	}
}
