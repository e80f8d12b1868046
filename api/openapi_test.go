package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/api/ogc"
)

// routeDocGaps compares the router with the documentation: the routes
// without an api.APIOp and the api.APIOps without a route, as "METHOD /path".
func routeDocGaps(routes gin.RoutesInfo, ops []api.APIOp) (undocumented, unrouted []string) {
	documented := map[string]bool{}
	for _, op := range ops {
		documented[op.Method+" "+op.Path] = true
	}
	routed := map[string]bool{}
	for _, r := range routes {
		k := r.Method + " " + api.GinToOpenAPI(r.Path)
		routed[k] = true
		if !documented[k] {
			undocumented = append(undocumented, k)
		}
	}
	for k := range documented {
		if !routed[k] {
			unrouted = append(unrouted, k)
		}
	}
	slices.Sort(undocumented)
	slices.Sort(unrouted)
	return undocumented, unrouted
}

// TestOpenAPIMatchesRoutes walks the router: every route must be in
// api.APIOps (openapi_paths.go), and every api.APIOp must be a route.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	s := apitest.MapServer(t)
	undocumented, unrouted := routeDocGaps(s.Router().Routes(), api.APIOps)
	if len(undocumented) > 0 {
		t.Errorf("routes missing from the OpenAPI document (add them to apiOps in api/openapi_paths.go): %v", undocumented)
	}
	if len(unrouted) > 0 {
		t.Errorf("documented operations without a route: %v", unrouted)
	}
}

// TestOpenAPICheckFails makes sure the check above can fail.
func TestOpenAPICheckFails(t *testing.T) {
	s := apitest.MapServer(t)
	extra := api.New(s.Registry(), api.Config{})
	extra.Router().GET("/v1/undocumented/:thing", func(c *gin.Context) {})
	undocumented, _ := routeDocGaps(extra.Router().Routes(), api.APIOps)
	if !slices.Contains(undocumented, "GET /v1/undocumented/{thing}") {
		t.Fatalf("an undocumented route went unnoticed: %v", undocumented)
	}
	_, unrouted := routeDocGaps(s.Router().Routes(), append(slices.Clone(api.APIOps), api.APIOp{Method: "GET", Path: "/v1/ghost"}))
	if !slices.Contains(unrouted, "GET /v1/ghost") {
		t.Fatalf("a documented route without handler went unnoticed: %v", unrouted)
	}
}

// TestOpenAPIDocument checks the served document: OpenAPI 3.0, every
// operation with a unique id and responses, every $ref resolved, and the
// OGC items limit QGIS reads.
func TestOpenAPIDocument(t *testing.T) {
	s := apitest.MapServer(t)
	rec := apitest.MapGet(t, s, "/openapi.json")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/vnd.oai.openapi+json") {
		t.Fatalf("status %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["openapi"] != "3.0.3" {
		t.Fatalf("openapi %v", doc["openapi"])
	}
	servers := doc["servers"].([]any)
	if servers[0].(map[string]any)["url"] != "http://example.com" {
		t.Errorf("servers %v", servers)
	}
	components := doc["components"].(map[string]any)
	bearer := components["securitySchemes"].(map[string]any)[api.BearerScheme].(map[string]any)
	if bearer["type"] != "http" || bearer["scheme"] != "bearer" {
		t.Errorf("security scheme %v", bearer)
	}
	for key, r := range components["responses"].(map[string]any) {
		schema := r.(map[string]any)["content"].(map[string]any)[httpx.JSONType].(map[string]any)["schema"]
		if schema.(map[string]any)["$ref"] != "#/components/schemas/Error" {
			t.Errorf("error answer %s: schema %v", key, schema)
		}
	}
	var refs []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "$ref" {
					refs = append(refs, x.(string))
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	for _, r := range refs {
		parts := strings.Split(strings.TrimPrefix(r, "#/components/"), "/")
		if len(parts) != 2 || components[parts[0]].(map[string]any)[parts[1]] == nil {
			t.Errorf("unresolved $ref %s", r)
		}
	}
	ids := map[string]bool{}
	paths := doc["paths"].(map[string]any)
	for path, item := range paths {
		for method, op := range item.(map[string]any) {
			o := op.(map[string]any)
			id, _ := o["operationId"].(string)
			if id == "" || ids[id] {
				t.Errorf("%s %s: operationId %q missing or repeated", method, path, id)
			}
			ids[id] = true
			responses := o["responses"].(map[string]any)
			if responses["500"] == nil || responses["429"] == nil {
				t.Errorf("%s %s: no 500 or 429 answer: %v", method, path, responses)
			}
			// Every error answer is the shared Error shape.
			for status, r := range responses {
				if status[0] != '2' && status[0] != '3' && !strings.HasPrefix(r.(map[string]any)["$ref"].(string), "#/components/responses/") {
					t.Errorf("%s %s: answer %s is not a shared error answer: %v", method, path, status, r)
				}
			}
			// The routes needing a token say so, and answer 401 and 403.
			security, _ := o["security"].([]any)
			if protected := api.IsProtected(path); protected != (len(security) == 1) ||
				protected && (responses["401"] == nil || responses["403"] == nil) {
				t.Errorf("%s %s: protected %v, security %v, responses %v", method, path, protected, security, responses)
			}
			if o["requestBody"] != nil && responses["413"] == nil {
				t.Errorf("%s %s: a body but no 413", method, path)
			}
			// Every path parameter is declared.
			for _, m := range api.OpenAPIParam.FindAllStringSubmatch(path, -1) {
				found := false
				for _, p := range o["parameters"].([]any) {
					found = found || p.(map[string]any)["name"] == m[1]
				}
				if !found {
					t.Errorf("%s %s: path parameter %s undeclared", method, path, m[1])
				}
			}
		}
	}
	limit := components["parameters"].(map[string]any)["ogcLimit"].(map[string]any)["schema"].(map[string]any)
	if limit["maximum"] != float64(ogc.MaxLimit) || limit["default"] != float64(ogc.DefaultLimit) {
		t.Errorf("OGC limit schema %v", limit)
	}
	if paths["/ogc/collections/{id}/items"] == nil || paths["/v1/layers/{name}"] == nil {
		t.Errorf("layer paths missing")
	}
}
