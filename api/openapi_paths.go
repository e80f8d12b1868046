package api

import (
	"net/http"
	"strings"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/api/layers"
	"github.com/maillage/maillage/api/ogc"
	"github.com/maillage/maillage/geo/crs"
	"github.com/maillage/maillage/internal/maplayers"
)

// The documentation of every route, checked against the router by
// TestOpenAPIMatchesRoutes.

// Tags of the OpenAPI operations.
const (
	tagService   = "service"
	tagTerritory = "territory"
	tagCoverage  = "coverage"
	tagLayers    = "layers"
	tagOGC       = "OGC API - Features"
	tagTiles     = "vector tiles"
	tagData      = "datasets and matching"
	tagSiting    = "siting"
	tagMap       = "map"
)

// Common answers.
var (
	okJSON    = apiResp{Status: 200, Type: httpx.JSONType}
	okGeoJSON = apiResp{Status: 200, Type: httpx.GeoJSONType, Schema: "FeatureCollection"}
)

// coverageParams are the parameters of every /v1/coverage endpoint.
var coverageParams = []string{"layers", "max_km", "max_minutes", "speed_kmh", "detour", "departementScope", "region"}

// sitingParams are the reach parameters of the siting endpoints.
var sitingParams = []string{"layers", "max_km", "max_minutes", "speed_kmh", "detour"}

// sitesBody are the media types of a body of sites.
const sitesBody = "text/csv,application/json,application/geo+json"

// layerParams are the parameters of the GeoJSON layers.
var layerParams = []string{"bbox", "bbox-crs", "crs", "departement", "layerLimit", "offset", "properties", "zoom", "tolerance"}

