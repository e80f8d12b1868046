package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"

	"github.com/maillage/maillage/matching"
)

// engineFlags are the flags every subcommand that loads the data shares.
type engineFlags struct {
	dataDir    string
	cacheDir   string
	resolution int
	workers    int
}

// register adds the shared flags to fs.
func (f *engineFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dataDir, "data", defaultDataDir(), "folder holding the real data files")
	fs.StringVar(&f.cacheDir, "cache", defaultCacheDir(), "folder caching the built H3 grid (\"\" disables)")
	fs.IntVar(&f.resolution, "res", 8, "H3 resolution of the population grid")
	fs.IntVar(&f.workers, "workers", runtime.NumCPU(), "goroutines for parallel work")
}

// load builds the engine.
func (f *engineFlags) load(log *slog.Logger, onStep func(string)) (*matching.Engine, error) {
	if st, err := os.Stat(f.dataDir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("data folder %q not found: pass --data DIR (the folder holding communes-2018.geojson.gz)", f.dataDir)
	}
	return matching.Load(matching.Config{DataDir: f.dataDir, CacheDir: f.cacheDir,
		Resolution: f.resolution, Workers: f.workers, Logger: log, Progress: onStep})
}

// defaultDataDir is ../shared/data when it exists (the layout of a clone next
// to the shared data), else ./data.
func defaultDataDir() string {
	for _, d := range []string{filepath.Join("..", "shared", "data"), "data"} {
		if st, err := os.Stat(filepath.Join(d, "communes-2018.geojson.gz")); err == nil && !st.IsDir() {
			return d
		}
	}
	return filepath.Join("..", "shared", "data")
}

// defaultCacheDir is the user's cache folder for maillage, or "" when there is none.
func defaultCacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "maillage")
}
