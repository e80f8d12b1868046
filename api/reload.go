package api

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/layerconf"
	"github.com/maillage/maillage/matching"
)

// GenerationHeader is sent with every answer: the generation of the engine
// it was computed from (matching.Registry.Current), which changes at each
// reload and layer upload or deletion.
const GenerationHeader = "X-Maillage-Generation"

// Machine codes of reloads and layer changes.
const (
	CodeReloadRunning = "reload_running"     // 409: another reload or layer change runs
	CodeNoReload      = "reload_unavailable" // 409: a server not started from a data folder
	CodeReloadFailed  = "reload_failed"      // 500: the new data did not load, the old stays in service
	CodeShippedLayer  = "shipped_layer"      // 409: a layer of the data folder cannot be deleted or replaced
)

// Gin context keys of the request's engine and its generation.
const (
	engineKey     = "maillage.engine"
	generationKey = "maillage.generation"
)

// pinEngine reads the engine in service once for the request: handlers
// read it with engineOf, so that a reload swapping it meanwhile never mixes
// two states in one answer.
func (s *Server) pinEngine() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.registry != nil {
			e, gen := s.registry.Current()
			c.Set(engineKey, e)
			c.Set(generationKey, gen)
			c.Header(GenerationHeader, strconv.FormatUint(gen, 10))
		}
		c.Next()
	}
}

// engineOf returns the request's engine (pinEngine).
func (s *Server) engineOf(c *gin.Context) *matching.Engine {
	if v, ok := c.Get(engineKey); ok {
		return v.(*matching.Engine)
	}
	if s.registry == nil {
		return nil
	}
	return s.registry.Engine()
}

// generationOf returns the generation of the request's engine.
func generationOf(c *gin.Context) uint64 {
	gen, _ := c.Value(generationKey).(uint64)
	return gen
}

// reloadRoutes registers the reload and the layer uploads (national
// token, isProtected).
func (s *Server) reloadRoutes(v1 *gin.RouterGroup) {
	v1.POST("/admin/reload", handle(s.reloadHandler))
	v1.POST("/layers", s.boundUpload(), handleRows(s.uploadLayer))
	v1.DELETE("/layers/:name", handle(s.deleteLayer))
}

// Reloading reports whether a reload is running (for readiness probes: the
// engine before it serves meanwhile).
func (s *Server) Reloading() bool { return s.reloading.Load() > 0 }

// Reload builds the engine again with Config.Loader, with the uploaded
// layers, and puts it in service (matching.Registry.Reload); requests
// running finish on the old one. A failed reload leaves the old engine in
// service, is logged and returned; one already running gives
// matching.ErrReloadBusy. SIGHUP and POST /v1/admin/reload both come here.
func (s *Server) Reload(ctx context.Context) (matching.ReloadReport, error) {
	s.setReloading(1)
	defer s.setReloading(-1)
	log := s.cfg.Logger
	log.Info("reload started")
	rep, err := s.registry.Reload(ctx, s.cfg.Loader)
	if err != nil {
		log.Error("reload failed: the data in service is unchanged", "err", err)
		return rep, err
	}
	log.Info("reloaded", "generation", rep.Generation, "load_ms", rep.LoadMS, "layers", rep.Layers)
	for _, sk := range rep.UploadedSkipped {
		log.Warn("uploaded layer not loaded over the new data (kept stored)", "layer", sk)
	}
	if s.cfg.OnReload != nil {
		s.cfg.OnReload(rep)
	}
	return rep, nil
}

// requireNational answers 403 unless the request's token is national.
func requireNational(c *gin.Context, what string) error {
	if !scopeFrom(c).National {
		return &Error{Status: http.StatusForbidden, Code: CodeForbidden, Message: what + " needs a national token"}
	}
	return nil
}

// reloadHandler is POST /v1/admin/reload.
func (s *Server) reloadHandler(c *gin.Context) error {
	if err := requireNational(c, "a reload"); err != nil {
		return err
	}
	if s.cfg.Loader == nil {
		// 409, not 5xx: nothing is wrong with the server, it was made this way.
		return &Error{Status: http.StatusConflict, Code: CodeNoReload,
			Message: "this server was not started from a data folder (maillage serve --data DIR): there is nothing to reload"}
	}
	// The reload outlives a client that goes away: half a reload is
	// thrown away, never served, but it would be lost work.
	rep, err := s.Reload(context.WithoutCancel(c.Request.Context()))
	if err != nil {
		return err
	}
	c.Header(GenerationHeader, strconv.FormatUint(rep.Generation, 10))
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
	Links      layerLinks           `json:"links"`
}

