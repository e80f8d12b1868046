package api_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
)

// communeCodeRE is an INSEE commune code (2A and 2B for Corsica).
var communeCodeRE = regexp.MustCompile(`^[0-9][0-9AB][0-9]{3}$`)

// areaCodeRE is a département (2A, 2B, 971) or région (2 digits) INSEE
// code, or an EPCI's SIREN (9 digits).
var areaCodeRE = regexp.MustCompile(`^([0-9][0-9AB][0-9]?|[0-9]{9})$`)

// areaLevels are the "level" values of administrative areas' objects.
var areaLevels = map[string]bool{"departement": true, "region": true, "epci": true, "national": true}

// isArea says whether a JSON object is an administrative area: with
// communes true a commune (a "code" that is a commune's INSEE code), else a
// département, région or EPCI (a "level" among areaLevels, or a "code" of
// one of theirs).
func isArea(x map[string]any, communes bool) bool {
	code, _ := x["code"].(string)
	if communes {
		return communeCodeRE.MatchString(code)
	}
	level, _ := x["level"].(string)
	return areaLevels[level] || areaCodeRE.MatchString(code)
}

// communesNamed walks a decoded JSON answer and lists the JSON paths of the
// commune objects that carry key ("name" where every answer says "nom").
func communesNamed(v any, key, path string, out *[]string) {
	areasNamed(v, key, path, true, out)
}

// areasNamed walks a decoded JSON answer and lists the JSON paths of the
// area objects (isArea) that carry key.
func areasNamed(v any, key, path string, communes bool, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		if isArea(x, communes) {
			if _, named := x[key]; named {
				*out = append(*out, fmt.Sprintf("%s (code %v)", path, x["code"]))
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			areasNamed(x[k], key, path+"."+k, communes, out)
		}
	case []any:
		for i, e := range x {
			areasNamed(e, key, path+"["+strconv.Itoa(i)+"]", communes, out)
		}
	}
}

// testedGetURLs lists the literal "/v1/..." and "/ogc/..." URLs that the
// tests of api and of its route families (api/*/) request, as written in
// their sources (no format verbs).
func testedGetURLs(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	families, err := filepath.Glob("*/*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, families...)
	set := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && (strings.HasPrefix(s, "/v1/") || strings.HasPrefix(s, "/ogc/")) &&
				!strings.ContainsAny(s, "%{: ") {
				set[s] = true
			}
			return true
		})
	}
	urls := make([]string, 0, len(set))
	for u := range set {
		urls = append(urls, u)
	}
	slices.Sort(urls)
	return urls
}

