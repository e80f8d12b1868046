package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/matching"
)

// Machine codes of the dataset and match errors.
const (
	CodeInvalidRows   = "invalid_rows"
	CodeConflict      = "conflict"
	CodeMatchTooLarge = "match_too_large"
)

// Pages of dataset rows and match results.
const (
	defaultPageLimit = 1000
	maxPageLimit     = 10000
	maxMultipartMem  = 32 << 20 // multipart bodies beyond it spill to temporary files
)

// datasetRoutes registers the dataset endpoints.
func (s *Server) datasetRoutes(r gin.IRouter) {
	r.POST("/datasets", s.boundUpload(), handleRows(s.uploadDataset))
	r.GET("/datasets", handle(s.listDatasets))
	r.GET("/datasets/:id", handle(s.getDataset))
	r.DELETE("/datasets/:id", handle(s.deleteDataset))
}

// invalidRowsBody is the 400 answer to a file with invalid rows.
type invalidRowsBody struct {
	Error       string          `json:"error"`
	Message     string          `json:"message"`
	Rows        []data.RowError `json:"rows"`
	TotalErrors int             `json:"total_errors"`
}

// handleRows is handle, answering a *data.LoadErrors with the rows at fault.
func handleRows(h func(c *gin.Context) error) gin.HandlerFunc {
	return handle(func(c *gin.Context) error {
		err := h(c)
		var le *data.LoadErrors
		if !errors.As(err, &le) {
			return err
		}
		msg := fmt.Sprintf("%s: file rejected, %d invalid row(s), nothing loaded", le.File, le.Count())
		if le.More > 0 {
			msg += fmt.Sprintf(" (the first %d listed)", len(le.Errors))
		}
		if len(le.Errors) > 0 {
			msg += "; first: " + le.Errors[0].Error()
		}
		c.AbortWithStatusJSON(http.StatusBadRequest, invalidRowsBody{Error: CodeInvalidRows, Message: msg, Rows: le.Errors, TotalErrors: le.Count()})
		return nil
	})
}

// uploadKind parses kind= among the uploadable kinds.
func uploadKind(c *gin.Context) (data.DatasetKind, error) {
	switch k := data.DatasetKind(c.Query("kind")); k {
	case data.KindCandidates, data.KindStructures, data.KindProposals:
		return k, nil
	case "":
		return "", badParam("kind", "required: candidates, structures or proposals")
	default:
		return "", badParam("kind", "want candidates, structures or proposals, got %q", k)
	}
}

// readBody reads the whole request body (bounded by the body limit).
func readBody(c *gin.Context) ([]byte, error) {
	b, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, &Error{Status: http.StatusBadRequest, Code: CodeBadBody, Message: "reading the body: " + err.Error()}
	}
	return b, nil
}

// mediaType returns the request's media type, lower case, without
// parameters.
func mediaType(c *gin.Context) string {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// parseMultipart parses a multipart/form-data body, mapping its errors.
func parseMultipart(c *gin.Context) error {
	if err := c.Request.ParseMultipartForm(maxMultipartMem); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return &Error{Status: http.StatusBadRequest, Code: CodeBadBody, Message: "multipart body: " + err.Error()}
	}
	return nil
}

// formatOf returns the format given by format=, else by the media type
// (FormatUnknown lets the loader sniff the content).
func formatOf(c *gin.Context, mt string) (data.Format, error) {
	if f := c.Query("format"); f != "" {
		ff, err := data.ParseFormat(f)
		if err != nil {
			return 0, badParam("format", "%v", err)
		}
		return ff, nil
	}
	switch mt {
	case "text/csv", "application/csv", "text/tab-separated-values":
		return data.FormatCSV, nil
	case "application/geo+json":
		return data.FormatGeoJSON, nil
	}
	return data.FormatUnknown, nil // application/json is a JSON array or a GeoJSON FeatureCollection: sniffed
}