// apiOps documents every route.
var apiOps = []apiOp{
	{Method: "GET", Path: "/healthz", Tag: tagService, Summary: "Health and load figures", OK: okJSON},
	{Method: "GET", Path: "/readyz", Tag: tagService, Summary: "Readiness: 200 when serving, 503 not_ready with the reason while the data loads or reloads",
		OK: okJSON, Errors: []int{http.StatusServiceUnavailable}},
	{Method: "GET", Path: "/metrics", Tag: tagService, Summary: "Metrics in the Prometheus text format (requests by route and status, latencies, store, caches, Go runtime)",
		OK: apiResp{Status: 200, Type: "text/plain"}},
	{Method: "GET", Path: "/openapi.json", Tag: tagService, Summary: "This OpenAPI 3 document",
		OK: apiResp{Status: 200, Type: httpx.OpenAPIType}},
	{Method: "GET", Path: "/", Tag: tagMap, Summary: "The built-in map (HTML)", OK: apiResp{Status: 200, Type: "text/html"}},
	{Method: "HEAD", Path: "/", Tag: tagMap, Summary: "Headers of the built-in map", OK: apiResp{Status: 200}},
	{Method: "GET", Path: "/static/{file}", Tag: tagMap, Summary: "A file of the built-in map (scripts, styles, MapLibre)",
		OK: apiResp{Status: 200, Type: "application/octet-stream"}},
	{Method: "HEAD", Path: "/static/{file}", Tag: tagMap, Summary: "Headers of a file of the built-in map", OK: apiResp{Status: 200}},

	{Method: "GET", Path: "/v1/communes/at", Tag: tagTerritory, Summary: "The commune containing a point",
		Params: []string{"lon", "lat"}, OK: okJSON},
	{Method: "GET", Path: "/v1/communes/{code}", Tag: tagTerritory, Summary: "A commune by INSEE code (current or former), with its nearest site",
		Params: []string{"layers", "communeFormat"}, OK: apiResp{Status: 200, Type: httpx.JSONType + "," + httpx.GeoJSONType}},
	{Method: "GET", Path: "/v1/sites", Tag: tagTerritory, Summary: "Service points as GeoJSON",
		Params: []string{"layers", "departement", "bbox"}, OK: okGeoJSON},
	{Method: "GET", Path: "/v1/sites/nearest", Tag: tagTerritory, Summary: "The k sites nearest to a point",
		Params: []string{"lon", "lat", "k", "layers"}, OK: okJSON},
	// Batch lookups (api/territory/batch.go): the body is CSV lon,lat[,id], a JSON array of {lon, lat, id} or a GeoJSON FeatureCollection of points.
	{Method: "POST", Path: "/v1/communes/at", Tag: tagTerritory, Summary: "The commune containing each point of the body (CSV lon,lat[,id], JSON array of {lon, lat, id} or GeoJSON points; up to the upload row limit), one answer per point in order",
		Params: []string{"batchFormat"}, Body: "text/csv,application/json,application/geo+json", OK: apiResp{Status: 200, Type: httpx.JSONType + ",text/csv," + httpx.GeoJSONType}},
	{Method: "POST", Path: "/v1/sites/nearest", Tag: tagTerritory, Summary: "The k sites nearest to each point of the body (CSV lon,lat[,id], JSON array of {lon, lat, id} or GeoJSON points), one answer per point in order",
		Params: []string{"batchFormat", "k", "layers"}, Body: "text/csv,application/json,application/geo+json", OK: apiResp{Status: 200, Type: httpx.JSONType + ",text/csv," + httpx.GeoJSONType}},

	{Method: "GET", Path: "/v1/coverage", Tag: tagCoverage, Summary: "Coverage summary: national or of an area, by région, largest gaps",
		Params: coverageParams, OK: okJSON},
	{Method: "GET", Path: "/v1/coverage/figures", Tag: tagCoverage, Summary: "Population figures of the scope, its régions and départements at any threshold, from the population profile by distance (microseconds; no gap zones, communes or need figures)",
		Params: coverageParams, OK: okJSON},
	{Method: "GET", Path: "/v1/coverage/departements", Tag: tagCoverage, Summary: "Coverage by département",
		Params: append([]string{"tableFormat"}, coverageParams...), OK: apiResp{Status: 200, Type: httpx.JSONType + ",text/csv"}},
	{Method: "GET", Path: "/v1/coverage/communes", Tag: tagCoverage, Summary: "Coverage by commune (GeoJSON needs departement or region)",
		Params: append([]string{"communesFormat"}, coverageParams...), OK: apiResp{Status: 200, Type: httpx.GeoJSONType + ",text/csv"}},
	{Method: "GET", Path: "/v1/coverage/gaps", Tag: tagCoverage, Summary: "Gap zones as GeoJSON outlines",
		Params: append([]string{"listLimit", "offset"}, coverageParams...), OK: okGeoJSON},
	{Method: "GET", Path: "/v1/coverage/cells", Tag: tagCoverage, Summary: "H3 cells with population and distance (bbox, departement or region)",
		Params: append([]string{"bbox"}, coverageParams...), OK: okGeoJSON},
	{Method: "GET", Path: "/v1/coverage/rural-mairies", Tag: tagCoverage, Summary: "Sparsely populated communes mostly in gaps",
		Params: append([]string{"tableFormat", "listLimit", "offset"}, coverageParams...), OK: apiResp{Status: 200, Type: httpx.JSONType + ",text/csv"}},

	{Method: "GET", Path: "/v1/coverage/compare", Tag: tagCoverage, Summary: "Covered population of two networks (from=, to= layer lists) and the communes that gained or lost coverage",
		Params: append([]string{"compareFormat", "from", "to", "listLimit", "offset"}, coverageParams...), OK: apiResp{Status: 200, Type: httpx.JSONType + "," + httpx.GeoJSONType + ",text/csv"}},
	{Method: "GET", Path: "/v1/access", Tag: tagCoverage, Summary: "Capacity against need (2SFCA): supply per 10,000 people in difficulty within reach, by area or commune, with the national ratio as reference; the prefect's view is by=commune (or epci) with departement= and sort=access, as CSV with format=csv",
		Params: []string{"accessFormat", "supply", "accessDemand", "decay", "sigma_km", "by", "departement", "accessSort", "accessLimit", "max_km", "max_minutes", "speed_kmh", "detour"},
		OK:     apiResp{Status: 200, Type: httpx.JSONType + ",text/csv," + httpx.GeoJSONType}},
	{Method: "POST", Path: "/v1/allocations", Tag: tagCoverage, Summary: "Where the next posts go: N posts split across départements (floors, caps) then placed on host points to raise 2SFCA accessibility (objective equity or coverage); per département posts and accessibility before and after, the 2021 distribution against need, the points as GeoJSON (body: JSON {posts, supply, demand, max_minutes or max_km, objective, hosts, floors, caps, candidates})",
		Params: []string{"allocationFormat"}, Body: "application/json", OK: apiResp{Status: 200, Type: httpx.JSONType + ",text/csv"}},
	{Method: "GET", Path: "/v1/articulation", Tag: tagCoverage, Summary: "Places of a source (conseillers numériques) classed against France Services at the reach",
		Params: append([]string{"articulationFormat", "source"}, coverageParams...), OK: apiResp{Status: 200, Type: httpx.JSONType + ",text/csv," + httpx.GeoJSONType}},
	{Method: "GET", Path: "/v1/structures", Tag: tagData, Summary: "Host structures of a dataset as GeoJSON points, with the nearest France Services (an uploaded dataset limited to the token's scope; the built-in structures are open data)",
		Params: []string{"dataset", "departement", "bbox"}, OK: okGeoJSON},

	{Method: "GET", Path: "/v1/layers", Tag: tagLayers, Summary: "Map layers: name, kind, count, properties, vintage and load report of service layers, URLs",
		Params: []string{"layerKind"}, OK: apiResp{Status: 200, Type: httpx.JSONType, Schema: "LayerList"}},
	{Method: "GET", Path: "/v1/layers/{name}", Tag: tagLayers, Summary: "A map layer as an RFC 7946 FeatureCollection, filtered, paged and simplified",
		Params: layerParams, OK: okGeoJSON},
	{Method: "GET", Path: "/v1/layers/compare", Tag: tagLayers, Summary: "What changed between two lists of sites: opened, closed, moved (> 200 m, distance_m), renamed, by département, and the population gaining and losing reach",
		Params: []string{"diffFormat", "fromLayer", "toLayer", "max_km", "max_minutes", "speed_kmh", "detour", "departementScope", "region"},
		OK:     apiResp{Status: 200, Type: httpx.JSONType + "," + httpx.GeoJSONType}},

	{Method: "GET", Path: "/ogc", Tag: tagOGC, Summary: "OGC API landing page", Params: []string{"f"},
		OK: apiResp{Status: 200, Type: httpx.JSONType, Schema: "LandingPage"}},
	{Method: "GET", Path: "/ogc/conformance", Tag: tagOGC, Summary: "Conformance classes (Part 1 core, geojson, oas30; Part 2 crs; Part 3 queryables; Part 5 schemas)", Params: []string{"f"},
		OK: apiResp{Status: 200, Type: httpx.JSONType, Schema: "ConfClasses"}},
	{Method: "GET", Path: "/ogc/collections", Tag: tagOGC, Summary: "The collections (one per map layer)", Params: []string{"f"},
		OK: apiResp{Status: 200, Type: httpx.JSONType, Schema: "Collections"}},
	{Method: "GET", Path: "/ogc/collections/{id}", Tag: tagOGC, Summary: "One collection", Params: []string{"f"},
		OK: apiResp{Status: 200, Type: httpx.JSONType, Schema: "Collection"}},
	{Method: "GET", Path: "/ogc/collections/{id}/items", Tag: tagOGC, Summary: "Features of a collection",
		Params: []string{"f", "bbox", "bbox-crs", "crs", "ogcLimit", "offset", "departement", "properties", "zoom", "tolerance"}, OK: okGeoJSON},
	{Method: "GET", Path: "/ogc/collections/{id}/items/{featureId}", Tag: tagOGC, Summary: "One feature",
		Params: []string{"f", "crs", "properties", "zoom", "tolerance"}, OK: apiResp{Status: 200, Type: httpx.GeoJSONType, Schema: "Feature"}},
	{Method: "GET", Path: "/ogc/collections/{id}/schema", Tag: tagOGC, Summary: "Schema of the features' properties (OGC API - Features Part 5, JSON Schema 2020-12)",
		Params: []string{"f"}, OK: apiResp{Status: 200, Type: ogc.SchemaType + "," + httpx.JSONType, Schema: "JSONSchema"}},
	{Method: "GET", Path: "/ogc/collections/{id}/queryables", Tag: tagOGC, Summary: "Queryables: the properties usable as query parameters of the items (Part 3)",
		Params: []string{"f"}, OK: apiResp{Status: 200, Type: ogc.SchemaType + "," + httpx.JSONType, Schema: "JSONSchema"}},
	{Method: "GET", Path: "/ogc/collections/{id}/feature-schema", Tag: tagOGC, Summary: "JSON Schema of one GeoJSON feature (rel describedby, read by GDAL)",
		Params: []string{"f"}, OK: apiResp{Status: 200, Type: ogc.SchemaType + "," + httpx.JSONType, Schema: "JSONSchema"}},

	{Method: "GET", Path: "/tiles/{layer}", Tag: tagTiles, Summary: "TileJSON 3.0 of a layer: GET /tiles/{name}.json",
		OK: apiResp{Status: 200, Type: httpx.JSONType, Schema: "TileJSON"}},
	{Method: "GET", Path: "/tiles/{layer}/{z}/{x}/{y}", Tag: tagTiles, Summary: "Mapbox Vector Tile of a layer: GET /tiles/{name}/{z}/{x}/{y}.mvt (204 when empty)",
		OK: apiResp{Status: 200, Type: layers.MVTType, Note: "the tile; 204 No Content when no feature reaches it"}},

	{Method: "POST", Path: "/v1/datasets", Tag: tagData, Summary: "Upload candidates, structures or proposals (CSV, JSON or GeoJSON; multipart file or raw body)",
		Params: []string{"kind", "name", "fileFormat"}, Body: "multipart/form-data,text/csv,application/json,application/geo+json",
		OK: apiResp{Status: 201, Type: httpx.JSONType}},
	{Method: "GET", Path: "/v1/datasets", Tag: tagData, Summary: "Uploaded and built-in datasets", OK: okJSON},
	{Method: "GET", Path: "/v1/datasets/{id}", Tag: tagData, Summary: "A dataset's rows, paged (JSON, CSV or GeoJSON)",
		Params: []string{"listLimit", "offset", "fileFormat"}, OK: apiResp{Status: 200, Type: httpx.JSONType + ",text/csv," + httpx.GeoJSONType}},
	{Method: "GET", Path: "/v1/backup", Tag: tagData, Summary: "A consistent copy of the state database (uploaded datasets, match results); national token only",
		OK: apiResp{Status: 200, Type: "application/octet-stream"}},
	{Method: "DELETE", Path: "/v1/datasets/{id}", Tag: tagData, Summary: "Delete an uploaded dataset", OK: apiResp{Status: 204},
		Errors: []int{http.StatusConflict}},
	// Hot reload and layers added at run time (api/reloading.go, api/admin/reload.go): national token.
	{Method: "POST", Path: "/v1/admin/reload", Tag: tagService, Summary: "Read the data folder, layers and tokens again and put them in service atomically; national token only",
		OK: okJSON, Errors: []int{http.StatusConflict}},
	{Method: "POST", Path: "/v1/layers", Tag: tagLayers, Summary: "Upload a sites file as a named service layer (multipart: name, file, and optionally what a layers-file entry declares: format, columns, programme, vintage, title); national token only",
		Body: "multipart/form-data", OK: apiResp{Status: 201, Type: httpx.JSONType},
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusConflict}},
	{Method: "DELETE", Path: "/v1/layers/{name}", Tag: tagLayers, Summary: "Delete an uploaded layer (a layer of the data folder cannot be); national token only",
		OK: okJSON, Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusConflict}},
	{Method: "POST", Path: "/v1/match", Tag: tagData, Summary: "Match candidates to structures (optimal or greedy assignment)",
		Body: "application/json,multipart/form-data", OK: okJSON, Errors: []int{http.StatusUnprocessableEntity}},
	{Method: "GET", Path: "/v1/match/{id}", Tag: tagData, Summary: "A saved match result, or one part of it paged",
		Params: []string{"part", "listLimit", "offset"}, OK: okJSON},
	{Method: "GET", Path: "/v1/structures/{id}/suggestions", Tag: tagData, Summary: "Best candidates for a structure, and the pairs within reach left out: excluded.total, excluded.by_reason (the matching's reasons, candidate_placed, candidate_recruited) and the nearest k in excluded.pairs",
		Params: []string{"k", "candidates", "structures", "match", "phase"}, OK: okJSON},
	{Method: "GET", Path: "/v1/candidates/{id}/suggestions", Tag: tagData, Summary: "Best structures for a candidate, and the pairs within reach left out: excluded.total, excluded.by_reason and the nearest k in excluded.pairs",
		Params: []string{"k", "candidates", "structures", "match", "phase"}, OK: okJSON},
	// The recruitment process (api/process/recruit.go, issue 21).
	{Method: "PATCH", Path: "/v1/recruitments/{structure}/{candidate}", Tag: tagData,
		Summary: "Move a candidate–structure pair to a new status (proposee → interessee → recrutee, or non_retenue / desistement); body {status, match?, comment?}", Body: httpx.JSONType,
		OK: okJSON, Errors: []int{http.StatusConflict}},
	{Method: "GET", Path: "/v1/recruitments/{structure}/{candidate}", Tag: tagData, Summary: "A pair's status and history", OK: okJSON},
	{Method: "PUT", Path: "/v1/recruitments/opinions/{structure}", Tag: tagData,
		Summary: "The prefect's opinion on a structure (favorable, defavorable, reserve); body {avis, structures, comment?}; token of its département or national", Body: httpx.JSONType,
		OK: okJSON, Errors: []int{http.StatusConflict}},
	{Method: "GET", Path: "/v1/recruitments/opinions", Tag: tagData, Summary: "Opinions on the structures of a dataset, per département (JSON or CSV for the committee)",
		Params: []string{"structures", "departementScope", "tableFormat"}, OK: apiResp{Status: 200, Type: httpx.JSONType + ",text/csv"}},
	{Method: "GET", Path: "/v1/recruitments/dashboard", Tag: tagData, Summary: "Per-département recruitment: posts requested, with a favourable opinion, filled, candidates available in reach, by phase",
		Params: []string{"candidates", "structures", "match", "departementScope", "tableFormat"}, OK: apiResp{Status: 200, Type: httpx.JSONType + ",text/csv"}},
	{Method: "GET", Path: "/v1/recruitments/structures", Tag: tagData, Summary: "The structures of a dataset (or of a match) as GeoJSON points with the prefect's opinion (avis, null when none), posts, posts_filled and filled_share, for the map",
		Params: []string{"structures", "match", "departementScope"}, OK: okGeoJSON},

	{Method: "POST", Path: "/v1/proposals/evaluate", Tag: tagSiting, Summary: "Evaluate proposed sites: population newly within reach (body: sites as CSV, JSON or GeoJSON; or dataset=)",
		Params: append([]string{"dataset", "redundancy_km"}, sitingParams...), Body: sitesBody, OK: okJSON},
	{Method: "GET", Path: "/v1/recommendations", Tag: tagSiting, Summary: "Recommended places for new sites among the scope's communes",
		Params: append([]string{"recommendFormat", "k", "demand"}, coverageParams...), OK: apiResp{Status: 200, Type: httpx.GeoJSONType + "," + httpx.JSONType + ",text/csv"}},
	{Method: "POST", Path: "/v1/recommendations", Tag: tagSiting, Summary: "Recommended places for new sites among the candidate places of the body",
		Params: append([]string{"recommendFormat", "k", "demand"}, coverageParams...), Body: sitesBody, OK: apiResp{Status: 200, Type: httpx.GeoJSONType + "," + httpx.JSONType + ",text/csv"}},
	{Method: "POST", Path: "/v1/scenarios/compare", Tag: tagSiting, Summary: "Compare the coverage of the network with sites added or removed",
		Params: append([]string{"redundancy_km"}, sitingParams...), Body: "application/json", OK: okJSON},
}

