package process

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/maillage/maillage/data/textio"
	"github.com/maillage/maillage/data/values"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/access"
	"github.com/maillage/maillage/matching/pairing"
	"github.com/maillage/maillage/matching/recruit"
	"github.com/maillage/maillage/matching/registry"
)

// matchRoutes registers the matching endpoints.
func (s *Handlers) matchRoutes(r gin.IRouter) {
	r.POST("/match", s.env.BoundUpload(), httpx.HandleRows(s.postMatch))
	r.GET("/match/:id", httpx.Handle(s.getMatch))
	r.GET("/structures/:id/suggestions", httpx.Handle(s.structureSuggestions))
	r.GET("/candidates/:id/suggestions", httpx.Handle(s.candidateSuggestions))
}

// matchBody is the JSON body of POST /v1/match. Candidates and Structures
// are each a dataset id (a JSON string), an array of row objects or a
// GeoJSON FeatureCollection.
type matchBody struct {
	Candidates      json.RawMessage          `json:"candidates"`
	Structures      json.RawMessage          `json:"structures"`
	Algorithm       string                   `json:"algorithm"`
	DepartementCaps map[string]int           `json:"departement_caps"`
	Weights         registry.PriorityWeights `json:"weights"`
	Phase           int                      `json:"phase"` // 1 or 2: only the structures of that phase
}

// matchInput is one side of a match: a dataset id or rows.
type matchInput struct {
	id   string
	rows *data.Dataset
}

// postMatch is POST /v1/match: JSON, or multipart with the candidates and
// structures file fields (or dataset ids as text fields) and the options as
// form fields or query parameters.
func (s *Handlers) postMatch(c *gin.Context) error {
	limit, _, err := httpx.PageParams(c)
	if err != nil {
		return err
	}
	var req registry.MatchRequest
	var cands, structs matchInput
	if httpx.MediaType(c) == "multipart/form-data" {
		req, cands, structs, err = s.multipartMatch(c)
	} else {
		req, cands, structs, err = s.jsonMatch(c)
	}
	if err != nil {
		return err
	}
	sc := httpx.ScopeFrom(c)
	for _, in := range []matchInput{cands, structs} {
		if in.rows == nil {
			// A dataset id: 404 when the token sees none of it; the
			// analysis keeps its rows in scope (req.Visible).
			if _, _, err := s.env.SeeDataset(c, in.id); err != nil {
				return err
			}
			continue
		}
		if err := s.env.CheckRowCount(string(in.rows.Meta.Kind), in.rows.Meta.Rows); err != nil {
			return err
		}
		if err := sc.CheckUpload(in.rows); err != nil {
			return err
		}
	}
	if cands.rows != nil {
		req.Candidates = cands.rows.Candidates
	}
	if structs.rows != nil {
		req.Structures = structs.rows.Structures
	}
	req.CandidatesDataset, req.StructuresDataset = cands.id, structs.id
	if !sc.National {
		req.Visible = sc.Allows
	}
	// Recruited pairs stay, unfavourable opinions exclude (api/process/recruit.go).
	if err := s.rec.withProcess(func(p *recruit.Process) error { p.MatchRequest(&req); return nil }); err != nil {
		return err
	}
	edges, err := s.env.Registry.Matches().EstimateEdges(req)
	if err != nil {
		return err
	}
	release, err := s.env.StartWork(c, access.WorkMatch, edges+1)
	if err != nil {
		return err
	}
	defer release()
	// Stored only when the request is still alive once it is computed.
	res, err := s.env.Registry.Matches().Match(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.Header("Location", "/v1/match/"+res.ID)
	c.JSON(http.StatusCreated, headView(res, "/v1/match/"+res.ID, url.Values{}, limit, 0))
	return nil
}

// jsonMatch reads a JSON match request.
func (s *Handlers) jsonMatch(c *gin.Context) (req registry.MatchRequest, cands, structs matchInput, err error) {
	b, err := httpx.ReadBody(c)
	if err != nil {
		return req, cands, structs, err
	}
	var body matchBody
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return req, cands, structs, &httpx.Error{Status: http.StatusBadRequest, Code: httpx.CodeBadBody, Message: "JSON body: " + err.Error()}
	}
	if cands, err = s.jsonInput(body.Candidates, data.KindCandidates); err != nil {
		return req, cands, structs, err
	}
	if structs, err = s.jsonInput(body.Structures, data.KindStructures); err != nil {
		return req, cands, structs, err
	}
	req = registry.MatchRequest{Algorithm: body.Algorithm, DepartementCaps: body.DepartementCaps, Weights: body.Weights, Phase: body.Phase}
	if body.Phase < 0 || body.Phase > 2 {
		return req, cands, structs, httpx.BadParam("phase", "want 1 (public bodies and associations) or 2 (private actors), got %d", body.Phase)
	}
	return req, cands, structs, nil
}

