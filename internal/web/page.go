// Package web serves the built-in map page (static/: our index.html,
// app.js and app.css, and MapLibre GL JS vendored from its npm package),
// and holds the HTTP caching helpers (content ETags, If-None-Match, gzip)
// that the page, the layers and the tiles share.
package web

import (
	"compress/gzip"
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
)

// files holds the built-in map: our page and MapLibre GL JS vendored from
// its npm package (see static/vendor/refresh.sh). Nothing is fetched from
// the internet.
//
//go:embed static/index.html static/app.js static/recruit.js static/app.css static/vendor/maplibre-gl
var files embed.FS

// File returns an embedded file by its name under static/ ("app.js").
func File(name string) ([]byte, error) { return files.ReadFile("static/" + name) }

// Asset is one embedded file ready to serve: its bytes, their gzip form
// (made in the background by NewPage, or by the first request that needs
// it) and a content ETag.
type Asset struct {
	body        []byte
	contentType string
	etag        string

	gzOnce sync.Once
	gz     []byte
}

// Page maps request paths ("/", "/static/app.js", ...) to the embedded
// files.
type Page struct{ assets map[string]*Asset }

// NewPage reads every embedded file once, and compresses them in the
// background: the first visit after a start then finds MapLibre's 1 MB
// script gzipped rather than waiting for it (80–190 ms at best compression,
// seconds on a loaded machine, on the map's first render; issue 15).
func NewPage() (*Page, error) {
	p := &Page{assets: map[string]*Asset{}}
	err := fs.WalkDir(files, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(name)
		if err != nil {
			return err
		}
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = "application/octet-stream"
		}
		if strings.HasPrefix(ct, "text/") && !strings.Contains(ct, "charset") {
			ct += "; charset=utf-8"
		}
		// A strong ETag: the bytes sent are these or their gzip form,
		// told apart by Vary.
		a := &Asset{body: b, contentType: ct, etag: strings.TrimPrefix(ContentETag(b), "W/")}
		rel := strings.TrimPrefix(name, "static/")
		p.assets["/static/"+rel] = a
		if rel == "index.html" {
			p.assets["/"] = a
		}
		return nil
	})
	if err == nil {
		go p.compress()
	}
	return p, err
}

// compress makes the gzip form of every asset that is worth it.
func (p *Page) compress() {
	for _, a := range p.assets {
		a.gzip()
	}
}

// gzip makes the gzip form of a (once; nil when compression fails or the
// file is too small to gain) and returns it.
func (a *Asset) gzip() []byte {
	a.gzOnce.Do(func() {
		if len(a.body) > 1024 {
			a.gz = Gzip(a.body, gzip.BestCompression)
		}
	})
	return a.gz
}

// Lookup returns the file served at a request path.
func (p *Page) Lookup(urlPath string) (*Asset, bool) {
	a, ok := p.assets[urlPath]
	return a, ok
}

// ServeHTTP writes the asset with its ETag (304 when the client has it) and
// gzip when the client accepts it.
func (a *Asset) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("ETag", a.etag)
	h.Set("Cache-Control", "no-cache") // revalidate: cheap, and never stale after an upgrade
	h.Set("X-Content-Type-Options", "nosniff")
	h.Add("Vary", "Accept-Encoding")
	if ETagMatches(r.Header.Get("If-None-Match"), a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.body
	if AcceptsGzip(r.Header.Get("Accept-Encoding")) {
		if gz := a.gzip(); gz != nil {
			h.Set("Content-Encoding", "gzip")
			body = gz
		}
	}
	h.Set("Content-Type", a.contentType)
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body) // a client gone away is not an error of the page
	}
}
