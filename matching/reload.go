package matching

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/maillage/maillage/data/textio"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/layerconf"
	"github.com/maillage/maillage/geo"
)

// Errors of registry.Registry.Reload and of the changes of uploaded layers.
var (
	// ErrReloadBusy is returned when a reload or a layer change is
	// already running: only one runs at a time.
	ErrReloadBusy = errors.New("a reload or layer change is already running")
	// ErrReloadFailed wraps why a reload could not build the new engine;
	// the registry keeps serving the old one.
	ErrReloadFailed = errors.New("reload failed, the data in service is unchanged")
)

// Loader builds the engine of the data folder and the layers
// configuration, without the layers uploaded at run time (the registry
// adds those from its store); current is the engine in service, whose
// parts it may reuse when their files are unchanged (Config.Previous). It
// is the one place a reload reads files.
type Loader func(ctx context.Context, current *Engine) (*Engine, error)

// FileStatus describes a data file an engine was built from, so that
// operators see what is in service (/healthz).
type FileStatus struct {
	Name     string    `json:"name"`            // base name in the data folder
	Role     string    `json:"role"`            // territory, layer, structures or indicators
	Layer    string    `json:"layer,omitempty"` // for a layer file, the layer it loads
	Vintage  string    `json:"vintage,omitempty"`
	Bytes    int64     `json:"bytes"`
	SHA256   string    `json:"sha256"`
	Modified time.Time `json:"modified"`
	LoadedAt time.Time `json:"loaded_at"`
}

// dataFiles are the files of the data folder other than the layers, with
// their role and vintage (data/names.go). The files of a COG part (cog)
// are those of the newest release in the folder (data.COGRelease), as
// the territory reads them: a new release dropped beside the shipped one
// changes the checksums, so a reload reads it.
var dataFiles = []struct{ name, role, vintage, cog string }{
	{data.CommunesFile, "territory", "2018", ""},
	{data.COGCommunesFile, "territory", "6.0.0", "communes"},
	{data.COGDepartementsFile, "territory", "6.0.0", "departements"},
	{data.COGRegionsFile, "territory", "6.0.0", "regions"},
	{data.COGEPCIFile, "territory", "6.0.0", "epci"},
	{data.DepartementsFile, "territory", "2018", ""},
	{data.RegionsFile, "territory", "2018", ""},
	{data.CNFSStructuresFile, "structures", "2021", ""},
	{data.FragilityFile, "indicators", "2023", ""},
	{data.ZRRFile, "indicators", "2021", ""},
}

// dataFileStatuses returns the status of the files of dir other than the
// layers (dataFiles).
func dataFileStatuses(dir string) []FileStatus {
	var out []FileStatus
	rel, err := data.COGRelease(dir)
	if err != nil {
		rel = data.ShippedCOGRelease
	}
	for _, f := range dataFiles {
		name, vintage := f.name, f.vintage
		if f.cog != "" {
			name, vintage = data.COGFile(rel, f.cog), rel
		}
		if fs, ok := findStatus(dir, name); ok {
			fs.Role, fs.Vintage = f.role, vintage
			out = append(out, fs)
		}
	}
	return out
}

// layerFileStatuses returns the status of the files of the layers loaded
// from the layers configuration (one per layer: a file of the national
// standard split by program appears under each of its layers), taken from
// known (path → status, as the layers snapshot hashed them at this start)
// where it holds the file, else read.
func layerFileStatuses(loaded []layerconf.LoadedLayer, known map[string]FileStatus) []FileStatus {
	var out []FileStatus
	for _, l := range loaded {
		fs, ok := known[l.Path]
		if !ok {
			var err error
			if fs, err = fileStatus(l.Path); err != nil {
				continue
			}
		}
		fs.Role, fs.Layer, fs.Vintage, fs.LoadedAt = "layer", l.Layer.Name, l.Layer.Vintage, time.Now().UTC()
		out = append(out, fs)
	}
	slices.SortFunc(out, func(a, b FileStatus) int { return strings.Compare(a.Layer, b.Layer) })
	return out
}

// findStatus returns the status of the file name of dir, if found.
func findStatus(dir, name string) (FileStatus, bool) {
	path, err := textio.FindFile(dir, name)
	if err != nil {
		return FileStatus{}, false
	}
	fs, err := fileStatus(path)
	if err != nil {
		return FileStatus{}, false
	}
	fs.LoadedAt = time.Now().UTC()
	return fs, true
}