// jsonInput reads the candidates or structures member of a JSON body.
func (s *Handlers) jsonInput(raw json.RawMessage, kind data.DatasetKind) (matchInput, error) {
	field := string(kind)
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return matchInput{}, httpx.BadParam(field, "required: a dataset id, an array of rows or a GeoJSON FeatureCollection")
	}
	switch raw[0] {
	case '"':
		var id string
		if err := json.Unmarshal(raw, &id); err != nil || id == "" {
			return matchInput{}, httpx.BadParam(field, "not a dataset id: %s", raw)
		}
		return matchInput{id: id}, nil
	case '[', '{':
		format := textio.FormatJSON
		if raw[0] == '{' {
			format = textio.FormatGeoJSON
		}
		d, err := s.env.Registry.Datasets().Parse(kind, field, bytes.NewReader(raw), format, s.env.DecodeLimits())
		if err != nil {
			return matchInput{}, err
		}
		return matchInput{rows: d}, nil
	}
	return matchInput{}, httpx.BadParam(field, "want a dataset id, an array of rows or a GeoJSON FeatureCollection")
}

// multipartMatch reads a multipart match request.
func (s *Handlers) multipartMatch(c *gin.Context) (req registry.MatchRequest, cands, structs matchInput, err error) {
	if err := httpx.ParseMultipart(c); err != nil {
		return req, cands, structs, err
	}
	form := c.Request.MultipartForm
	value := func(name string) string {
		if v := form.Value[name]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return c.Query(name)
	}
	input := func(kind data.DatasetKind) (matchInput, error) {
		field := string(kind)
		if fhs := form.File[field]; len(fhs) > 0 {
			d, err := s.parsePart(fhs[0], kind)
			return matchInput{rows: d}, err
		}
		if id := value(field); id != "" {
			return matchInput{id: id}, nil
		}
		return matchInput{}, httpx.BadParam(field, "required: a file field or a dataset id")
	}
	if cands, err = input(data.KindCandidates); err != nil {
		return req, cands, structs, err
	}
	if structs, err = input(data.KindStructures); err != nil {
		return req, cands, structs, err
	}
	req.Algorithm = value("algorithm")
	if req.Phase, err = parsePhase(value("phase")); err != nil {
		return req, cands, structs, err
	}
	if fhs := form.File["caps"]; len(fhs) > 0 {
		f, err := fhs[0].Open()
		if err != nil {
			return req, cands, structs, httpx.BadParam("caps", "%v", err)
		}
		defer f.Close()
		if req.DepartementCaps, err = registry.ReadDepartementCaps(f, fhs[0].Filename); err != nil {
			return req, cands, structs, httpx.BadParam("caps", "%v", err)
		}
	} else if v := value("departement_caps"); v != "" {
		if req.DepartementCaps, err = parseCaps(v); err != nil {
			return req, cands, structs, err
		}
	}
	for _, w := range []struct {
		name string
		dst  *float64
	}{{"weight_gap", &req.Weights.Gap}, {"weight_rural", &req.Weights.Rural}} {
		if v := value(w.name); v != "" {
			f, err := values.ParseDecimal(v)
			if err != nil {
				return req, cands, structs, httpx.BadParam(w.name, "%v", err)
			}
			*w.dst = f
		}
	}
	return req, cands, structs, nil
}

// parsePart reads the rows of a multipart file.
func (s *Handlers) parsePart(fh *multipart.FileHeader, kind data.DatasetKind) (*data.Dataset, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, httpx.BadParam(string(kind), "%v", err)
	}
	defer f.Close()
	d, err := s.env.Registry.Datasets().Parse(kind, fh.Filename, f, textio.FormatUnknown, s.env.DecodeLimits())
	if err != nil {
		return nil, err
	}
	return d, nil
}