// pathParamDocs describes the path parameters.
var pathParamDocs = map[string]string{
	"code":      "INSEE code of a current or former commune",
	"name":      "map layer name (GET /v1/layers lists them)",
	"id":        "collection (map layer), dataset, match, structure or candidate id",
	"featureId": "feature id: INSEE code, département or région code, site id (layer:id in sites), gap id, H3 index",
	"layer":     "map layer name, with .json (TileJSON) or followed by /{z}/{x}/{y}.mvt",
	"z":         "zoom, 0-22",
	"x":         "tile column",
	"y":         "tile row followed by .mvt",
	"file":      "path of a file of the built-in map",
}

func intSchema(min, max, def int) map[string]any {
	return map[string]any{"type": "integer", "minimum": min, "maximum": max, "default": def}
}

var (
	strSchema = map[string]any{"type": "string"}
	numSchema = map[string]any{"type": "number"}
)

func enumSchema(def string, values ...string) map[string]any {
	return map[string]any{"type": "string", "enum": values, "default": def}
}

// apiParams are the query parameters, by component key.
var apiParams = map[string]apiParam{
	"lon":                {"lon", "longitude, decimal degrees (WGS84); required", numSchema},
	"lat":                {"lat", "latitude, decimal degrees (WGS84); required", numSchema},
	"k":                  {"k", "number of answers", intSchema(1, 100, 10)},
	"layers":             {"layers", "service layers, comma-separated (default france-services)", strSchema},
	"bbox":               {"bbox", "minLon,minLat,maxLon,maxLat (WGS84)", map[string]any{"type": "array", "items": numSchema, "minItems": 4, "maxItems": 6}},
	"crs":                {"crs", "coordinate reference system of the answer: " + strings.Join(crs.URIs(), " or ") + " (Lambert-93, metres; EPSG:2154 also accepted; default CRS84)", strSchema},
	"bbox-crs":           {"bbox-crs", "coordinate reference system of bbox (default CRS84): " + strings.Join(crs.URIs(), " or "), strSchema},
	"departement":        {"departement", "département code (23, 2A, 974): features in that département", strSchema},
	"departementScope":   {"departement", "restrict the analysis to a département", strSchema},
	"region":             {"region", "restrict the analysis to a région", strSchema},
	"max_km":             {"max_km", "reach as straight-line kilometres (instead of max_minutes)", numSchema},
	"max_minutes":        {"max_minutes", "reach as minutes of travel (default 30)", numSchema},
	"speed_kmh":          {"speed_kmh", "travel speed for max_minutes (default 60)", numSchema},
	"detour":             {"detour", "road / straight-line distance ratio for max_minutes (default 1.3)", numSchema},
	"communeFormat":      {"format", "json or geojson", enumSchema("json", "json", "geojson")},
	"tableFormat":        {"format", "json or csv", enumSchema("json", "json", "csv")},
	"communesFormat":     {"format", "geojson or csv", enumSchema("geojson", "geojson", "csv")},
	"fileFormat":         {"format", "csv, json or geojson", strSchema},
	"listLimit":          {"limit", "page size", intSchema(1, 10000, 50)},
	"layerLimit":         {"limit", "page size", intSchema(1, layers.MaxLimit, layers.DefaultLimit)},
	"ogcLimit":           {"limit", "page size (larger values are lowered to the maximum)", intSchema(1, ogc.MaxLimit, ogc.DefaultLimit)},
	"offset":             {"offset", "features skipped (follow the next link)", intSchema(0, 1<<30, 0)},
	"properties":         {"properties", "properties to return, comma-separated (default all)", strSchema},
	"zoom":               {"zoom", "simplify geometries for a map at this zoom (one pixel of a 512-pixel tile)", intSchema(0, maplayers.MaxZoom, 0)},
	"tolerance":          {"tolerance", "simplify geometries at this tolerance, degrees (instead of zoom)", map[string]any{"type": "number", "minimum": 0, "maximum": 1}},
	"f":                  {"f", "encoding: json only", enumSchema("json", "json")},
	"kind":               {"kind", "candidates, structures or proposals", strSchema},
	"name":               {"name", "dataset name", strSchema},
	"part":               {"part", "assignments, unmatched, unfilled or balance", strSchema},
	"candidates":         {"candidates", "candidates dataset id", strSchema},
	"structures":         {"structures", "structures dataset id", strSchema},
	"match":              {"match", "match result id", strSchema},
	"dataset":            {"dataset", "a stored dataset id (proposals or structures)", strSchema},
	"compareFormat":      {"format", "json, geojson or csv", enumSchema("json", "json", "geojson", "csv")},
	"diffFormat":         {"format", "json (changes, counts by département, coverage consequence) or geojson (one Point per change)", enumSchema("json", "json", "geojson")},
	"layerKind":          {"kind", "only the layers of this kind: boundaries, service, analysis or uploaded", strSchema},
	"fromLayer":          {"from", "the earlier list, a layer name (default france-services-2020)", strSchema},
	"toLayer":            {"to", "the later list, a layer name (default france-services)", strSchema},
	"articulationFormat": {"format", "json, csv or geojson", enumSchema("json", "json", "csv", "geojson")},
	"from":               {"from", "layers before, comma-separated (default france-services-2020)", strSchema},
	"to":                 {"to", "layers after, comma-separated (default france-services)", strSchema},
	"source":             {"source", "cnfs-permanences (default) or a structures dataset", strSchema},
	"redundancy_km":      {"redundancy_km", "sites closer than this to an existing one are flagged redundant (0: off)", numSchema},
	"recommendFormat":    {"format", "geojson, json or csv", enumSchema("geojson", "geojson", "json", "csv")},
	"demand":             {"demand", "what a recommendation maximises: population, or difficulty (people in difficulty with digital tools, an estimate)", enumSchema("population", "population", "difficulty")},
	"accessDemand":       {"demand", "difficulty (people in difficulty with digital tools, an estimate calibrated on 13 million) or population", enumSchema("difficulty", "difficulty", "population")},
	"accessFormat":       {"format", "json, csv or geojson (geojson: by=commune and departement=)", enumSchema("json", "json", "csv", "geojson")},
	"accessSort":         {"sort", "order of the items: access (lowest accessibility first), demand (most people in difficulty first) or below_half (most people below half the reference first); absent: the territory's order", map[string]any{"type": "string", "enum": []string{"access", "demand", "below_half"}}},
	"accessLimit":        {"limit", "the first N items only (default all)", map[string]any{"type": "integer", "minimum": 1, "maximum": 100000}},
	"allocationFormat":   {"format", "json (départements and a GeoJSON FeatureCollection of points) or csv (départements)", enumSchema("json", "json", "csv")},
	"supply":             {"supply", "a layer (sites, 1 each) or the built-in structures cnfs-structures-2021 (posts)", strSchema},
	"decay":              {"decay", "distance decay: none (binary 2SFCA), linear or gaussian", enumSchema("none", "none", "linear", "gaussian")},
	"sigma_km":           {"sigma_km", "width of the gaussian decay, km (default half the reach)", numSchema},
	"by":                 {"by", "national, region, departement, epci or commune", enumSchema("departement", "national", "region", "departement", "epci", "commune")},
	// Batch lookups (api/territory/batch.go).
	"batchFormat": {"format", "answer format: json, csv or geojson (default: from Accept, else json)", enumSchema("json", "json", "csv", "geojson")},
	"phase":       {"phase", "1 (public bodies, associations, ESS) or 2 (private actors): only the structures of that phase (default both)", enumSchema("", "1", "2")},
}

