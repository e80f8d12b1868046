package process

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/matching/recruit"
	"github.com/maillage/maillage/matching/registry"
)

// The recruitment process (issue 21): thin handlers over package
// matching/recruit, which holds the rules.

// recruitState is the server's recruitment process, opened on first use
// over the registry's store (its history is read then).
type recruitState struct {
	reg  *registry.Registry
	once sync.Once
	p    *recruit.Process
	err  error
}

// process returns the recruitment process of the server, caught up with
// the history in the store.
func (st *recruitState) process() (*recruit.Process, error) {
	st.once.Do(func() {
		if st.reg == nil || st.reg.Store() == nil {
			st.err = &httpx.Error{Status: http.StatusServiceUnavailable, Code: httpx.CodeUnavailable, Message: "the recruitment process needs a state store (maillage serve --state DIR or --store postgres://…)"}
			return
		}
		st.p, st.err = recruit.New(st.reg.Store(), st.reg)
	})
	if st.err != nil {
		return nil, st.err
	}
	// Another replica may have moved pairs since the last answer.
	if err := st.p.Sync(); err != nil {
		return nil, err
	}
	return st.p, nil
}

// recruitments serves the recruitment process: statuses, opinions, the
// dashboard and the structures' map.
type recruitments struct {
	env *httpx.Env
	st  *recruitState
}

// routes registers the recruitment endpoints.
func (s *recruitments) routes(r gin.IRouter) {
	r.GET("/recruitments/dashboard", httpx.Handle(s.recruitDashboard))
	r.GET("/recruitments/opinions", httpx.Handle(s.listOpinions))
	r.GET("/recruitments/structures", httpx.Handle(s.recruitStructures)) // api/process/recruit_map.go
	r.PUT("/recruitments/opinions/:structure", httpx.Handle(s.putOpinion))
	r.GET("/recruitments/:structure/:candidate", httpx.Handle(s.getRecruitment))
	r.PATCH("/recruitments/:structure/:candidate", httpx.Handle(s.patchRecruitment))
}

// recruitmentBody is the JSON body of PATCH /v1/recruitments/{s}/{c}.
type recruitmentBody struct {
	Status     string `json:"status"`
	Comment    string `json:"comment"`
	Match      string `json:"match"`      // optional when the pair is in one stored match
	Candidates string `json:"candidates"` // or the pair's datasets
	Structures string `json:"structures"`
}

// decodeBody reads a JSON body into v, refusing unknown fields.
func decodeBody(c *gin.Context, v any) error {
	b, err := httpx.ReadBody(c)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &httpx.Error{Status: http.StatusBadRequest, Code: httpx.CodeBadBody, Message: "JSON body: " + err.Error()}
	}
	return nil
}

// seeSome checks the token sees some row of dataset or match id (404
// otherwise): a match of several départements still names the datasets of
// a scoped token's pairs, whose rows the process narrows to its scope.
func (s *recruitments) seeSome(c *gin.Context, id string) error {
	if id == "" {
		return nil
	}
	d, builtin, err := s.env.Registry.Datasets().Get(id)
	if err != nil {
		return err
	}
	if sc := httpx.ScopeFrom(c); !sc.National && !builtin && !sc.SeesAny(d.Meta.Departements) {
		return registry.NotFoundError(id)
	}
	return nil
}

// seeIDs checks the token sees the datasets named (404 otherwise, as for
// the suggestions).
func (s *recruitments) seeIDs(c *gin.Context, ids ...string) error {
	for _, id := range ids {
		if id == "" {
			continue
		}
		if _, _, err := s.env.SeeDataset(c, id); err != nil {
			return err
		}
	}
	return nil
}

// patchRecruitment is PATCH /v1/recruitments/{structure_id}/{candidate_id}:
// moves the pair to a new status, recorded with the token's name.
func (s *recruitments) patchRecruitment(c *gin.Context) error {
	var body recruitmentBody
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	p, err := s.st.process()
	if err != nil {
		return err
	}
	sc := httpx.ScopeFrom(c)
	if err := s.seeSome(c, body.Match); err != nil {
		return err
	}
	if err := s.seeIDs(c, body.Candidates, body.Structures); err != nil {
		return err
	}
	m := recruit.Move{Structure: c.Param("structure"), Candidate: c.Param("candidate"), Status: body.Status, Comment: body.Comment,
		By: httpx.TokenName(c), Match: body.Match, Candidates: body.Candidates, Structures: body.Structures}
	if !sc.National {
		m.Visible = sc.Allows
	}
	pr, err := p.Move(m)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, pr)
	return nil
}

