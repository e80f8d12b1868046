package matching

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/layerconf"
	"github.com/maillage/maillage/geo/siteindex"
)

// layersSnapshotVersion is the layout of the layers snapshot; bump it
// whenever layersFile or what it holds changes.
const layersSnapshotVersion = 1

// layersSnapshot keeps the located layers of a start (their sites with
// commune and département, their load reports) beside the engine
// snapshot, so that a start whose layer files, layer declarations and
// engine snapshot inputs are unchanged reads no layer file: a few
// milliseconds instead of parsing three files and locating 6,500 sites
// (about 80 ms of CPU, 0.3–0.4 s on a busy machine). The key is the
// engine snapshot's (build, resolution, territory and indicator files)
// with the layer declarations and the checksum of each declared file:
// the sites are located in the territory those inputs give.
type layersSnapshot struct {
	path, key string
	// files are the statuses of the declared files, by path, as hashed
	// for the key: the engine reports them (layerFileStatuses) without
	// reading the files again.
	files map[string]FileStatus
}

// layersFile is what a layers snapshot file holds, gob-encoded, after
// its CRC-32C.
type layersFile struct {
	Version int
	Key     string
	Layers  []layerRecord
}

// layerRecord is one loaded layer, without its site index (rebuilt from
// the points, where it is not worth storing). Gob decodes an empty slice
// or a pointer to a zero struct as nil: the flags keep them as loaded, so
// that a report lists "rejects": [] as a loaded one does.
type layerRecord struct {
	Spec                          layerconf.Layer
	Path, Format                  string
	Name, Vintage, Title, Source  string
	Sites                         []data.Site
	Report                        data.LoadReport
	NoSites, NoRejects, NoColumns bool // empty but not nil: Sites, Report.Rejects, *Spec.Columns zero
}

// record returns l as stored.
func record(l layerconf.LoadedLayer) layerRecord {
	return layerRecord{Spec: l.Spec, Path: l.Path, Format: l.Format, Name: l.Layer.Name,
		Vintage: l.Layer.Vintage, Title: l.Layer.Title, Source: l.Layer.Source, Sites: l.Layer.Sites, Report: l.Layer.Report,
		NoSites: l.Layer.Sites != nil && len(l.Layer.Sites) == 0, NoRejects: l.Layer.Report.Rejects != nil && len(l.Layer.Report.Rejects) == 0,
		NoColumns: l.Spec.Columns != nil && *l.Spec.Columns == layerconf.Columns{}}
}

// loaded returns the layer r stores, without its index.
func (r *layerRecord) loaded() layerconf.LoadedLayer {
	if r.NoSites {
		r.Sites = []data.Site{}
	}
	if r.NoRejects {
		r.Report.Rejects = []data.Reject{}
	}
	if r.NoColumns {
		r.Spec.Columns = &layerconf.Columns{}
	}
	l := &data.Layer{Name: r.Name, Vintage: r.Vintage, Title: r.Title, Source: r.Source, Sites: r.Sites, Report: r.Report}
	return layerconf.LoadedLayer{Spec: r.Spec, Path: r.Path, Format: r.Format, Layer: l}
}

// newLayersSnapshot returns the layers snapshot of a start that reads the
// engine snapshot s, nil when none applies (no engine snapshot, or a
// declared file missing: the load reports it). The key hashes each layer
// file (3.4 MB for the shipped ones, a few milliseconds).
func newLayersSnapshot(s *startSnapshot, decl layerconf.Config) *layersSnapshot {
	if s == nil {
		return nil
	}
	h := sha256.New()
	fmt.Fprintf(h, "layers snapshot v%d\n%s\n", layersSnapshotVersion, s.key)
	if err := json.NewEncoder(h).Encode(decl); err != nil {
		return nil
	}
	files := make(map[string]FileStatus, len(decl.Layers))
	for _, spec := range decl.Layers {
		path, err := layerconf.ResolvePath(spec, decl.Dir)
		if err != nil {
			return nil
		}
		fs, err := fileStatus(path)
		if err != nil {
			return nil
		}
		fmt.Fprintf(h, "%s %s %d\n", path, fs.SHA256, fs.Bytes)
		files[path] = fs
	}
	return &layersSnapshot{path: filepath.Join(filepath.Dir(s.path), "layers-"+strings.TrimPrefix(filepath.Base(s.path), "engine-")),
		key: hex.EncodeToString(h.Sum(nil)), files: files}
}

