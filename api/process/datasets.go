// Package process serves the matching process of the API: uploaded
// datasets, matches of candidates with structures and their suggestions,
// and the recruitment process that follows (statuses, opinions,
// dashboard). Every route reads or writes personal data: a token's scope
// narrows what it sees.
package process

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/matching/registry"
)

// Handlers serves the datasets, matches and recruitments.
type Handlers struct {
	env *httpx.Env
	rec *recruitState // the recruitment process, opened on first use
}

// New returns the handlers over env.
func New(env *httpx.Env) *Handlers {
	return &Handlers{env: env, rec: &recruitState{reg: env.Registry}}
}

// Routes registers the dataset, match and recruitment endpoints.
func (s *Handlers) Routes(r *gin.RouterGroup) {
	r.POST("/datasets", s.env.BoundUpload(), httpx.HandleRows(s.uploadDataset))
	r.GET("/datasets", httpx.Handle(s.listDatasets))
	r.GET("/datasets/:id", httpx.Handle(s.getDataset))
	r.DELETE("/datasets/:id", httpx.Handle(s.deleteDataset))
	s.matchRoutes(r)
	(&recruitments{env: s.env, st: s.rec}).routes(r) // statuses, opinions, dashboard (api/process/recruit.go)
}

// uploadKind parses kind= among the uploadable kinds.
func uploadKind(c *gin.Context) (data.DatasetKind, error) {
	switch k := data.DatasetKind(c.Query("kind")); k {
	case data.KindCandidates, data.KindStructures, data.KindProposals:
		return k, nil
	case "":
		return "", httpx.BadParam("kind", "required: candidates, structures or proposals")
	default:
		return "", httpx.BadParam("kind", "want candidates, structures or proposals, got %q", k)
	}
}

// uploadDataset is POST /v1/datasets?kind=candidates|structures|proposals&name=.
func (s *Handlers) uploadDataset(c *gin.Context) error {
	kind, err := uploadKind(c)
	if err != nil {
		return err
	}
	d, err := s.env.ParseUpload(c, kind)
	if err != nil {
		return err
	}
	if err := s.env.CheckRowCount(string(kind), d.Meta.Rows); err != nil {
		return err
	}
	if err := httpx.ScopeFrom(c).CheckUpload(d); err != nil {
		return err
	}
	if err := c.Request.Context().Err(); err != nil {
		return err // the client went away: store nothing
	}
	info, err := s.env.Registry.Datasets().Add(d)
	if err != nil {
		return err
	}
	c.Header("Location", "/v1/datasets/"+info.ID)
	c.JSON(http.StatusCreated, info)
	return nil
}

// datasetList is the body of GET /v1/datasets.
type datasetList struct {
	Items []registry.DatasetInfo `json:"items"`
	Total int                    `json:"total"`
}

// listDatasets is GET /v1/datasets: built-in then stored datasets, as the
// token sees them (Env.Listed: a scoped token's rows and counts are
// those in its départements).
func (s *Handlers) listDatasets(c *gin.Context) error {
	all, err := s.env.Registry.Datasets().List()
	if err != nil {
		return err
	}
	sc := httpx.ScopeFrom(c)
	items := make([]registry.DatasetInfo, 0, len(all))
	for _, info := range all {
		info, ok, err := s.env.Listed(sc, info)
		if err != nil {
			return err
		}
		if ok {
			items = append(items, info)
		}
	}
	c.JSON(http.StatusOK, datasetList{Items: items, Total: len(items)})
	return nil
}

// datasetView is the body of GET /v1/datasets/:id.
type datasetView struct {
	Dataset registry.DatasetInfo `json:"dataset"`
	Total   int                  `json:"total"`
	Offset  int                  `json:"offset"`
	Limit   int                  `json:"limit"`
	Items   any                  `json:"items,omitempty"`
	Next    string               `json:"next,omitempty"`
	Result  string               `json:"result,omitempty"` // match results: where to page through them
}

// getDataset is GET /v1/datasets/:id?limit=&offset=&format=json|geojson.
func (s *Handlers) getDataset(c *gin.Context) error {
	id := c.Param("id")
	format, err := httpx.Format(c, "json", "geojson")
	if err != nil {
		return err
	}
	limit, offset, err := httpx.PageParams(c)
	if err != nil {
		return err
	}
	d, builtin, err := s.env.Dataset(c, id)
	if err != nil {
		return err
	}
	if d.Meta.Kind == data.KindMatchResult {
		if format == "geojson" {
			return httpx.BadParam("format", "a match result has no geometry: GET /v1/match/%s", id)
		}
		c.JSON(http.StatusOK, datasetView{Dataset: registry.DatasetInfo{DatasetMeta: d.Meta}, Total: d.Meta.Rows,
			Limit: limit, Offset: offset, Result: "/v1/match/" + id})
		return nil
	}
	info := registry.DatasetInfo{DatasetMeta: d.Meta, Builtin: builtin}
	var p rowsPage
	switch {
	case d.Candidates != nil:
		p = pageOf(d.Candidates, limit, offset, func(r *people.Candidate) (string, orb.Point) { return r.ID, r.Point })
	case d.Sites != nil:
		p = pageOf(d.Sites, limit, offset, func(r *data.Site) (string, orb.Point) { return r.ID, r.Point })
	default:
		p = pageOf(d.Structures, limit, offset, func(r *people.Structure) (string, orb.Point) { return r.ID, r.Point })
	}
	next := httpx.NextLink(c.Request.URL.Path, c.Request.URL.Query(), p.total, limit, offset)
	if format == "geojson" {
		fc := p.features()
		fc.ExtraMembers = geojson.Properties{"dataset": info, "total": p.total, "offset": offset, "limit": limit}
		if next != "" {
			fc.ExtraMembers["next"] = next
		}
		httpx.WriteGeoJSON(c, fc)
		return nil
	}
	c.JSON(http.StatusOK, datasetView{Dataset: info, Total: p.total, Offset: offset, Limit: limit, Items: p.items, Next: next})
	return nil
}

// rowsPage is a window of the rows of a dataset.
type rowsPage struct {
	total    int
	items    any                               // the rows of the window
	features func() *geojson.FeatureCollection // the same as Point features
}

// pageOf returns the window [offset, offset+limit) of rows; at gives a
// row's id and point.
func pageOf[T any](rows []T, limit, offset int, at func(*T) (string, orb.Point)) rowsPage {
	lo, hi := httpx.PageWindow(len(rows), limit, offset)
	win := rows[lo:hi]
	return rowsPage{total: len(rows), items: win, features: func() *geojson.FeatureCollection {
		fc := geojson.NewFeatureCollection()
		for i := range win {
			id, pt := at(&win[i])
			f := geojson.NewFeature(pt)
			f.ID = id
			f.Properties = httpx.ToProperties(win[i])
			delete(f.Properties, "point")
			fc.Append(f)
		}
		return fc
	}}
}

// deleteDataset is DELETE /v1/datasets/:id (409 for a built-in dataset; a
// département-scoped token may only delete datasets all in its scope, and
// gets 404 for one it sees no row of).
func (s *Handlers) deleteDataset(c *gin.Context) error {
	id := c.Param("id")
	if sc := httpx.ScopeFrom(c); !sc.National {
		d, builtin, err := s.env.SeeDataset(c, id)
		if err != nil {
			return err
		}
		if !builtin && !sc.AllowsAll(d.Meta.Departements) {
			return httpx.ErrPartlyOutside("dataset")
		}
	}
	if err := s.env.Registry.Datasets().Delete(id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
