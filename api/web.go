package api

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// webFiles holds the built-in map: our page (index.html, app.js, app.css)
// and MapLibre GL JS vendored from its npm package (see
// web/vendor/refresh.sh). Nothing is fetched from the internet.
//
//go:embed web/index.html web/app.js web/app.css web/vendor/maplibre-gl
var webFiles embed.FS

// webAsset is one embedded file ready to serve: its bytes, their gzip form
// (made on first request) and a content ETag.
type webAsset struct {
	body        []byte
	contentType string
	etag        string

	gzOnce sync.Once
	gz     []byte
}

// webAssets maps request paths ("/", "/static/app.js", ...) to files.
type webAssets map[string]*webAsset

// newWebAssets reads every embedded file once.
func newWebAssets() (webAssets, error) {
	out := webAssets{}
	err := fs.WalkDir(webFiles, "web", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := webFiles.ReadFile(p)
		if err != nil {
			return err
		}
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		if strings.HasPrefix(ct, "text/") && !strings.Contains(ct, "charset") {
			ct += "; charset=utf-8"
		}
		sum := sha256.Sum256(b)
		a := &webAsset{body: b, contentType: ct, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		rel := strings.TrimPrefix(p, "web/")
		out["/static/"+rel] = a
		if rel == "index.html" {
			out["/"] = a
		}
		return nil
	})
	return out, err
}

// webRoutes registers the map page at / and its files under /static/.
func (s *Server) webRoutes(r gin.IRouter) {
	assets, err := newWebAssets()
	if err != nil {
		// The files are embedded at build time: failing here is a build defect.
		s.cfg.Logger.Error("built-in map unavailable", "err", err)
		return
	}
	serve := func(c *gin.Context) {
		p := c.Request.URL.Path
		a, ok := assets[p]
		if !ok {
			writeError(c, notFound("no file %s", p))
			return
		}
		a.serve(c)
	}
	r.GET("/", serve)
	r.HEAD("/", serve)
	r.GET("/static/*file", serve)
	r.HEAD("/static/*file", serve)
}

// serve writes the asset with its ETag (304 when the client has it) and
// gzip when the client accepts it.
func (a *webAsset) serve(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("ETag", a.etag)
	h.Set("Cache-Control", "no-cache") // revalidate: cheap, and never stale after an upgrade
	h.Set("X-Content-Type-Options", "nosniff")
	h.Add("Vary", "Accept-Encoding")
	if inm := c.GetHeader("If-None-Match"); inm != "" && etagMatches(inm, a.etag) {
		c.Status(http.StatusNotModified)
		return
	}
	body := a.body
	if acceptsGzip(c.GetHeader("Accept-Encoding")) && len(a.body) > 1024 {
		a.gzOnce.Do(a.compress)
		if a.gz != nil {
			h.Set("Content-Encoding", "gzip")
			body = a.gz
		}
	}
	c.Data(http.StatusOK, a.contentType, body)
}

// compress fills a.gz (left nil when compression fails: plain is served).
func (a *webAsset) compress() {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return
	}
	if _, err := zw.Write(a.body); err != nil {
		return
	}
	if err := zw.Close(); err != nil {
		return
	}
	a.gz = buf.Bytes()
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip
// (listed, and not with q=0).
func acceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "q") {
				q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				return err == nil && q > 0
			}
		}
		return true
	}
	return false
}

// etagMatches reports whether an If-None-Match header lists etag (or *).
func etagMatches(inm, etag string) bool {
	for _, t := range strings.Split(inm, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}