// earlyLayers is the read of a layers snapshot started beside the engine
// snapshot's (startLayersSnapshot).
type earlyLayers struct {
	done chan struct{}
	ls   *layersSnapshot // nil when none applies
	// Set before done is closed: the layers read, or why not.
	loaded []layerconf.LoadedLayer
	err    error
	took   time.Duration
}

// startLayersSnapshot starts reading the layers snapshot of the engine
// snapshot s and returns at once (nil s: nothing to read).
func startLayersSnapshot(s *startSnapshot, decl layerconf.Config) *earlyLayers {
	el := &earlyLayers{done: make(chan struct{})}
	if s == nil {
		close(el.done)
		return el
	}
	go func() {
		defer close(el.done)
		t0 := time.Now()
		if el.ls = newLayersSnapshot(s, decl); el.ls != nil {
			el.loaded, el.err = el.ls.read()
		}
		el.took = time.Since(t0)
	}()
	return el
}

// load returns the layers of decl read from the snapshot when it matched,
// else located in t by layerconf.Load and written for the next start.
// A snapshot that cannot be read or written is logged and only costs the
// load.
func (el *earlyLayers) load(decl layerconf.Config, t *data.Territory, log *slog.Logger) ([]layerconf.LoadedLayer, error) {
	<-el.done
	ls := el.ls
	if ls == nil {
		loaded, _, err := layerconf.Load(decl, t)
		return loaded, err
	}
	switch {
	case el.err == nil:
		log.Info("layers snapshot read", "file", ls.path, "layers", len(el.loaded), "ms", float64(el.took.Microseconds())/1000)
		return el.loaded, nil
	case errors.Is(el.err, os.ErrNotExist):
		log.Info("layers snapshot not found, locating the layers", "file", ls.path)
	default:
		log.Info("layers snapshot not used, locating the layers", "file", ls.path, "reason", el.err.Error())
	}
	loaded, _, err := layerconf.Load(decl, t)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	if err := ls.write(loaded); err != nil {
		log.Warn("layers snapshot not written", "file", ls.path, "err", err.Error())
	} else {
		log.Info("layers snapshot written", "file", ls.path, "ms", msSince(t0))
	}
	return loaded, nil
}

// knownFiles returns the statuses of the declared files hashed for the
// snapshot's key (nil when no snapshot applied). Call after load.
func (el *earlyLayers) knownFiles() map[string]FileStatus {
	<-el.done
	if el.ls == nil {
		return nil
	}
	return el.ls.files
}

// read returns the layers stored under ls.key, their site indexes
// rebuilt (in parallel, one layer per goroutine).
func (ls *layersSnapshot) read() ([]layerconf.LoadedLayer, error) {
	b, err := os.ReadFile(ls.path)
	if err != nil {
		return nil, err
	}
	if len(b) < 4 || crc32.Checksum(b[4:], castagnoli) != binary.LittleEndian.Uint32(b) {
		return nil, errors.New("checksum mismatch")
	}
	var f layersFile
	if err := gob.NewDecoder(bytes.NewReader(b[4:])).Decode(&f); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	switch {
	case f.Version != layersSnapshotVersion:
		return nil, fmt.Errorf("format version %d, want %d", f.Version, layersSnapshotVersion)
	case f.Key != ls.key:
		return nil, errors.New("built from other files, declarations or build")
	}
	out := make([]layerconf.LoadedLayer, len(f.Layers))
	var wg sync.WaitGroup
	for i := range f.Layers {
		out[i] = f.Layers[i].loaded()
		l := out[i].Layer
		wg.Go(func() {
			pts := make([]orb.Point, len(l.Sites))
			for j := range l.Sites {
				pts[j] = l.Sites[j].Point
			}
			l.Index = siteindex.New(pts)
		})
	}
	wg.Wait()
	return out, nil
}

// write stores loaded under ls.key, atomically (a temporary file, then a
// rename).
func (ls *layersSnapshot) write(loaded []layerconf.LoadedLayer) error {
	f := layersFile{Version: layersSnapshotVersion, Key: ls.key, Layers: make([]layerRecord, len(loaded))}
	for i, l := range loaded {
		f.Layers[i] = record(l)
	}
	var buf bytes.Buffer
	buf.Write(make([]byte, 4)) // the checksum, set below
	if err := gob.NewEncoder(&buf).Encode(&f); err != nil {
		return err
	}
	b := buf.Bytes()
	binary.LittleEndian.PutUint32(b, crc32.Checksum(b[4:], castagnoli))
	if err := os.MkdirAll(filepath.Dir(ls.path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(ls.path), filepath.Base(ls.path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), ls.path)
	}
	return err
}

// castagnoli is the CRC-32C table.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)
