package api

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// apiOp documents one route of the service. TestOpenAPIMatchesRoutes
// fails when a registered route has no apiOp or an apiOp no route: add
// yours to apiOps (openapi_paths.go) with the route.
type apiOp struct {
	Method  string // GET, HEAD, POST, PUT, DELETE
	Path    string // OpenAPI form: /v1/communes/{code}
	Tag     string
	Summary string
	Params  []string // keys of apiParams (path parameters are implied by Path)
	Body    string   // request body media type(s), comma-separated; "" for none
	OK      apiResp
}

// apiResp is the success answer of an operation.
type apiResp struct {
	Status int
	Type   string // media type, "" for no body
	Schema string // key of apiSchemas, "" for any
	Note   string
}

// apiParam is a reusable query parameter.
type apiParam struct {
	Name        string
	Description string
	Schema      map[string]any
}

// ginParam finds the parameters of a gin path (":code", "*file").
var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// ginToOpenAPI turns a gin path into an OpenAPI path.
func ginToOpenAPI(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

// openAPIParam finds the {names} of an OpenAPI path.
var openAPIParam = regexp.MustCompile(`\{([A-Za-z0-9_]+)\}`)

// openAPIDoc builds the OpenAPI 3.0 document; serverURL is where the
// service is reached.
func openAPIDoc(serverURL string) map[string]any {
	paths := map[string]map[string]any{}
	for _, op := range apiOps {
		item := paths[op.Path]
		if item == nil {
			item = map[string]any{}
			paths[op.Path] = item
		}
		var params []any
		for _, m := range openAPIParam.FindAllStringSubmatch(op.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true,
				"description": pathParamDocs[m[1]], "schema": map[string]any{"type": "string"}})
		}
		for _, p := range op.Params {
			params = append(params, map[string]any{"$ref": "#/components/parameters/" + p})
		}
		o := map[string]any{
			"operationId": operationID(op),
			"summary":     op.Summary,
			"tags":        []string{op.Tag},
			"responses": map[string]any{
				strconv.Itoa(op.OK.Status): response(op.OK),
				"default": map[string]any{"description": "error: {error, message}",
					"content": map[string]any{jsonType: map[string]any{"schema": ref("Error")}}},
			},
		}
		if params != nil {
			o["parameters"] = params
		}
		if op.Body != "" {
			content := map[string]any{}
			for _, t := range strings.Split(op.Body, ",") {
				content[strings.TrimSpace(t)] = map[string]any{"schema": map[string]any{}}
			}
			o["requestBody"] = map[string]any{"required": true, "content": content}
		}
		item[strings.ToLower(op.Method)] = o
	}
	params := map[string]any{}
	for k, p := range apiParams {
		q := map[string]any{"name": p.Name, "in": "query", "required": false,
			"description": p.Description, "schema": p.Schema}
		if p.Schema["type"] == "array" { // bbox=a,b,c,d
			q["style"], q["explode"] = "form", false
		}
		params[k] = q
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "maillage",
			"version":     "1",
			"description": "Coverage and matching engine for France's digital-inclusion network. Map layers are served as GeoJSON (/v1/layers), OGC API – Features (/ogc) and Mapbox Vector Tiles (/tiles). Every error is {\"error\": code, \"message\": text}.",
			"license":     map[string]any{"name": "data: Licence Ouverte / Etalab"},
		},
		"servers":    []any{map[string]any{"url": serverURL}},
		"paths":      paths,
		"components": map[string]any{"parameters": params, "schemas": apiSchemas},
	}
}

// response documents a success answer.
func response(r apiResp) map[string]any {
	desc := r.Note
	if desc == "" {
		desc = http.StatusText(r.Status)
	}
	out := map[string]any{"description": desc}
	if r.Type != "" {
		schema := map[string]any{}
		if r.Schema != "" {
			schema = ref(r.Schema)
		}
		content := map[string]any{}
		for _, t := range strings.Split(r.Type, ",") {
			content[strings.TrimSpace(t)] = map[string]any{"schema": schema}
		}
		out["content"] = content
	}
	return out
}

func ref(schema string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + schema}
}

// operationID derives a unique id from the method and path.
func operationID(op apiOp) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(op.Method))
	up := true
	for _, r := range op.Path {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			if up && r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	return b.String()
}

// openAPI serves GET /openapi.json.
func (s *Server) openAPI(c *gin.Context) error {
	body, err := marshalJSON(openAPIDoc(s.baseURL(c)))
	if err != nil {
		return err
	}
	s.writeCached(c, "application/vnd.oai.openapi+json;version=3.0", body)
	return nil
}