func obj(props map[string]any, required ...string) map[string]any {
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func arrayOf(items map[string]any) map[string]any {
	return map[string]any{"type": "array", "items": items}
}

// apiSchemas are the answer schemas.
var apiSchemas = map[string]any{
	"Error": obj(map[string]any{"error": strSchema, "message": strSchema}, "error", "message"),
	"Link": obj(map[string]any{"href": strSchema, "rel": strSchema, "type": strSchema, "title": strSchema},
		"href", "rel"),
	"Feature": obj(map[string]any{
		"type":       enumSchema("Feature", "Feature"),
		"id":         strSchema,
		"geometry":   map[string]any{"type": "object", "nullable": true, "description": "Point or MultiPolygon (RFC 7946)"},
		"properties": map[string]any{"type": "object"},
		"links":      arrayOf(ref("Link")),
	}, "type", "geometry", "properties"),
	"FeatureCollection": obj(map[string]any{
		"type":           enumSchema("FeatureCollection", "FeatureCollection"),
		"numberMatched":  map[string]any{"type": "integer"},
		"numberReturned": map[string]any{"type": "integer"},
		"links":          arrayOf(ref("Link")),
		"features":       arrayOf(ref("Feature")),
	}, "type", "features"),
	"LayerList": obj(map[string]any{"total": map[string]any{"type": "integer"}, "items": arrayOf(obj(map[string]any{
		"name": strSchema, "title": strSchema, "description": strSchema, "kind": strSchema, "geometry_type": strSchema,
		"count": map[string]any{"type": "integer", "nullable": true}, "vintage": strSchema, "source": strSchema,
		"report": map[string]any{"type": "object"}, "min_tile_zoom": map[string]any{"type": "integer"},
		"properties": arrayOf(map[string]any{"type": "object"}), "links": map[string]any{"type": "object"},
	}))}),
	"LandingPage": obj(map[string]any{"title": strSchema, "description": strSchema, "links": arrayOf(ref("Link"))}, "links"),
	"ConfClasses": obj(map[string]any{"conformsTo": arrayOf(strSchema)}, "conformsTo"),
	"Collection": obj(map[string]any{
		"id": strSchema, "title": strSchema, "description": strSchema, "itemType": strSchema,
		"crs": arrayOf(strSchema), "extent": map[string]any{"type": "object"}, "links": arrayOf(ref("Link")),
	}, "id", "links"),
	"Collections": obj(map[string]any{"links": arrayOf(ref("Link")), "collections": arrayOf(ref("Collection"))},
		"links", "collections"),
	"JSONSchema": map[string]any{"type": "object", "description": "a JSON Schema (2020-12) document"},
	"TileJSON": obj(map[string]any{"tilejson": strSchema, "tiles": arrayOf(strSchema), "minzoom": map[string]any{"type": "integer"},
		"maxzoom": map[string]any{"type": "integer"}, "bounds": arrayOf(numSchema), "vector_layers": arrayOf(map[string]any{"type": "object"})},
		"tilejson", "tiles"),
}