// TestCommunesNamedNom walks the JSON and GeoJSON answers of every GET
// route the api tests request (their literal URLs) and of the routes that
// list communes gaining (proposals, recommendations, scenarios) or
// départements, régions and EPCI (coverage, figures, articulation,
// comparisons, allocations): a commune, département, région or EPCI object
// is named "nom", never "name" (issue 15, "the same property names
// everywhere").
func TestCommunesNamedNom(t *testing.T) {
	if testing.Short() {
		t.Skip("walks every tested route: skipped in -short mode")
	}
	s := api.New(apitest.Real(t).Registry(), api.Config{InsecureOpen: true, DataDir: apitest.TestData})
	type call struct {
		method, url, contentType, body string
		gains                          bool // the answer lists communes gaining
		named                          bool // the answer lists communes, named "nom"
		areas                          bool // the answer lists départements, régions or EPCI, named "nom"
	}
	var calls []call
	for _, u := range testedGetURLs(t) {
		calls = append(calls, call{http.MethodGet, u, "", "", false, false, false})
	}
	// Communes gaining: Creuse at 15 minutes has gaps; a site in the largest
	// (the browser test's), and one by its commune (Bourganeuf).
	const sites = "id,name,lon,lat,commune\ngap,Zone blanche,2.0025,46.2129,\ncreuse,Bourganeuf,,,23030\n"
	for _, u := range []string{"/v1/proposals/evaluate", "/v1/proposals/evaluate?format=geojson",
		"/v1/scenarios/compare", "/v1/recommendations?k=2&format=json", "/v1/recommendations?k=2"} {
		calls = append(calls, call{http.MethodPost, u + sep(u) + "departement=23&max_minutes=15", "text/csv", sites, true, false, false})
	}
	for _, u := range []string{"/v1/recommendations?departement=23&k=3&max_minutes=15&format=json", "/v1/recommendations?departement=23&k=3&max_minutes=15"} {
		calls = append(calls, call{http.MethodGet, u, "", "", true, false, false})
	}
	// The answers that named their communes "name" until issue 15: each
	// must list communes, named "nom", whatever the other tests request.
	for _, u := range []string{"/v1/coverage?departement=23&max_minutes=15", "/v1/coverage/rural-mairies?departement=23&max_minutes=15",
		"/v1/coverage/compare?departement=23&max_minutes=20", "/v1/coverage/compare?departement=23&max_minutes=20&format=geojson&limit=5",
		"/v1/access?by=commune&departement=23", "/v1/access?by=commune&departement=23&format=geojson"} {
		calls = append(calls, call{http.MethodGet, u, "", "", false, true, false})
	}
	// Answers listing départements, régions or EPCI (or the nation): each
	// must name them "nom" too.
	for _, u := range []string{"/v1/coverage?max_minutes=20", "/v1/coverage/departements?region=75&max_minutes=20",
		"/v1/coverage/figures?region=75&max_minutes=20", "/v1/articulation?departement=23",
		"/v1/coverage/compare?departement=23&max_minutes=20"} {
		calls = append(calls, call{http.MethodGet, u, "", "", false, false, true})
	}
	for _, u := range []string{"/v1/scenarios/compare?departement=23&max_minutes=15"} {
		calls = append(calls, call{http.MethodPost, u, "text/csv", sites, false, false, true})
	}
	calls = append(calls, call{http.MethodPost, "/v1/allocations", "application/json",
		`{"posts": 100, "objective": "coverage", "hosts": ["communes"]}`, false, false, true})
	walked, gains := 0, 0
	for _, c := range calls {
		req := httptest.NewRequest(c.method, c.url, strings.NewReader(c.body))
		if c.contentType != "" {
			req.Header.Set("Content-Type", c.contentType)
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		ct := rec.Header().Get("Content-Type")
		if c.gains && (rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"communes":[{`)) {
			t.Errorf("%s %s: %d, want communes gaining: %.300s", c.method, c.url, rec.Code, rec.Body.String())
		}
		if (c.named || c.areas) && (rec.Code != http.StatusOK || !strings.Contains(ct, "json")) {
			t.Errorf("%s %s: %d %s, want a JSON answer: %.300s", c.method, c.url, rec.Code, ct, rec.Body.String())
		}
		if rec.Code != http.StatusOK || !strings.Contains(ct, "json") {
			continue
		}
		walked++
		doc := apitest.DecodeNumbers(t, c.method+" "+c.url, rec.Body.Bytes())
		var bad, good []string
		communesNamed(doc, "name", "$", &bad)
		if communesNamed(doc, "nom", "$", &good); c.named && len(good) == 0 {
			t.Errorf("%s %s: no commune named \"nom\" in the answer: %.300s", c.method, c.url, rec.Body.String())
		}
		if len(bad) > 0 {
			t.Errorf("%s %s: %d commune objects named \"name\", want \"nom\": %s", c.method, c.url, len(bad),
				strings.Join(bad[:min(3, len(bad))], ", "))
		}
		var badAreas, goodAreas []string
		areasNamed(doc, "name", "$", false, &badAreas)
		if areasNamed(doc, "nom", "$", false, &goodAreas); c.areas && len(goodAreas) == 0 {
			t.Errorf("%s %s: no département, région or EPCI named \"nom\" in the answer: %.300s", c.method, c.url, rec.Body.String())
		}
		if len(badAreas) > 0 {
			t.Errorf("%s %s: %d département, région or EPCI objects named \"name\", want \"nom\": %s", c.method, c.url, len(badAreas),
				strings.Join(badAreas[:min(3, len(badAreas))], ", "))
		}
		if c.gains {
			gains++
		}
	}
	t.Logf("%d JSON answers walked of %d requests, %d listing communes gaining", walked, len(calls), gains)
}

// sep is the separator before one more query parameter of url.
func sep(url string) string {
	if strings.Contains(url, "?") {
		return "&"
	}
	return "?"
}
