package api

import (
	"context"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/matching"
)

// GenerationHeader is sent with every answer: the generation of the engine
// it was computed from (httpx.GenerationHeader).
const GenerationHeader = httpx.GenerationHeader

// pinEngine reads the engine in service once for the request: handlers
// read it with engineOf, so that a reload swapping it meanwhile never mixes
// two states in one answer.
func (s *Server) pinEngine() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.registry != nil {
			e, gen := s.registry.Current()
			httpx.SetEngine(c, e, gen)
			c.Header(GenerationHeader, strconv.FormatUint(gen, 10))
		}
		c.Next()
	}
}

// Reloading reports whether a reload is running (for readiness probes: the
// engine before it serves meanwhile).
func (s *Server) Reloading() bool { return s.reloading.Load() > 0 }

// Reload builds the engine again with Config.Loader, with the uploaded
// layers, and puts it in service (registry.Registry.Reload); requests
// running finish on the old one. A failed reload leaves the old engine in
// service, is logged and returned; one already running gives
// matching.ErrReloadBusy. SIGHUP and POST /v1/admin/reload both come here.
func (s *Server) Reload(ctx context.Context) (matching.ReloadReport, error) {
	s.setReloading(1)
	defer s.setReloading(-1)
	log := s.cfg.Logger
	log.Info("reload started")
	if s.cfg.OnReloadStart != nil {
		s.cfg.OnReloadStart()
	}
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

// canReload reports whether the server can reload: it has a Config.Loader
// (read at each request: tests set it on a running server).
func (s *Server) canReload() bool { return s.cfg.Loader != nil }
