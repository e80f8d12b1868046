package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/internal/access"
	"github.com/maillage/maillage/matching"
)

// loader is what serve reads again at each reload (SIGHUP, POST
// /v1/admin/reload): the tokens file, then the data folder and its layers
// (engineFlags.load, where the layers configuration plugs in). The tokens
// come first and whatever happens to the data: a token revoked in the file
// is refused from this reload on (access.TokenSet.Reload refuses it even
// when the file fails), and a broken data folder does not hold it back.
func loader(ef *engineFlags, tf *trustFlags, ts *access.TokenSet, log *slog.Logger) matching.Loader {
	return func(ctx context.Context, current *matching.Engine) (*matching.Engine, error) {
		if err := tf.reloadTokens(ts, log); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return ef.loadOver(log, nil, current)
	}
}

// reloadTokens reads the tokens file again (nothing to do without one).
func (f *trustFlags) reloadTokens(ts *access.TokenSet, log *slog.Logger) error {
	if ts == nil {
		return nil
	}
	if err := ts.Reload(); err != nil {
		// access.TokenSet: revoked tokens are refused even so.
		log.Error("tokens file not reloaded: fix it and reload again; meanwhile only the tokens it still lists unchanged are accepted",
			"err", err, "tokens", ts.Len())
		return fmt.Errorf("tokens file %s: %w", f.tokensFile, err)
	}
	log.Info("tokens reloaded", "file", f.tokensFile, "tokens", ts.Len())
	return nil
}

// reloadOnHangup runs reload on each SIGHUP until the returned stop
// function is called. Signals arriving during a reload are folded into
// one more reload after it.
func reloadOnHangup(reload func()) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-hup:
				reload()
			case <-done:
				return
			}
		}
	}()
	return func() { signal.Stop(hup); close(done) }
}

// mapWarmer prepares and warms the map of the engine in service in the
// background (api.Server.PrepareMaps, WarmMap), at start-up and after each
// reload; a new warm-up cancels the one running, whose engine is gone.
type mapWarmer struct {
	ctx    context.Context
	log    *slog.Logger
	mu     sync.Mutex
	cancel context.CancelFunc
}

// warm starts a warm-up of a's map, cancelling the previous one.
func (w *mapWarmer) warm(a *api.Server) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cancel != nil {
		w.cancel()
	}
	ctx, cancel := context.WithCancel(w.ctx)
	w.cancel = cancel
	go func() {
		t0 := time.Now()
		if err := a.PrepareMaps(); err != nil {
			w.log.Warn("map layers", "error", err)
		}
		w.log.Info("map layers prepared", "ms", time.Since(t0).Milliseconds())
		// the built-in map's tiles rendered once, so each is served from the cache (api/web_warm.go)
		st, err := a.WarmMap(ctx, api.MapWarmZoom)
		w.log.Info("map tiles warmed", "tiles", st.Tiles, "failed", st.Failed, "ms", st.Duration.Milliseconds(), "error", err)
	}()
}