// reusable says, by role, which parts of prev a Load over the files now
// may reuse: those whose files are the same (name and sha256) as when
// prev was loaded. Structures and indicators are joined to the territory:
// they are reused only with it; "indicatorFiles" says whether the
// indicator files as read may be joined again to a new territory.
func reusable(prev *Engine, now []FileStatus, resolution int) map[string]bool {
	out := map[string]bool{}
	if prev == nil || prev.territory == nil || prev.grid == nil || prev.grid.Resolution != resolution {
		return out
	}
	// sums lists the names and checksums of the files of role whose name
	// starts with prefix ("": all of them).
	sums := func(files []FileStatus, role, prefix string) string {
		var b strings.Builder
		for _, f := range files {
			if f.Role == role && strings.HasPrefix(f.Name, prefix) {
				b.WriteString(f.Name + ":" + f.SHA256 + ";")
			}
		}
		return b.String()
	}
	for _, role := range []string{"territory", "structures", "indicators"} {
		out[role] = sums(prev.files, role, "") == sums(now, role, "") && sums(now, "territory", "") != ""
	}
	out["structures"] = out["structures"] && out["territory"]
	// The indicator files as read (indicators.Sources) depend on them and
	// on the COG (the former communes), not on the boundaries.
	cog := func(files []FileStatus) string { return sums(files, "territory", data.COGPrefix) }
	out["indicatorFiles"] = sums(prev.files, "indicators", "") == sums(now, "indicators", "") && cog(prev.files) == cog(now) && cog(now) != ""
	out["indicators"] = out["indicators"] && out["territory"]
	return out
}

// territoryIf returns e's territory when ok (nil for a nil e).
func (e *Engine) territoryIf(ok bool) *data.Territory {
	if e == nil || !ok {
		return nil
	}
	return e.territory
}

// gridIf returns e's grid when ok (nil for a nil e).
func (e *Engine) gridIf(ok bool) *geo.Grid {
	if e == nil || !ok {
		return nil
	}
	return e.grid
}

// fileStatus reads path whole for its checksum.
func fileStatus(path string) (FileStatus, error) {
	f, err := os.Open(path)
	if err != nil {
		return FileStatus{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return FileStatus{}, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return FileStatus{}, err
	}
	return FileStatus{Name: filepath.Base(path), Bytes: st.Size(), SHA256: hex.EncodeToString(h.Sum(nil)),
		Modified: st.ModTime().UTC()}, nil
}

// Files returns the data files the engine was read from (none for an
// engine built by New from parts in memory).
func (e *Engine) Files() []FileStatus { return slices.Clone(e.files) }

// LoadedAt returns when the engine was built.
func (e *Engine) LoadedAt() time.Time { return e.loadedAt }

// ReloadReport says what a reload put in service.
type ReloadReport struct {
	Generation uint64    `json:"generation"`
	LoadMS     float64   `json:"load_ms"` // building the new engine, uploaded layers included
	LoadedAt   time.Time `json:"loaded_at"`
	Layers     []string  `json:"layers"`
	Timings    []Timing  `json:"timings"` // the steps of the load (Engine.Timings)
	// UploadedSkipped are the stored uploaded layers that did not load
	// over the new data (their file stays stored), with why.
	UploadedSkipped []string `json:"uploaded_skipped,omitempty"`
}

// WithLayers returns a new engine over e's data with the layers of add
// set (replacing those of the same name) and the layers named in remove
// dropped; uploads describes the layers of add uploaded at run time.
// Caches derived from the layers (coverage, 2SFCA pairs, priority flags)
// start empty in the new engine; the territory, grid, structures and
// indicators are shared, being read-only.
func (e *Engine) WithLayers(add map[string]*data.Layer, uploads map[string]LayerUpload, remove ...string) *Engine {
	layers := make(map[string]*data.Layer, len(e.layers)+len(add))
	for n, l := range e.layers {
		layers[n] = l
	}
	up := make(map[string]LayerUpload, len(e.uploaded)+len(uploads))
	for n, u := range e.uploaded {
		up[n] = u
	}
	for n, l := range add {
		layers[n] = l
	}
	for n, u := range uploads {
		up[n] = u
	}
	for _, n := range remove {
		delete(layers, n)
		delete(up, n)
	}
	ne := &Engine{
		territory: e.territory, layers: layers, grid: e.grid,
		structures: e.structures, structureReports: e.structureReports, structuresAt: e.structuresAt,
		indicators: e.indicators, indicatorReport: e.indicatorReport, indicatorSources: e.indicatorSources,
		timings: e.timings, loadTime: e.loadTime, workers: e.workers,
		loadedAt: time.Now().UTC(), files: e.files, uploaded: up,
		need: e.need, // depends on the territory and indicators only
	}
	ne.cov = newCoverageCache(ne)
	return ne
}