// uploadLayer is POST /v1/layers: multipart with the fields name and file,
// and optionally what a layers-file entry declares (layerconf.Layer):
// format, columns (a JSON object or "id=identifiant,lat=lat,…",
// layerconf.ParseColumns), programme, vintage and title.
func (s *Server) uploadLayer(c *gin.Context) error {
	if err := requireNational(c, "a layer upload"); err != nil {
		return err
	}
	if mediaType(c) != "multipart/form-data" {
		return &Error{Status: http.StatusBadRequest, Code: CodeBadBody,
			Message: "send multipart/form-data with the fields name, file and optionally format, columns, programme, vintage and title (curl -F name=… -F file=@sites.csv)"}
	}
	if err := parseMultipart(c); err != nil {
		return err
	}
	name := c.Request.FormValue("name")
	if name == "" {
		return badParam("name", "required: the layer's name (a-z, 0-9, - and _)")
	}
	f, fh, err := c.Request.FormFile("file")
	if err != nil {
		return badParam("file", "required: the sites file as the multipart field file")
	}
	defer f.Close()
	body, err := io.ReadAll(f)
	if err != nil {
		return &Error{Status: http.StatusBadRequest, Code: CodeBadBody, Message: "reading the file: " + err.Error()}
	}
	spec := layerconf.Layer{Name: name, Path: fh.Filename, Format: c.Request.FormValue("format"),
		Vintage: c.Request.FormValue("vintage"), Title: c.Request.FormValue("title"), Programme: c.Request.FormValue("programme")}
	if cols := c.Request.FormValue("columns"); cols != "" {
		if spec.Columns, err = layerconf.ParseColumns(cols); err != nil {
			return &Error{Status: http.StatusBadRequest, Code: CodeBadParameter, Message: err.Error()} // names the field
		}
	}
	l, up, err := s.registry.ReadLayer(spec, body, s.decodeLimits())
	if err != nil {
		return err
	}
	if err := c.Request.Context().Err(); err != nil {
		return err // the client went away: store nothing
	}
	gen, err := s.registry.AddLayer(l, up, body)
	if err != nil {
		return err
	}
	e, _ := s.registry.Current()
	up, _ = e.Uploaded(name)
	base := s.baseURL(c)
	c.Header(GenerationHeader, strconv.FormatUint(gen, 10))
	c.Header("Location", "/v1/layers/"+name)
	s.cfg.Logger.Info("layer uploaded", "layer", name, "file", up.File, "format", up.Format, "sites", len(l.Sites), "generation", gen)
	c.JSON(http.StatusCreated, layerUploadView{Layer: name, Generation: gen, Sites: len(l.Sites), Vintage: l.Vintage,
		Upload: up, Report: l.Report, Links: layerLinksOf(base, name)})
	return nil
}

// deleteLayer is DELETE /v1/layers/{name}: an uploaded layer only.
func (s *Server) deleteLayer(c *gin.Context) error {
	if err := requireNational(c, "deleting a layer"); err != nil {
		return err
	}
	name := c.Param("name")
	gen, err := s.registry.DeleteLayer(name)
	if err != nil {
		return err
	}
	s.cfg.Logger.Info("layer deleted", "layer", name, "generation", gen)
	c.Header(GenerationHeader, strconv.FormatUint(gen, 10))
	c.JSON(http.StatusOK, gin.H{"deleted": name, "generation": gen, "at": time.Now().UTC()})
	return nil
}

// layerLinksOf returns the URLs serving the layer name.
func layerLinksOf(base, name string) layerLinks {
	return layerLinks{GeoJSON: base + "/v1/layers/" + name, OGC: base + "/ogc/collections/" + name + "/items",
		Tiles: base + "/tiles/" + name + "/{z}/{x}/{y}.mvt", TileJSON: base + "/tiles/" + name + ".json"}
}

// setReloading counts a reload in (+1) or out (-1): /readyz answers not
// ready while one runs (load balancers may prefer another replica, though
// this one keeps answering from the data in service), and the readiness of
// before comes back after the last.
func (s *Server) setReloading(d int32) {
	s.readyMu.Lock()
	defer s.readyMu.Unlock()
	switch n := s.reloading.Add(d); {
	case d > 0 && n == 1:
		_, s.readyBefore = s.ready.Ready()
		s.ready.Set("reloading the data; the data in service keeps answering")
	case d < 0 && n == 0:
		s.ready.Set(s.readyBefore)
	}
}