// getRecruitment is GET /v1/recruitments/{structure_id}/{candidate_id}:
// the pair's status and history; 404 when it has none or the token does
// not see both of its départements.
func (s *recruitments) getRecruitment(c *gin.Context) error {
	p, err := s.st.process()
	if err != nil {
		return err
	}
	pr := p.Pair(c.Param("structure"), c.Param("candidate"))
	sc := httpx.ScopeFrom(c)
	if pr == nil || !sc.National && (!sc.Allows(pr.Departement) || !sc.Allows(pr.CandidateDepartement)) {
		return httpx.NotFound("no recruitment history for structure %q and candidate %q", c.Param("structure"), c.Param("candidate"))
	}
	c.JSON(http.StatusOK, pr)
	return nil
}

// opinionBody is the JSON body of PUT /v1/recruitments/opinions/{s}.
type opinionBody struct {
	Avis       string `json:"avis"`
	Comment    string `json:"comment"`
	Structures string `json:"structures"` // the structures dataset holding it
}

// putOpinion is PUT /v1/recruitments/opinions/{structure_id}: the
// prefect's opinion, only by a token of the structure's département or a
// national one (a structure outside the scope is unknown).
func (s *recruitments) putOpinion(c *gin.Context) error {
	var body opinionBody
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	p, err := s.st.process()
	if err != nil {
		return err
	}
	if err := s.seeIDs(c, body.Structures); err != nil {
		return err
	}
	g := recruit.Give{Structure: c.Param("structure"), Structures: body.Structures, Avis: body.Avis, Comment: body.Comment, By: httpx.TokenName(c)}
	if sc := httpx.ScopeFrom(c); !sc.National {
		g.Visible = sc.Allows
	}
	o, err := p.GiveOpinion(g)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, o)
	return nil
}

// listOpinions is GET /v1/recruitments/opinions?structures=&departement=&format=json|csv:
// the opinions on the structures of a dataset, for the committee.
func (s *recruitments) listOpinions(c *gin.Context) error {
	p, err := s.st.process()
	if err != nil {
		return err
	}
	structs, dep, visible, err := s.recruitScope(c)
	if err != nil {
		return err
	}
	if structs == "" {
		return httpx.BadParam("structures", "required: the structures dataset id")
	}
	ops, err := p.Opinions(structs, dep, visible)
	if err != nil {
		return err
	}
	return writeTable(c, "avis", func() any { return ops }, func(b *bytes.Buffer) error { return recruit.WriteOpinionsCSV(b, ops) })
}

// recruitDashboard is GET /v1/recruitments/dashboard?candidates=&structures=|match=&departement=&format=json|csv.
func (s *recruitments) recruitDashboard(c *gin.Context) error {
	p, err := s.st.process()
	if err != nil {
		return err
	}
	structs, dep, visible, err := s.recruitScope(c)
	if err != nil {
		return err
	}
	cands := c.Query("candidates")
	if id := c.Query("match"); id != "" {
		if err := s.seeSome(c, id); err != nil {
			return err
		}
		res, err := s.env.Registry.Matches().Result(id)
		if err != nil {
			return err
		}
		cands, structs = res.CandidatesDataset, res.StructuresDataset
	}
	if err := s.seeIDs(c, cands); err != nil {
		return err
	}
	rows, err := p.Dashboard(recruit.DashboardQuery{Candidates: cands, Structures: structs, Departement: dep, Visible: visible})
	if err != nil {
		return err
	}
	return writeTable(c, "tableau-de-bord", func() any { return map[string]any{"departements": rows} },
		func(b *bytes.Buffer) error { return recruit.WriteDashboardCSV(b, rows) })
}

// recruitScope reads structures= and departement= and the token's scope: a
// département outside it is a 403, a dataset it sees nothing of a 404.
func (s *recruitments) recruitScope(c *gin.Context) (structs, dep string, visible func(string) bool, err error) {
	structs, dep = c.Query("structures"), c.Query("departement")
	sc := httpx.ScopeFrom(c)
	if !sc.National {
		visible = sc.Allows
		if dep != "" && !sc.Allows(dep) {
			return "", "", nil, &httpx.Error{Status: http.StatusForbidden, Code: httpx.CodeForbidden, Message: "departement: " + dep + " is outside your token's scope"}
		}
	}
	return structs, dep, visible, s.seeIDs(c, structs)
}

// writeTable answers JSON, or CSV (format=csv) as an attachment named
// after name.
func writeTable(c *gin.Context, name string, view func() any, csv func(*bytes.Buffer) error) error {
	switch c.DefaultQuery("format", "json") {
	case "json":
		c.JSON(http.StatusOK, view())
		return nil
	case "csv":
		var b bytes.Buffer
		if err := csv(&b); err != nil {
			return err
		}
		c.Header("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		c.Data(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
		return nil
	}
	return httpx.BadParam("format", "want json or csv, got %q", c.Query("format"))
}

// withProcess runs fn with the recruitment process when the server has
// one (a store); a server without store matches without process.
func (st *recruitState) withProcess(fn func(p *recruit.Process) error) error {
	p, err := st.process()
	var e *httpx.Error
	if errors.As(err, &e) && e.Status == http.StatusServiceUnavailable {
		return nil
	}
	if err != nil {
		return err
	}
	return fn(p)
}