// parsePhase reads the phase parameter: "" (both), 1 or 2.
func parsePhase(v string) (int, error) {
	switch v {
	case "":
		return 0, nil
	case "1", "2":
		return int(v[0] - '0'), nil
	}
	return 0, httpx.BadParam("phase", "want 1 (public bodies and associations) or 2 (private actors), got %q", v)
}

// parseCaps reads departement_caps as a JSON object ({"23": 5}) or as
// "23:5,2A:3".
func parseCaps(v string) (map[string]int, error) {
	caps := map[string]int{}
	if strings.HasPrefix(v, "{") {
		if err := json.Unmarshal([]byte(v), &caps); err != nil {
			return nil, httpx.BadParam("departement_caps", "not a JSON object of integers: %v", err)
		}
		return caps, nil
	}
	for _, part := range strings.Split(v, ",") {
		dep, n, ok := strings.Cut(strings.TrimSpace(part), ":")
		cp, err := strconv.Atoi(strings.TrimSpace(n))
		if !ok || err != nil || strings.TrimSpace(dep) == "" {
			return nil, httpx.BadParam("departement_caps", "want DEP:N[,DEP:N] or a JSON object, got %q", part)
		}
		caps[strings.TrimSpace(dep)] = cp
	}
	return caps, nil
}

// matchTotals counts the items of each part of a match result.
type matchTotals struct {
	Assignments int `json:"assignments"`
	Unmatched   int `json:"unmatched"`
	Unfilled    int `json:"unfilled"`
}

// matchView is the body of POST /v1/match and GET /v1/match/:id: the
// summary, the balance and one page of each list, all three at the same
// offset; next pages the three together.
type matchView struct {
	ID                 string                       `json:"id"`
	Algorithm          string                       `json:"algorithm"`
	CandidatesDataset  string                       `json:"candidates_dataset,omitempty"`
	StructuresDataset  string                       `json:"structures_dataset,omitempty"`
	CreatedAt          time.Time                    `json:"created_at"`
	DepartementCaps    map[string]int               `json:"departement_caps,omitempty"`
	Weights            registry.PriorityWeights     `json:"weights"`
	WeightedStructures int                          `json:"weighted_structures"`
	Phase              int                          `json:"phase,omitempty"`
	FixedPairs         int                          `json:"fixed_pairs,omitempty"`
	Summary            registry.MatchSummary        `json:"summary"`
	Comparison         *registry.MatchComparison    `json:"comparison,omitempty"`
	Balance            []pairing.DepartementBalance `json:"balance"`
	Totals             matchTotals                  `json:"totals"`
	Offset             int                          `json:"offset"`
	Limit              int                          `json:"limit"`
	Assignments        []pairing.Assignment         `json:"assignments"`
	Unmatched          []pairing.Unmatched          `json:"unmatched"`
	Unfilled           []pairing.UnfilledPosts      `json:"unfilled"`
	Next               string                       `json:"next,omitempty"`
}

// headView builds the matchView of res for [offset, offset+limit).
func headView(res *registry.MatchResult, path string, q url.Values, limit, offset int) matchView {
	v := matchView{ID: res.ID, Algorithm: res.Algorithm, CandidatesDataset: res.CandidatesDataset,
		StructuresDataset: res.StructuresDataset, CreatedAt: res.CreatedAt, DepartementCaps: res.DepartementCaps,
		Weights: res.Weights, WeightedStructures: res.WeightedStructures, Phase: res.Phase, FixedPairs: res.FixedPairs, Summary: res.Summary,
		Comparison: res.Comparison, Balance: res.Balance, Offset: offset, Limit: limit,
		Totals: matchTotals{len(res.Assignments), len(res.Unmatched), len(res.Unfilled)}}
	lo, hi := httpx.PageWindow(len(res.Assignments), limit, offset)
	v.Assignments = res.Assignments[lo:hi]
	lo, hi = httpx.PageWindow(len(res.Unmatched), limit, offset)
	v.Unmatched = res.Unmatched[lo:hi]
	lo, hi = httpx.PageWindow(len(res.Unfilled), limit, offset)
	v.Unfilled = res.Unfilled[lo:hi]
	v.Next = httpx.NextLink(path, q, max(v.Totals.Assignments, v.Totals.Unmatched, v.Totals.Unfilled), limit, offset)
	return v
}

