package territory

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"

	"github.com/gin-gonic/gin"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/paulmach/orb"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/param"
	"github.com/maillage/maillage/matching/lookup"
)

// Batch lookups: POST /v1/communes/at and POST /v1/sites/nearest take many
// points (CSV lon,lat[,id], a JSON array of {lon, lat, id} or a GeoJSON
// FeatureCollection of points, read by people.ReadPoints under the upload
// bounds) and answer one item per point, in their order, as JSON, CSV or
// GeoJSON (format=, else Accept). Like their GET forms they are open: the
// points are the caller's own and the answers public data.

// batchFormats are the answer formats of the batch routes, the default first.
var batchFormats = []string{"json", "csv", "geojson"}

// batchFormat picks the answer format: format=, else the Accept header
// (text/csv, application/geo+json), else JSON.
func batchFormat(c *gin.Context) (string, error) {
	if f := c.Query("format"); f != "" {
		return f, httpx.ParamError(param.Format(batchFormats...).Check(f))
	}
	accept := c.GetHeader("Accept")
	switch {
	case strings.Contains(accept, "text/csv"):
		return "csv", nil
	case strings.Contains(accept, httpx.GeoJSONType):
		return "geojson", nil
	}
	return "json", nil
}

// readPoints reads the points of a batch request body: its format from the
// Content-Type (text/csv, application/geo+json; JSON sniffed as an array or
// a FeatureCollection), bounded as uploads are (s.env.DecodeLimits).
func (s *Handlers) readPoints(c *gin.Context) ([]people.PointRow, []orb.Point, error) {
	format := textio.FormatUnknown
	switch httpx.MediaType(c) {
	case "text/csv", "application/csv", "text/tab-separated-values":
		format = textio.FormatCSV
	case "application/geo+json":
		format = textio.FormatGeoJSON
	}
	rows, _, err := people.ReadPoints(c.Request.Body, "points", format, s.env.DecodeLimits())
	httpx.ReleaseUpload(c) // the body is read: give back its upload units
	if err != nil {
		return nil, nil, err
	}
	pts := make([]orb.Point, len(rows))
	for i := range rows {
		pts[i] = rows[i].Point
	}
	return rows, pts, nil
}

// batchWriter streams the items of a batch answer in one of the formats.
type batchWriter struct {
	w      *bufio.Writer
	format string
	n      int
	buf    []byte
}

// batchHeaders writes the status and headers of a batch answer in format.
func batchHeaders(c *gin.Context, format, filename string) {
	switch format {
	case "csv":
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", `attachment; filename="`+filename+`"`)
	case "geojson":
		c.Header("Content-Type", httpx.GeoJSONType)
	default:
		c.Header("Content-Type", httpx.JSONType)
	}
	c.Status(http.StatusOK)
}

// newBatchWriter writes the start of a batch answer's body to w; header is
// the CSV header row.
func newBatchWriter(w io.Writer, format string, header []string) *batchWriter {
	bw := &batchWriter{w: bufio.NewWriterSize(w, 64<<10), format: format}
	switch format {
	case "csv":
		bw.w.Write(csvFields(header...))
		bw.w.WriteByte('\n')
	case "geojson":
		bw.w.WriteString(`{"type":"FeatureCollection","features":[`)
	default:
		bw.w.WriteString(`{"items":[`)
	}
	return bw
}

// item writes one point's answer: props are the JSON members after the
// point's own ("id", "lon", "lat"), starting with a comma, or nothing.
func (bw *batchWriter) item(p people.PointRow, props []byte) {
	if bw.n > 0 {
		bw.w.WriteByte(',')
	}
	bw.n++
	b := bw.buf[:0]
	if bw.format == "geojson" {
		b = append(b, `{"type":"Feature","geometry":{"type":"Point","coordinates":[`...)
		b, _ = httpx.AppendReal(b, p.Point[0], 64)
		b = append(b, ',')
		b, _ = httpx.AppendReal(b, p.Point[1], 64)
		b = append(b, `]},"properties":{`...)
	} else {
		b = append(b, '{')
	}
	b = append(b, `"id":`...)
	b, _ = jsontext.AppendQuote(b, p.ID)
	if bw.format != "geojson" {
		b = append(b, `,"lon":`...)
		b, _ = httpx.AppendReal(b, p.Point[0], 64)
		b = append(b, `,"lat":`...)
		b, _ = httpx.AppendReal(b, p.Point[1], 64)
	}
	b = append(b, props...)
	b = append(b, '}')
	if bw.format == "geojson" {
		b = append(b, '}')
	}
	bw.w.Write(b)
	bw.buf = b
}

// row writes one CSV row: the point's id, lon and lat, then the rest of
// the row, already encoded (csvFields), starting with a comma.
func (bw *batchWriter) row(p people.PointRow, rest []byte) {
	b := bw.buf[:0]
	if strings.ContainsAny(p.ID, "\",\r\n \t") || p.ID == `\.` {
		b = append(b, csvFields(p.ID)...) // quoted as encoding/csv would
	} else {
		b = append(b, p.ID...)
	}
	b = append(b, ',')
	b = strconv.AppendFloat(b, p.Point[0], 'f', -1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, p.Point[1], 'f', -1, 64)
	b = append(b, rest...)
	b = append(b, '\n')
	bw.w.Write(b)
	bw.buf = b
}