// parseUpload reads the rows of an upload: the body itself (CSV, JSON or
// GeoJSON by Content-Type, format= or sniffing) or the multipart file field
// "file".
func (s *Server) parseUpload(c *gin.Context, kind data.DatasetKind) (*data.Dataset, error) {
	mt := mediaType(c)
	format, err := formatOf(c, mt)
	if err != nil {
		return nil, err
	}
	name := c.Query("name")
	var body io.Reader
	source := name
	if mt == "multipart/form-data" {
		if err := parseMultipart(c); err != nil {
			return nil, err
		}
		f, fh, err := c.Request.FormFile("file")
		if err != nil {
			return nil, badParam("file", "multipart upload needs a file field named file")
		}
		defer f.Close()
		body, source = f, fh.Filename
	} else {
		b, err := readBody(c)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	if source == "" {
		source = string(kind)
	}
	d, err := s.registry.ParseDataset(kind, source, body, format, s.decodeLimits())
	if err != nil {
		return nil, err
	}
	if name != "" {
		d.Meta.Name = name
	}
	return d, nil
}

// decodeLimits are the bounds on reading one uploaded file: bytes once
// inflated as the body limit (a gzip body cannot expand past what a plain
// one may hold), rows as MaxRows, counted while parsing.
func (s *Server) decodeLimits() data.DecodeLimits {
	return data.DecodeLimits{MaxBytes: s.cfg.MaxBodyBytes, MaxRows: s.cfg.MaxRows,
		MaxColumns: s.cfg.MaxColumns, MaxFieldBytes: s.cfg.MaxFieldBytes}
}

// uploadDataset is POST /v1/datasets?kind=candidates|structures|proposals&name=.
func (s *Server) uploadDataset(c *gin.Context) error {
	kind, err := uploadKind(c)
	if err != nil {
		return err
	}
	d, err := s.parseUpload(c, kind)
	if err != nil {
		return err
	}
	if err := s.checkRowCount(string(kind), d.Meta.Rows); err != nil {
		return err
	}
	if err := scopeFrom(c).CheckUpload(d); err != nil {
		return err
	}
	if err := c.Request.Context().Err(); err != nil {
		return err // the client went away: store nothing
	}
	info, err := s.registry.AddDataset(d)
	if err != nil {
		return err
	}
	c.Header("Location", "/v1/datasets/"+info.ID)
	c.JSON(http.StatusCreated, info)
	return nil
}

// datasetList is the body of GET /v1/datasets.
type datasetList struct {
	Items []matching.DatasetInfo `json:"items"`
	Total int                    `json:"total"`
}

// listDatasets is GET /v1/datasets: built-in then stored datasets, as the
// token sees them (Server.listed: a scoped token's rows and counts are
// those in its départements).
func (s *Server) listDatasets(c *gin.Context) error {
	all, err := s.registry.Datasets()
	if err != nil {
		return err
	}
	sc := scopeFrom(c)
	items := make([]matching.DatasetInfo, 0, len(all))
	for _, info := range all {
		info, ok, err := s.listed(sc, info)
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

// pageParams parses limit= (1 to maxPageLimit, default defaultPageLimit)
// and offset=.
func pageParams(c *gin.Context) (limit, offset int, err error) {
	if limit, err = queryInt(c, "limit", defaultPageLimit, 1, maxPageLimit); err != nil {
		return 0, 0, err
	}
	offset, err = queryInt(c, "offset", 0, 0, 1<<30)
	return limit, offset, err
}

// nextLink returns the link to the page after [offset, offset+limit) of n
// items, "" on the last page; q holds the other query parameters.
func nextLink(path string, q url.Values, n, limit, offset int) string {
	if offset+limit >= n {
		return ""
	}
	q.Set("offset", strconv.Itoa(offset+limit))
	q.Set("limit", strconv.Itoa(limit))
	return path + "?" + q.Encode()
}

// datasetView is the body of GET /v1/datasets/:id.
type datasetView struct {
	Dataset matching.DatasetInfo `json:"dataset"`
	Total   int                  `json:"total"`
	Offset  int                  `json:"offset"`
	Limit   int                  `json:"limit"`
	Items   any                  `json:"items,omitempty"`
	Next    string               `json:"next,omitempty"`
	Result  string               `json:"result,omitempty"` // match results: where to page through them
}

// getDataset is GET /v1/datasets/:id?limit=&offset=&format=json|geojson.
func (s *Server) getDataset(c *gin.Context) error {
	id := c.Param("id")
	format, err := coverageFormat(c, "json", "geojson")
	if err != nil {
		return err
	}
	limit, offset, err := pageParams(c)
	if err != nil {
		return err
	}
	d, builtin, err := s.dataset(c, id)
	if err != nil {
		return err
	}
	if d.Meta.Kind == data.KindMatchResult {
		if format == "geojson" {
			return badParam("format", "a match result has no geometry: GET /v1/match/%s", id)
		}
		c.JSON(http.StatusOK, datasetView{Dataset: matching.DatasetInfo{DatasetMeta: d.Meta}, Total: d.Meta.Rows,
			Limit: limit, Offset: offset, Result: "/v1/match/" + id})
		return nil
	}
	info := matching.DatasetInfo{DatasetMeta: d.Meta, Builtin: builtin}
	var p rowsPage
	switch {
	case d.Candidates != nil:
		p = pageOf(d.Candidates, limit, offset, func(r *data.Candidate) (string, orb.Point) { return r.ID, r.Point })
	case d.Sites != nil:
		p = pageOf(d.Sites, limit, offset, func(r *data.Site) (string, orb.Point) { return r.ID, r.Point })
	default:
		p = pageOf(d.Structures, limit, offset, func(r *data.Structure) (string, orb.Point) { return r.ID, r.Point })
	}
	next := nextLink(c.Request.URL.Path, c.Request.URL.Query(), p.total, limit, offset)
	if format == "geojson" {
		fc := p.features()
		fc.ExtraMembers = geojson.Properties{"dataset": info, "total": p.total, "offset": offset, "limit": limit}
		if next != "" {
			fc.ExtraMembers["next"] = next
		}
		writeGeoJSON(c, fc)
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
	lo, hi := pageWindow(len(rows), limit, offset)
	win := rows[lo:hi]
	return rowsPage{total: len(rows), items: win, features: func() *geojson.FeatureCollection {
		fc := geojson.NewFeatureCollection()
		for i := range win {
			id, pt := at(&win[i])
			f := geojson.NewFeature(pt)
			f.ID = id
			f.Properties = toProperties(win[i])
			delete(f.Properties, "point")
			fc.Append(f)
		}
		return fc
	}}
}

// deleteDataset is DELETE /v1/datasets/:id (409 for a built-in dataset; a
// département-scoped token may only delete datasets all in its scope, and
// gets 404 for one it sees no row of).
func (s *Server) deleteDataset(c *gin.Context) error {
	id := c.Param("id")
	if sc := scopeFrom(c); !sc.National {
		d, builtin, err := s.seeDataset(c, id)
		if err != nil {
			return err
		}
		if !builtin && !sc.AllowsAll(d.Meta.Departements) {
			return errPartlyOutside("dataset")
		}
	}
	if err := s.registry.DeleteDataset(id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