// matchPageView is the body of GET /v1/match/:id?part=.
type matchPageView struct {
	ID string `json:"id"`
	registry.MatchPage
	Next string `json:"next,omitempty"`
}

// getMatch is GET /v1/match/:id?limit=&offset=&part=assignments|unmatched|unfilled|balance.
func (s *Handlers) getMatch(c *gin.Context) error {
	id := c.Param("id")
	limit, offset, err := httpx.PageParams(c)
	if err != nil {
		return err
	}
	if _, _, err := s.env.SeeDataset(c, id); err != nil {
		return err
	}
	res, err := s.env.Registry.Matches().Result(id)
	if err != nil {
		return err
	}
	path := c.Request.URL.Path
	part := c.Query("part")
	if part == "" {
		c.JSON(http.StatusOK, headView(res, path, c.Request.URL.Query(), limit, offset))
		return nil
	}
	p, err := res.Page(part, limit, offset)
	if err != nil {
		return httpx.BadParam("part", "want assignments, unmatched, unfilled or balance, got %q", part)
	}
	c.JSON(http.StatusOK, matchPageView{ID: id, MatchPage: p, Next: httpx.NextLink(path, c.Request.URL.Query(), p.Total, limit, offset)})
	return nil
}

// suggestQuery parses k= (1 to 100, default 10), candidates=, structures=
// and match=, and limits the rows to the token's scope: a dataset or match
// it sees nothing of is unknown (404).
func (s *Handlers) suggestQuery(c *gin.Context) (registry.SuggestQuery, error) {
	k, err := httpx.QueryInt(c, "k", 10, 1, registry.MaxSuggestions)
	if err != nil {
		return registry.SuggestQuery{}, err
	}
	phase, err := parsePhase(c.Query("phase"))
	if err != nil {
		return registry.SuggestQuery{}, err
	}
	q := registry.SuggestQuery{Candidates: c.Query("candidates"), Structures: c.Query("structures"), Match: c.Query("match"), K: k, Phase: phase}
	if sc := httpx.ScopeFrom(c); !sc.National {
		q.Visible = sc.Allows
		for _, id := range []string{q.Match, q.Candidates, q.Structures} {
			if id == "" {
				continue
			}
			if _, _, err := s.env.SeeDataset(c, id); err != nil {
				return q, err
			}
		}
	}
	// Recruited candidates, full and excluded structures leave the lists.
	if err := s.rec.withProcess(func(p *recruit.Process) error { return p.SuggestQuery(&q) }); err != nil {
		return q, err
	}
	return q, nil
}

// suggestionsView is the body of the suggestion endpoints: the
// suggestions, and the pairs within reach they left out with their
// reasons (the nearest k listed).
type suggestionsView struct {
	ID       string                      `json:"id"`
	K        int                         `json:"k"`
	Items    any                         `json:"items"`
	Excluded *registry.SuggestExclusions `json:"excluded"`
}

// structureSuggestions is GET /v1/structures/:id/suggestions: the k nearest
// free candidates having the structure within their max_km.
func (s *Handlers) structureSuggestions(c *gin.Context) error {
	q, err := s.suggestQuery(c)
	if err != nil {
		return err
	}
	items, err := s.env.Registry.Matches().SuggestForStructure(c.Param("id"), q)
	if err != nil {
		return err
	}
	ex, err := s.env.Registry.Matches().ExplainStructure(c.Param("id"), q)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, suggestionsView{ID: c.Param("id"), K: q.K, Items: items, Excluded: ex})
	return nil
}

// candidateSuggestions is GET /v1/candidates/:id/suggestions: the k nearest
// structures with open posts within the candidate's max_km.
func (s *Handlers) candidateSuggestions(c *gin.Context) error {
	q, err := s.suggestQuery(c)
	if err != nil {
		return err
	}
	items, err := s.env.Registry.Matches().SuggestForCandidate(c.Param("id"), q)
	if err != nil {
		return err
	}
	ex, err := s.env.Registry.Matches().ExplainCandidate(c.Param("id"), q)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, suggestionsView{ID: c.Param("id"), K: q.K, Items: items, Excluded: ex})
	return nil
}
