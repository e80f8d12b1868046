// Package admin serves the national operations of the API: reloading the
// data, uploading and deleting service layers at run time, and backing up
// the state database. Every route needs a national token.
package admin

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/api/layers"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/layerconf"
	"github.com/maillage/maillage/matching"
)

// Handlers serves the reload, the layer uploads and the backup.
type Handlers struct {
	env       *httpx.Env
	reload    func(context.Context) (matching.ReloadReport, error) // Server.Reload
	canReload func() bool                                          // false: the server has no Loader, reloads answer 409
}

// New returns the handlers over env; reload runs a reload, which
// canReload says the server can run (it has a loader).
func New(env *httpx.Env, reload func(context.Context) (matching.ReloadReport, error), canReload func() bool) *Handlers {
	return &Handlers{env: env, reload: reload, canReload: canReload}
}

// Routes registers the backup, the reload and the layer uploads (national
// token, isProtected).
func (s *Handlers) Routes(v1 *gin.RouterGroup) {
	s.backupRoutes(v1) // GET /v1/backup (api/admin/backup.go)
	v1.POST("/admin/reload", httpx.Handle(s.reloadHandler))
	v1.POST("/layers", s.env.BoundUpload(), httpx.HandleRows(s.uploadLayer))
	v1.DELETE("/layers/:name", httpx.Handle(s.deleteLayer))
}

// reloadHandler is POST /v1/admin/reload.
func (s *Handlers) reloadHandler(c *gin.Context) error {
	if err := httpx.RequireNational(c, "a reload"); err != nil {
		return err
	}
	if !s.canReload() {
		// 409, not 5xx: nothing is wrong with the server, it was made this way.
		return &httpx.Error{Status: http.StatusConflict, Code: httpx.CodeNoReload,
			Message: "this server was not started from a data folder (maillage serve --data DIR): there is nothing to reload"}
	}
	// The reload outlives a client that goes away: half a reload is
	// thrown away, never served, but it would be lost work.
	rep, err := s.reload(context.WithoutCancel(c.Request.Context()))
	if err != nil {
		return err
	}
	c.Header(httpx.GenerationHeader, strconv.FormatUint(rep.Generation, 10))
	c.JSON(http.StatusOK, rep)
	return nil
}

// layerUploadView is the answer to POST /v1/layers.
type layerUploadView struct {
	Layer      string               `json:"layer"`
	Generation uint64               `json:"generation"`
	Sites      int                  `json:"sites"`
	Vintage    string               `json:"vintage,omitempty"`
	Upload     matching.LayerUpload `json:"upload"`
	Report     data.LoadReport      `json:"report"`
	Links      layers.Links         `json:"links"`
}

// uploadLayer is POST /v1/layers: multipart with the fields name and file,
// and optionally what a layers-file entry declares (layerconf.Layer):
// format, columns (a JSON object or "id=identifiant,lat=lat,…",
// layerconf.ParseColumns), programme, vintage and title.
func (s *Handlers) uploadLayer(c *gin.Context) error {
	if err := httpx.RequireNational(c, "a layer upload"); err != nil {
		return err
	}
	if httpx.MediaType(c) != "multipart/form-data" {
		return &httpx.Error{Status: http.StatusBadRequest, Code: httpx.CodeBadBody,
			Message: "send multipart/form-data with the fields name, file and optionally format, columns, programme, vintage and title (curl -F name=… -F file=@sites.csv)"}
	}
	if err := httpx.ParseMultipart(c); err != nil {
		return err
	}
	name := c.Request.FormValue("name")
	if name == "" {
		return httpx.BadParam("name", "required: the layer's name (a-z, 0-9, - and _)")
	}
	f, fh, err := c.Request.FormFile("file")
	if err != nil {
		return httpx.BadParam("file", "required: the sites file as the multipart field file")
	}
	defer f.Close()
	body, err := io.ReadAll(f)
	if err != nil {
		return &httpx.Error{Status: http.StatusBadRequest, Code: httpx.CodeBadBody, Message: "reading the file: " + err.Error()}
	}
	spec := layerconf.Layer{Name: name, Path: fh.Filename, Format: c.Request.FormValue("format"),
		Vintage: c.Request.FormValue("vintage"), Title: c.Request.FormValue("title"), Programme: c.Request.FormValue("programme")}
	if cols := c.Request.FormValue("columns"); cols != "" {
		if spec.Columns, err = layerconf.ParseColumns(cols); err != nil {
			return &httpx.Error{Status: http.StatusBadRequest, Code: httpx.CodeBadParameter, Message: err.Error()} // names the field
		}
	}
	l, up, err := s.env.Registry.Layers().Read(spec, body, s.env.DecodeLimits())
	if err != nil {
		return err
	}
	if err := c.Request.Context().Err(); err != nil {
		return err // the client went away: store nothing
	}
	gen, err := s.env.Registry.Layers().Add(l, up, body)
	if err != nil {
		return err
	}
	e, _ := s.env.Registry.Current()
	up, _ = e.Uploaded(name)
	base := s.env.BaseURL(c)
	c.Header(httpx.GenerationHeader, strconv.FormatUint(gen, 10))
	c.Header("Location", "/v1/layers/"+name)
	s.env.Logger.Info("layer uploaded", "layer", name, "file", up.File, "format", up.Format, "sites", len(l.Sites), "generation", gen)
	c.JSON(http.StatusCreated, layerUploadView{Layer: name, Generation: gen, Sites: len(l.Sites), Vintage: l.Vintage,
		Upload: up, Report: l.Report, Links: layers.LinksOf(base, name)})
	return nil
}

// deleteLayer is DELETE /v1/layers/{name}: an uploaded layer only.
func (s *Handlers) deleteLayer(c *gin.Context) error {
	if err := httpx.RequireNational(c, "deleting a layer"); err != nil {
		return err
	}
	name := c.Param("name")
	gen, err := s.env.Registry.Layers().Delete(name)
	if err != nil {
		return err
	}
	s.env.Logger.Info("layer deleted", "layer", name, "generation", gen)
	c.Header(httpx.GenerationHeader, strconv.FormatUint(gen, 10))
	c.JSON(http.StatusOK, gin.H{"deleted": name, "generation": gen, "at": time.Now().UTC()})
	return nil
}
