package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/data"
)

// trustFlags are serve's flags for stored datasets, access and limits.
type trustFlags struct {
	stateDir     string
	tokensFile   string
	insecureOpen bool
	rateLimit    string
}

// register adds the flags to fs; the plain limits go straight into cfg.
func (f *trustFlags) register(fs *flag.FlagSet, cfg *api.Config) {
	fs.StringVar(&f.stateDir, "state", defaultStateDir(),
		"folder of the database of uploaded datasets and match results (\"\": in memory, lost at exit)")
	fs.StringVar(&f.tokensFile, "tokens", "",
		"tokens file (maillage token new); without it the endpoints of candidates, structures, datasets and matches answer 401")
	fs.BoolVar(&f.insecureOpen, "insecure-open", false,
		"without --tokens, open the endpoints of personal data to anyone with a national scope (local demos only)")
	fs.StringVar(&f.rateLimit, "rate-limit", "", "requests per client address, e.g. 50/s or 3000/m (default: no limit)")
	fs.IntVar(&cfg.MaxRows, "max-rows", api.DefaultMaxRows, "rows per uploaded dataset (413 beyond)")
	fs.IntVar(&cfg.MaxColumns, "max-columns", data.DefaultMaxColumns, "columns per uploaded file (413 beyond)")
	fs.IntVar(&cfg.MaxFieldBytes, "max-field-bytes", data.DefaultMaxFieldBytes, "bytes per field of an uploaded file (413 beyond)")
	fs.DurationVar(&cfg.ReadTimeout, "read-timeout", 30*time.Second, "time to read a whole request, body included")
	fs.DurationVar(&cfg.WriteTimeout, "write-timeout", 60*time.Second, "time to write a response")
}

// apply opens the store, reads the tokens and parses the rate into cfg.
func (f *trustFlags) apply(cfg *api.Config, log *slog.Logger) (data.Store, error) {
	rate, err := api.ParseRate(f.rateLimit)
	if err != nil {
		return nil, fmt.Errorf("--rate-limit: %w", err)
	}
	cfg.RateLimit = rate
	switch {
	case f.tokensFile != "":
		if f.insecureOpen {
			return nil, fmt.Errorf("--insecure-open and --tokens exclude each other")
		}
		ts, err := api.LoadTokens(f.tokensFile)
		if err != nil {
			return nil, err
		}
		cfg.Tokens = ts
		log.Info("tokens loaded", "file", f.tokensFile, "tokens", ts.Len())
	case f.insecureOpen:
		cfg.InsecureOpen = true
		log.Warn("--insecure-open: candidates, structures, datasets and match results are readable and writable by anyone reaching this server")
	default:
		log.Warn("no --tokens file: the endpoints of candidates, structures, datasets and matches answer 401")
	}
	if f.stateDir == "" {
		log.Warn("no --state folder: uploaded datasets and match results are lost at exit")
		return data.NewMemoryStore(), nil
	}
	st, err := data.OpenBoltStore(f.stateDir)
	if err != nil {
		return nil, err
	}
	metas, err := st.List()
	if err != nil {
		st.Close()
		return nil, err
	}
	log.Info("state opened", "file", st.Path(), "datasets", len(metas))
	return st, nil
}

// reloadOnHangup re-reads the tokens file on each SIGHUP until the returned
// stop function is called.
func (f *trustFlags) reloadOnHangup(ts *api.TokenSet, log *slog.Logger) (stop func()) {
	if ts == nil {
		return func() {}
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-hup:
				if err := ts.Reload(); err != nil {
					log.Error("tokens not reloaded: the previous ones stay in force", "err", err)
				} else {
					log.Info("tokens reloaded", "file", f.tokensFile, "tokens", ts.Len())
				}
			case <-done:
				return
			}
		}
	}()
	return func() { signal.Stop(hup); close(done) }
}

// defaultStateDir is $XDG_STATE_HOME/maillage, else ~/.local/state/maillage,
// else ./maillage-state.
func defaultStateDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "maillage")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "state", "maillage")
	}
	return "maillage-state"
}
