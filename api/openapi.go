package api

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/maillage/maillage/api/internal/httpx"
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
	Errors  []int // error statuses besides those errorStatuses derives (409, 422)
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
		responses := map[string]any{strconv.Itoa(op.OK.Status): response(op.OK)}
		for _, st := range errorStatuses(op) {
			responses[strconv.Itoa(st)] = map[string]any{"$ref": "#/components/responses/" + errorResponses[st].key}
		}
		o := map[string]any{
			"operationId": operationID(op),
			"summary":     op.Summary,
			"tags":        []string{op.Tag},
			"responses":   responses,
			// Protected routes take a bearer token; the others are public
			// (an empty list says so explicitly).
			"security": []any{},
		}
		if isProtected(op.Path) {
			o["security"] = []any{map[string]any{bearerScheme: []string{}}}
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
			"license": map[string]any{"name": "data: Licence Ouverte / Etalab 2.0",
				"url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"},
		},
		"servers": []any{map[string]any{"url": serverURL}},
		"paths":   paths,
		"components": map[string]any{"parameters": params, "schemas": apiSchemas,
			"responses": errorResponseDocs(), "headers": apiHeaders,
			"securitySchemes": map[string]any{bearerScheme: map[string]any{"type": "http", "scheme": "bearer",
				"description": "A token of the server's tokens file (maillage token new). Its scope (national, régions, départements) " +
					"limits the rows answered; the routes of personal and uploaded data need one."}}},
	}
}

// bearerScheme is the name of the bearer token security scheme.
const bearerScheme = "bearerAuth"

// errorResponses are the shared error answers, by status: each is the
// Error schema ({"error": code, "message": text}) under a key of
// components.responses.
var errorResponses = map[int]struct{ key, desc string }{
	400: {"BadRequest", "A parameter or the body is invalid; the message names it (bad_parameter, bad_body, invalid_rows)."},
	401: {"Unauthorized", "No bearer token, or an unknown one (unauthorized)."},
	403: {"Forbidden", "The token's scope does not cover what was asked (forbidden)."},
	404: {"NotFound", "No such route, layer, feature, commune, département, dataset or result (not_found)."},
	409: {"Conflict", "The dataset is built in and cannot be deleted, or the recruitment move is not allowed from the current status, which the message names (conflict)."},
	413: {"PayloadTooLarge", "The body exceeds the size limit (body_too_large) or the upload the row limit (too_many_rows)."},
	422: {"UnprocessableEntity", "The optimal assignment would be too large: use the greedy method or fewer rows (match_too_large)."},
	429: {"TooManyRequests", "More requests per second than this client may send (rate_limited); Retry-After gives the seconds to wait."},
	500: {"InternalError", "Unexpected failure (internal): the message gives only the request id under which the server logged it."},
	503: {"ServiceUnavailable", "The layer cannot be built now: the département and région boundaries need the data folder (unavailable)."},
}

// errorStatuses lists the error answers an operation can give: 429 and
// 500 for all (rate limit, internal error); 400 when it reads parameters or
// a body; 404 when it looks something up; 401 and 403 on the routes that
// need a token; 413 with a body; 503 for the map layers, which need the
// data folder; and op.Errors.
func errorStatuses(op apiOp) []int {
	out := []int{http.StatusTooManyRequests, http.StatusInternalServerError}
	lookup := openAPIParam.MatchString(op.Path)
	for _, p := range op.Params {
		switch p {
		case "departement", "departementScope", "region", "dataset", "candidates", "structures", "match", "layers", "source":
			lookup = true
		}
	}
	if len(op.Params) > 0 || op.Body != "" || openAPIParam.MatchString(op.Path) {
		out = append(out, http.StatusBadRequest)
	}
	if lookup {
		out = append(out, http.StatusNotFound)
	}
	if isProtected(op.Path) {
		out = append(out, http.StatusUnauthorized, http.StatusForbidden)
	}
	if op.Body != "" {
		out = append(out, http.StatusRequestEntityTooLarge)
	}
	switch op.Tag {
	case tagLayers, tagOGC, tagTiles:
		out = append(out, http.StatusServiceUnavailable)
	}
	out = append(out, op.Errors...)
	slices.Sort(out)
	return slices.Compact(out)
}

// apiHeaders are the response headers the document refers to.
var apiHeaders = map[string]any{
	"X-Request-Id": map[string]any{"description": "Id of the request, in the server's log lines: the client's own " +
		"X-Request-Id when it sent a sane one (1-64 of A-Z a-z 0-9 - _ . :), else a new one.",
		"schema": map[string]any{"type": "string"}},
	"Retry-After": map[string]any{"description": "Seconds to wait before the next request.",
		"schema": map[string]any{"type": "integer"}},
	"WWW-Authenticate": map[string]any{"description": `Bearer realm="maillage"`, "schema": map[string]any{"type": "string"}},
}

// headerRef refers to a header of apiHeaders.
func headerRef(name string) map[string]any {
	return map[string]any{"$ref": "#/components/headers/" + name}
}

// errorResponseDocs are components.responses.
func errorResponseDocs() map[string]any {
	out := map[string]any{}
	for st, r := range errorResponses {
		headers := map[string]any{"X-Request-Id": headerRef("X-Request-Id")}
		switch st {
		case http.StatusTooManyRequests:
			headers["Retry-After"] = headerRef("Retry-After")
		case http.StatusUnauthorized:
			headers["WWW-Authenticate"] = headerRef("WWW-Authenticate")
		}
		out[r.key] = map[string]any{"description": r.desc, "headers": headers,
			"content": map[string]any{httpx.JSONType: map[string]any{"schema": ref("Error")}}}
	}
	return out
}

// response documents a success answer.
func response(r apiResp) map[string]any {
	desc := r.Note
	if desc == "" {
		desc = http.StatusText(r.Status)
	}
	out := map[string]any{"description": desc, "headers": map[string]any{"X-Request-Id": headerRef("X-Request-Id")}}
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
	body, err := httpx.MarshalJSON(openAPIDoc(s.env.BaseURL(c)))
	if err != nil {
		return err
	}
	s.env.WriteCached(c, "application/vnd.oai.openapi+json;version=3.0", body)
	return nil
}
