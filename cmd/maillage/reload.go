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
	"github.com/maillage/maillage/api/layers"
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
// background (api.Server.PrepareMapsPaced, WarmMapPaced), at start-up and
// after reloads: one warm-up at a time, on the engine in service when it
// starts, a reload cancelling the preparation and tile warm-up of the
// engine it replaced. Reloads in a burst are settled for mapWarmSettle
// before the next warm-up, which costs seconds of CPU the reloads need.
// The warm-up at start-up goes at full speed (the first map views wait
// for it); after a reload it is paced (api.ReloadPace: half of one core,
// one goroutine), so that the light routes keep their cores: a tile not
// warm yet is rendered on demand.
type mapWarmer struct {
	kick chan struct{}
	mu   sync.Mutex
	stop context.CancelFunc // of the tile warm-up running
}

// mapWarmSettle is how long the warmer waits after a reload for another.
const mapWarmSettle = 2 * time.Second

// startMapWarmer starts the warmer of a's map until ctx ends, and a first
// warm-up.
func startMapWarmer(ctx context.Context, s *api.Server, log *slog.Logger) *mapWarmer {
	w := &mapWarmer{kick: make(chan struct{}, 1)}
	go func() {
		settle := time.Duration(0) // none at start-up
		var pace *layers.Pace      // full speed at start-up
		for {
			select {
			case <-w.kick:
			case <-ctx.Done():
				return
			}
			for settled := false; !settled; { // wait for a quiet spell
				select {
				case <-w.kick:
				case <-time.After(settle):
					settled = true
				case <-ctx.Done():
					return
				}
			}
			// The reloads have settled: the requests on the engine they
			// replaced are done, its map state (and the engine) can go.
			s.DropPreviousMaps()
			wctx, cancel := context.WithCancel(ctx)
			w.mu.Lock()
			w.stop = cancel
			w.mu.Unlock()
			t0 := time.Now()
			if err := s.PrepareMapsPaced(wctx, pace); err != nil {
				log.Warn("map layers", "error", err)
			}
			log.Info("map layers prepared", "ms", time.Since(t0).Milliseconds(), "paced", pace != nil)
			// the built-in map's tiles rendered once, so each is served from the cache (api/layers/web_warm.go)
			st, err := s.WarmMapPaced(wctx, api.MapWarmZoom, pace)
			log.Info("map tiles warmed", "tiles", st.Tiles, "failed", st.Failed, "ms", st.Duration.Milliseconds(), "paced", pace != nil, "error", err)
			cancel()
			settle, pace = mapWarmSettle, &api.ReloadPace
		}
	}()
	w.warm()
	return w
}

// pause stops the map preparation or tile warm-up running, if any: a reload starting makes
// it moot (its engine is about to be replaced) and would share the cores
// with it.
func (w *mapWarmer) pause() {
	w.mu.Lock()
	if w.stop != nil {
		w.stop()
	}
	w.mu.Unlock()
}

// warm asks for a warm-up of the engine in service, stopping the tile
// warm-up running.
func (w *mapWarmer) warm() {
	w.pause()
	select {
	case w.kick <- struct{}{}:
	default: // one is already asked for
	}
}
