package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/maillage/maillage/data/layerconf"
	"github.com/maillage/maillage/matching"
)

// engineFlags are the flags every subcommand that loads the data shares.
type engineFlags struct {
	dataDir    string
	cacheDir   string
	resolution int
	workers    int
	layersFile string     // --layers: the layers file ("" keeps the shipped layers)
	layers     layerFlags // --layer, repeatable: layers added to (or replacing) those
	popGrid    string     // --population-grid: a population grid file ("" spreads by area)
}

// layerFlags collects repeated --layer values, each checked when given.
type layerFlags []layerconf.Layer

func (l *layerFlags) String() string {
	if l == nil {
		return ""
	}
	names := make([]string, len(*l))
	for i, x := range *l {
		names[i] = x.Name + "=" + x.Path
	}
	return strings.Join(names, " ")
}

func (l *layerFlags) Set(s string) error {
	x, err := layerconf.ParseFlag(s)
	if err != nil {
		return err
	}
	*l = append(*l, x)
	return nil
}

// register adds the shared flags to fs.
func (f *engineFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dataDir, "data", defaultDataDir(), "folder holding the real data files")
	fs.StringVar(&f.cacheDir, "cache", defaultCacheDir(), "folder caching the built H3 grid (\"\" disables)")
	fs.IntVar(&f.resolution, "res", 8, "H3 resolution of the population grid")
	fs.IntVar(&f.workers, "workers", runtime.NumCPU(), "goroutines for parallel work")
	fs.StringVar(&f.popGrid, "population-grid", "", "population grid CSV (INSEE données carroyées idcar_200m/idcar_1km + ind, or lon,lat,weight): communes' populations follow it instead of their area")
	fs.StringVar(&f.layersFile, "layers-file", "", layersFileUsage)
	fs.Var(&f.layers, "layer", "add a layer, repeatable: name=PATH[,format=csv|geojson|france-services-2020|mediation-standard,vintage=...,title=...,programme=...]; a declared name is replaced")
}

// layersFileUsage documents the layers file flag.
const layersFileUsage = "layers file (TOML, or YAML for .yaml/.yml) declaring every service layer (default: the shipped files of --data)"

// registerLayersFile adds --layers as a name of --layers-file, for serve:
// the analysis commands already use --layers for the layers to analyse.
func (f *engineFlags) registerLayersFile(fs *flag.FlagSet) {
	fs.StringVar(&f.layersFile, "layers", "", layersFileUsage+"; same as --layers-file")
}

// layerConfig is the declared layers: the layers file or the shipped
// files, with the --layer flags added.
func (f *engineFlags) layerConfig() (layerconf.Config, error) {
	cfg := layerconf.Default(f.dataDir)
	if f.layersFile != "" {
		var err error
		if cfg, err = layerconf.Parse(f.layersFile); err != nil {
			return cfg, usageError{err}
		}
	}
	if len(f.layers) == 0 {
		return cfg, nil
	}
	cfg, err := cfg.With(f.layers...)
	if err != nil {
		return cfg, usageError{err}
	}
	return cfg, nil
}

// load builds the engine.
func (f *engineFlags) load(log *slog.Logger, onStep func(string)) (*matching.Engine, error) {
	return f.loadOver(log, onStep, nil)
}

// loadOver builds the engine again, reusing the parts of prev (the engine
// in service, at a reload) whose files are unchanged: the one function
// every load of the data folder goes through.
func (f *engineFlags) loadOver(log *slog.Logger, onStep func(string), prev *matching.Engine) (*matching.Engine, error) {
	if st, err := os.Stat(f.dataDir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("data folder %q not found: pass --data DIR (the folder holding communes-2018.geojson.gz)", f.dataDir)
	}
	if f.popGrid != "" {
		if st, err := os.Stat(f.popGrid); err != nil || st.IsDir() {
			return nil, fmt.Errorf("population grid %q not found: pass --population-grid FILE (a CSV file)", f.popGrid)
		}
	}
	layers, err := f.layerConfig() // the layers file is read again at each reload
	if err != nil {
		return nil, err
	}
	return matching.Load(matching.Config{DataDir: f.dataDir, CacheDir: f.cacheDir, Layers: &layers, PopulationGrid: f.popGrid,
		Resolution: f.resolution, Workers: f.workers, Logger: log, Progress: onStep, Previous: prev})
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
