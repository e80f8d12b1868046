package httpx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"

	"github.com/gin-gonic/gin"
	"github.com/maillage/maillage/data"
)

// InvalidRowsBody is the 400 answer to a file with invalid rows.
type InvalidRowsBody struct {
	Error       string            `json:"error"`
	Message     string            `json:"message"`
	Rows        []textio.RowError `json:"rows"`
	TotalErrors int               `json:"total_errors"`
}

// HandleRows is handle, answering a *people.LoadErrors with the rows at fault.
func HandleRows(h func(c *gin.Context) error) gin.HandlerFunc {
	return Handle(func(c *gin.Context) error {
		err := h(c)
		var le *people.LoadErrors
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
		c.AbortWithStatusJSON(http.StatusBadRequest, InvalidRowsBody{Error: CodeInvalidRows, Message: msg, Rows: le.Errors, TotalErrors: le.Count()})
		return nil
	})
}

// ReadBody reads the whole request body (bounded by the body limit).
func ReadBody(c *gin.Context) ([]byte, error) {
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

// MediaType returns the request's media type, lower case, without
// parameters.
func MediaType(c *gin.Context) string {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// ParseMultipart parses a multipart/form-data body, mapping its errors.
func ParseMultipart(c *gin.Context) error {
	if err := c.Request.ParseMultipartForm(MaxMultipartMem); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return &Error{Status: http.StatusBadRequest, Code: CodeBadBody, Message: "multipart body: " + err.Error()}
	}
	return nil
}

// FormatOf returns the format given by format=, else by the media type
// (FormatUnknown lets the loader sniff the content).
func FormatOf(c *gin.Context, mt string) (textio.Format, error) {
	if f := c.Query("format"); f != "" {
		ff, err := textio.ParseFormat(f)
		if err != nil {
			return 0, BadParam("format", "%v", err)
		}
		return ff, nil
	}
	switch mt {
	case "text/csv", "application/csv", "text/tab-separated-values":
		return textio.FormatCSV, nil
	case "application/geo+json":
		return textio.FormatGeoJSON, nil
	}
	return textio.FormatUnknown, nil // application/json is a JSON array or a GeoJSON FeatureCollection: sniffed
}

// ParseUpload reads the rows of an upload: the body itself (CSV, JSON or
// GeoJSON by Content-Type, format= or sniffing) or the multipart file field
// "file".
func (s *Env) ParseUpload(c *gin.Context, kind data.DatasetKind) (*data.Dataset, error) {
	mt := MediaType(c)
	format, err := FormatOf(c, mt)
	if err != nil {
		return nil, err
	}
	name := c.Query("name")
	var body io.Reader
	source := name
	if mt == "multipart/form-data" {
		if err := ParseMultipart(c); err != nil {
			return nil, err
		}
		f, fh, err := c.Request.FormFile("file")
		if err != nil {
			return nil, BadParam("file", "multipart upload needs a file field named file")
		}
		defer f.Close()
		body, source = f, fh.Filename
	} else {
		b, err := ReadBody(c)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	if source == "" {
		source = string(kind)
	}
	d, err := s.Registry.Datasets().Parse(kind, source, body, format, s.DecodeLimits())
	if err != nil {
		return nil, err
	}
	if name != "" {
		d.Meta.Name = name
	}
	return d, nil
}

// DecodeLimits are the bounds on reading one uploaded file: bytes once
// inflated as the body limit (a gzip body cannot expand past what a plain
// one may hold), rows as MaxRows, counted while parsing.
func (s *Env) DecodeLimits() textio.DecodeLimits {
	return textio.DecodeLimits{MaxBytes: s.MaxBodyBytes, MaxRows: s.MaxRows,
		MaxColumns: s.MaxColumns, MaxFieldBytes: s.MaxFieldBytes}
}

// PageParams parses limit= (1 to MaxPageLimit, default DefaultPageLimit)
// and offset=.
func PageParams(c *gin.Context) (limit, offset int, err error) {
	if limit, err = QueryInt(c, "limit", DefaultPageLimit, 1, MaxPageLimit); err != nil {
		return 0, 0, err
	}
	offset, err = QueryInt(c, "offset", 0, 0, 1<<30)
	return limit, offset, err
}

// NextLink returns the link to the page after [offset, offset+limit) of n
// items, "" on the last page; q holds the other query parameters.
func NextLink(path string, q url.Values, n, limit, offset int) string {
	if offset+limit >= n {
		return ""
	}
	q.Set("offset", strconv.Itoa(offset+limit))
	q.Set("limit", strconv.Itoa(limit))
	return path + "?" + q.Encode()
}

// PageWindow returns the [offset, offset+limit) window of n items.
func PageWindow(n, limit, offset int) (lo, hi int) {
	lo = min(offset, n)
	return lo, min(n, lo+limit)
}

// Machine codes of the limit errors.
const (
	CodeTooManyRows = "too_many_rows"
	CodeRateLimited = "rate_limited"
)

// CheckRowCount refuses (413) an upload of more than cfg.MaxRows rows.
// Upload handlers call it once the rows are parsed; the body size limit
// already bounds the memory parsing takes.
func (s *Env) CheckRowCount(what string, n int) error {
	if n > s.MaxRows {
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooManyRows,
			Message: fmt.Sprintf("%d %s exceed the limit of %d rows per upload", n, what, s.MaxRows)}
	}
	return nil
}

// Pages of dataset rows and match results.
const (
	DefaultPageLimit = 1000
	MaxPageLimit     = 10000
	MaxMultipartMem  = 32 << 20 // multipart bodies beyond it spill to temporary files
)
