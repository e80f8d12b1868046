package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/maillage/maillage/data/textio"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/boltstore"
	"github.com/maillage/maillage/data/pgstore"
	"github.com/maillage/maillage/internal/access"
)

// trustFlags are serve's flags for stored datasets, access and limits.
type trustFlags struct {
	stateDir     string
	storeURL     string
	lockWait     time.Duration
	tokensFile   string
	insecureOpen bool
	rateLimit    string
}

// register adds the flags to fs; the plain limits go straight into cfg.
func (f *trustFlags) register(fs *flag.FlagSet, cfg *api.Config) {
	fs.StringVar(&f.stateDir, "state", defaultStateDir(),
		"folder of the database of uploaded datasets and match results (\"\": in memory, lost at exit)")
	fs.StringVar(&f.storeURL, "store", os.Getenv("MAILLAGE_STORE"),
		"postgres://user@host:port/db?search_path=…: keep datasets and match results in PostgreSQL, shared by every replica on it, instead of the --state folder (default $MAILLAGE_STORE)")
	fs.DurationVar(&f.lockWait, "state-lock-wait", boltstore.DefaultLockWait,
		"how long to wait for another process to release the state file (a server killed with kill -9 may hold it a moment)")
	fs.StringVar(&f.tokensFile, "tokens", "",
		"tokens file (maillage token new); without it the endpoints of candidates, structures, datasets and matches answer 401")
	fs.BoolVar(&f.insecureOpen, "insecure-open", false,
		"without --tokens, open the endpoints of personal data to anyone with a national scope (local demos only)")
	fs.StringVar(&f.rateLimit, "rate-limit", "", "requests per client address, e.g. 50/s or 3000/m (default: no limit)")
	fs.IntVar(&cfg.MaxRows, "max-rows", api.DefaultMaxRows, "rows per uploaded dataset (413 beyond)")
	fs.IntVar(&cfg.MaxColumns, "max-columns", textio.DefaultMaxColumns, "columns per uploaded file (413 beyond)")
	fs.IntVar(&cfg.MaxFieldBytes, "max-field-bytes", textio.DefaultMaxFieldBytes, "bytes per field of an uploaded file (413 beyond)")
	fs.DurationVar(&cfg.ReadTimeout, "read-timeout", 30*time.Second, "time to read a whole request, body included")
	fs.DurationVar(&cfg.WriteTimeout, "write-timeout", 60*time.Second, "time to write a response")
}

// apply opens the store, reads the tokens and parses the rate into cfg.
func (f *trustFlags) apply(cfg *api.Config, log *slog.Logger) (data.Store, error) {
	rate, err := access.ParseRate(f.rateLimit)
	if err != nil {
		return nil, fmt.Errorf("--rate-limit: %w", err)
	}
	cfg.RateLimit = rate
	switch {
	case f.tokensFile != "":
		if f.insecureOpen {
			return nil, fmt.Errorf("--insecure-open and --tokens exclude each other")
		}
		ts, err := access.LoadTokens(f.tokensFile)
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
	if f.storeURL != "" {
		return openPostgres(f.storeURL, log)
	}
	if f.stateDir == "" {
		log.Warn("no --state folder: uploaded datasets and match results are lost at exit")
		return data.NewMemoryStore(), nil
	}
	t0 := time.Now()
	st, err := boltstore.Options{LockWait: f.lockWait}.Open(f.stateDir)
	if err != nil {
		return nil, stateAdvice(err, f.stateDir)
	}
	metas, err := st.List()
	if err != nil {
		st.Close()
		return nil, stateAdvice(err, f.stateDir)
	}
	log.Info("state opened", "file", st.Path(), "datasets", len(metas), "checked_ms", time.Since(t0).Milliseconds())
	return st, nil
}

// openPostgres opens the PostgreSQL store of url, migrating its schema.
func openPostgres(url string, log *slog.Logger) (data.Store, error) {
	if !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
		return nil, fmt.Errorf("--store %q: not a postgres:// URL (without --store, datasets are kept in the --state folder)", redactURL(url))
	}
	t0 := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, applied, err := pgstore.Open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("--store: %w", err)
	}
	metas, err := st.List()
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("--store: %w", err)
	}
	log.Info("store opened", "postgres", st.Where(), "schema_version", pgstore.SchemaVersion(), "migrations_applied", applied,
		"datasets", len(metas), "ms", time.Since(t0).Milliseconds())
	return st, nil
}

// redactURL returns url without its password, for messages.
func redactURL(raw string) string {
	u, err := neturl.Parse(raw)
	if err != nil {
		return "(unreadable URL)"
	}
	return u.Redacted()
}

// stateAdvice adds to an error opening the state folder dir what the
// operator can do about it.
func stateAdvice(err error, dir string) error {
	switch {
	case errors.Is(err, data.ErrCorrupt):
		return fmt.Errorf("%w.\nThe server does not start on a damaged state file. Stop every server using %s, move %s aside "+
			"(keep it: it may be examined later), and put the last backup in its place: a copy saved from GET /v1/backup, "+
			"or a copy of %s taken while the server was stopped. Or start with --state <another folder> to begin with no "+
			"uploaded datasets", err, dir, boltstore.File, boltstore.File)
	case errors.Is(err, boltstore.ErrLocked):
		return fmt.Errorf("%w.\nOne server per state folder: stop the other one, or give this one another --state folder; "+
			"if the previous server was just killed, start again or raise --state-lock-wait", err)
	}
	return err
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