// csvFields encodes fields as one CSV record without its line end, as
// encoding/csv writes them.
func csvFields(fields ...string) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(fields)
	w.Flush()
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// close ends the body with the total.
func (bw *batchWriter) close() error {
	if bw.format != "csv" {
		bw.w.WriteString(`],"total":`)
		bw.w.WriteString(strconv.Itoa(bw.n))
		bw.w.WriteString("}")
	}
	return bw.w.Flush()
}

// formatCoord writes a coordinate as given (shortest form).
func formatCoord(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// communeCSVHeader are the columns of POST /v1/communes/at?format=csv.
var communeCSVHeader = []string{"id", "lon", "lat", "code", "nom", "departement", "region", "epci", "population", "area_km2"}

// communesAtBatch is POST /v1/communes/at: the commune containing each
// point (the rule of GET /v1/communes/at), null (empty CSV fields) when
// none.
func (s *Handlers) communesAtBatch(c *gin.Context) error {
	format, err := batchFormat(c)
	if err != nil {
		return err
	}
	rows, pts, err := s.readPoints(c)
	if err != nil {
		return err
	}
	found := lookup.CommunesAt(s.env.EngineOf(c), pts)
	batchHeaders(c, format, "communes-at.csv")
	return WriteCommunesAt(c.Writer, format, rows, found)
}

// WriteCommunesAt writes the answer of POST /v1/communes/at in format
// (json, csv or geojson): for every point of rows, in order, the commune
// found[i] containing it, or none (nil). The CLI (maillage locate) writes
// its answers with it.
func WriteCommunesAt(w io.Writer, format string, rows []people.PointRow, found []*data.Commune) error {
	bw := newBatchWriter(w, format, communeCSVHeader)
	// A commune's answer is encoded once, then copied for its other points.
	cached := map[*data.Commune][]byte{}
	noneCSV := []byte(",,,,,,,")
	for i, p := range rows {
		com := found[i]
		if format == "csv" {
			if com == nil {
				bw.row(p, noneCSV)
				continue
			}
			rest, ok := cached[com]
			if !ok {
				rest = append([]byte{','}, csvFields(com.Code, com.Name, com.Departement, com.Region, com.EPCI,
					strconv.Itoa(com.Population), strconv.FormatFloat(httpx.Round(com.AreaKm2, 3), 'f', -1, 64))...)
				cached[com] = rest
			}
			bw.row(p, rest)
			continue
		}
		if com == nil {
			bw.item(p, []byte(`,"commune":null`))
			continue
		}
		props, ok := cached[com]
		if !ok {
			v, err := httpx.MarshalJSON(newCommuneView(com))
			if err != nil {
				return err
			}
			props = append([]byte(`,"commune":`), v...)
			cached[com] = props
		}
		bw.item(p, props)
	}
	return bw.close()
}

// nearestCSVHeader are the columns of POST /v1/sites/nearest?format=csv:
// one row per point and site, rank 1 the nearest.
var nearestCSVHeader = []string{"id", "lon", "lat", "rank", "site_id", "site_name", "layer", "kind", "itinerant",
	"site_commune", "site_departement", "site_lon", "site_lat", "distance_m"}

// sitesNearestBatch is POST /v1/sites/nearest: the k sites nearest to each
// point (k= and layers= as GET /v1/sites/nearest).
func (s *Handlers) sitesNearestBatch(c *gin.Context) error {
	format, err := batchFormat(c)
	if err != nil {
		return err
	}
	k, layers, err := s.nearestParams(c)
	if err != nil {
		return err
	}
	rows, pts, err := s.readPoints(c)
	if err != nil {
		return err
	}
	hits := lookup.NearestSitesEach(s.env.EngineOf(c), pts, k, layers)
	batchHeaders(c, format, "sites-nearest.csv")
	return WriteSitesNearest(c.Writer, format, rows, hits)
}

// WriteSitesNearest writes the answer of POST /v1/sites/nearest in format
// (json, csv or geojson): for every point of rows, in order, its nearest
// sites hits[i]. The CLI (maillage locate --nearest) writes its answers
// with it.
func WriteSitesNearest(w io.Writer, format string, rows []people.PointRow, hits [][]lookup.SiteHit) error {
	bw := newBatchWriter(w, format, nearestCSVHeader)
	var props bytes.Buffer
	for i, p := range rows {
		refs := make([]*siteRef, len(hits[i]))
		for j, h := range hits[i] {
			refs[j] = newSiteRef(h.Site, h.DistanceM)
		}
		if format == "csv" {
			for j, r := range refs {
				bw.row(p, append([]byte{','}, csvFields(strconv.Itoa(j+1), r.ID, r.Name, r.Layer, string(r.Kind), strconv.FormatBool(r.Itinerant),
					r.Commune, r.Departement, formatCoord(r.Lon), formatCoord(r.Lat), strconv.FormatFloat(r.DistanceM, 'f', -1, 64))...))
			}
			continue
		}
		v, err := httpx.MarshalJSON(refs)
		if err != nil {
			return err
		}
		props.Reset()
		props.WriteString(`,"sites":`)
		props.Write(v)
		bw.item(p, props.Bytes())
	}
	return bw.close()
}
