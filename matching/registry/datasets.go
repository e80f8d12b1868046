package registry

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"
	"github.com/maillage/maillage/geo/siteindex"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/pairing"
)

// maxCachedDatasets bounds the uploaded datasets and match results whose
// converted rows, site index and decoded result the registry keeps in memory
// (built-in datasets are always kept).
const maxCachedDatasets = 16

// Errors of the dataset registry. A missing dataset wraps
// data.ErrDatasetNotFound.
var (
	// ErrBuiltinDataset is returned when deleting a built-in dataset.
	ErrBuiltinDataset = errors.New("built-in dataset")
	// ErrDatasetKind is returned when a dataset of one kind is used as
	// another (a structures dataset given as candidates…).
	ErrDatasetKind = errors.New("wrong dataset kind")
	// ErrEmptyDataset is returned for an upload without rows.
	ErrEmptyDataset = errors.New("dataset without rows")
)

// DatasetInfo describes a dataset of the engine: a stored one or a built-in
// one (read from the data folder at load, which cannot be deleted).
type DatasetInfo struct {
	data.DatasetMeta
	Builtin bool `json:"builtin"`
}

// Datasets are the datasets of a Registry: the built-in ones of its engine
// and those uploaded to its store, with a cache of what is derived from
// them (converted rows, site indexes, decoded match results). Get one
// with Registry.Datasets.
type Datasets struct {
	reg   *Registry
	cache datasetCache
}

// datasetCache keeps what the registry derives from datasets.
type datasetCache struct {
	mu    sync.Mutex
	cache map[string]*datasetEntry
	order []string // cached uploaded ids, oldest first
	gen   uint64   // bumped by each delete and engine change, so a concurrent read does not cache a stale dataset
}

// datasetEntry is one dataset with its rows converted for matching, its
// site index and, for a match result, the decoded result. Everything is
// built on first use.
type datasetEntry struct {
	ds      *data.Dataset
	builtin bool
	version int64 // in a data.VersionedStore, the version read

	convOnce sync.Once
	cands    []pairing.Candidate
	structs  []pairing.Structure
	byID     map[string]int // row id → index in the rows

	idxOnce sync.Once
	idx     *siteindex.Index

	resOnce sync.Once
	res     *MatchResult
	taken   map[string]bool // match result: candidates placed
	filled  map[string]int  // match result: posts filled per structure
	resErr  error
}

// builtinInfo describes the built-in dataset id of e.
func builtinInfo(e *matching.Engine, id string) (DatasetInfo, bool) {
	ss, ok := e.Structures(id)
	if !ok {
		return DatasetInfo{}, false
	}
	rep, _ := e.StructureReport(id)
	meta := data.DatasetMeta{ID: id, Kind: data.KindStructures, Name: id, Rows: len(ss),
		CreatedAt: e.StructuresAt(), Source: rep.File}
	meta.Departements, meta.RowsByDepartement = departementsOf(len(ss), func(i int) string { return ss[i].Departement })
	return DatasetInfo{DatasetMeta: meta, Builtin: true}, true
}

// List lists the built-in datasets (by id) then the stored ones (oldest
// first).
func (ds *Datasets) List() ([]DatasetInfo, error) {
	e := ds.reg.Engine()
	ids := e.BuiltinStructureIDs()
	out := make([]DatasetInfo, 0, len(ids))
	for _, id := range ids {
		info, _ := builtinInfo(e, id)
		out = append(out, info)
	}
	metas, err := ds.reg.store.List()
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	for _, m := range metas {
		if m.Kind == data.KindLayer {
			continue // listed with the layers (GET /v1/layers)
		}
		out = append(out, DatasetInfo{DatasetMeta: m})
	}
	return out, nil
}

// Get returns the dataset id, built-in or stored, and whether it is
// built-in. An unknown id gives an error wrapping data.ErrDatasetNotFound.
// The last datasets read stay in memory (maxCachedDatasets), so paging
// through a large one does not read it from the store each time. The
// returned dataset is shared: callers must not modify it.
func (ds *Datasets) Get(id string) (*data.Dataset, bool, error) {
	en, err := ds.entry(id)
	if err != nil {
		return nil, false, err
	}
	return en.ds, en.builtin, nil
}

// NotFoundError is the error of an unknown dataset id. The API answers it
// also for a dataset a token may not see, so that the two cannot be told
// apart.
func NotFoundError(id string) error {
	return fmt.Errorf("dataset %q: %w", id, data.ErrDatasetNotFound)
}

// read reads the dataset id from the built-ins or the store.
func (ds *Datasets) read(e *matching.Engine, id string) (*datasetEntry, error) {
	if info, ok := builtinInfo(e, id); ok {
		ss, _ := e.Structures(id)
		return &datasetEntry{ds: &data.Dataset{Meta: info.DatasetMeta, Structures: ss}, builtin: true}, nil
	}
	store := ds.reg.store
	var d *data.Dataset
	var version int64
	var err error
	if vs, ok := store.(data.VersionedStore); ok {
		d, version, err = vs.GetVersion(id)
	} else {
		d, err = store.Get(id)
	}
	if errors.Is(err, data.ErrDatasetNotFound) {
		return nil, NotFoundError(id)
	}
	if err != nil {
		return nil, fmt.Errorf("dataset %q: %w", id, err)
	}
	if d.Meta.Kind == data.KindLayer {
		return nil, NotFoundError(id) // a layer, served by the engine (layers.go)
	}
	return &datasetEntry{ds: d, version: version}, nil
}

// current reports whether a cached entry is still the stored dataset. Only
// a store shared with other replicas (data.VersionedStore) can change
// behind this engine's back: its entries are checked by version at each
// use, one indexed lookup (about 0.2 ms on a local PostgreSQL), so that a
// dataset deleted or replaced through another replica is not served from
// here afterwards.
func (ds *Datasets) current(id string, en *datasetEntry) (bool, error) {
	vs, ok := ds.reg.store.(data.VersionedStore)
	if !ok || en.builtin {
		return true, nil
	}
	v, err := vs.Version(id)
	if errors.Is(err, data.ErrDatasetNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("dataset %q: %w", id, err)
	}
	return v == en.version, nil
}

// Parse reads and validates a candidates, structures or proposals
// file (proposals are proposed sites in the structures format) against the
// engine's territory, within lim (see textio.DecodeLimits). A file with any
// invalid row is rejected whole with a *people.LoadErrors, one that cannot
// be read to its end with a *textio.ReadError. The dataset returned has its
// Kind, Name, Source, Rows, Departements and Notes set but no id:
// Add stores it.
func (ds *Datasets) Parse(kind data.DatasetKind, name string, in io.Reader, format textio.Format, lim textio.DecodeLimits) (*data.Dataset, error) {
	e := ds.reg.Engine()
	d := &data.Dataset{Meta: data.DatasetMeta{Kind: kind, Name: name, Source: name}}
	var err error
	var info textio.FileInfo
	switch kind {
	case data.KindCandidates:
		d.Candidates, info, err = people.LoadCandidates(in, name, format, e.Territory(), lim)
		d.Meta.Rows = len(d.Candidates)
		d.Meta.Departements, d.Meta.RowsByDepartement = departementsOf(len(d.Candidates), func(i int) string { return d.Candidates[i].Departement })
	case data.KindStructures, data.KindProposals:
		d.Structures, info, err = people.LoadStructures(in, name, format, e.Territory(), lim)
		d.Meta.Rows = len(d.Structures)
		d.Meta.Departements, d.Meta.RowsByDepartement = departementsOf(len(d.Structures), func(i int) string { return d.Structures[i].Departement })
	default:
		return nil, fmt.Errorf("%w: %q (want %s, %s or %s)", ErrDatasetKind, kind, data.KindCandidates, data.KindStructures, data.KindProposals)
	}
	if err != nil {
		return nil, err
	}
	if d.Meta.Rows == 0 {
		return nil, fmt.Errorf("%s: %w", name, ErrEmptyDataset)
	}
	d.Meta.Notes = info.Notes
	return d, nil
}

// ReadFile is Parse on a local file (plain or gzip) within
// textio.LocalFileLimits, its format detected from its name and first bytes,
// its name being the file's base name.
func (ds *Datasets) ReadFile(kind data.DatasetKind, path string) (*data.Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ds.Parse(kind, filepath.Base(path), f, textio.FormatUnknown, textio.LocalFileLimits())
}

// Add stores d under a new id (its kind's prefix and 12 random hex
// digits, e.g. "cand-3f9a0c12d4e5"), setting CreatedAt, and returns its
// description. Rows and Departements are recomputed from the rows.
func (ds *Datasets) Add(d *data.Dataset) (DatasetInfo, error) {
	id, err := newDatasetID(d.Meta.Kind)
	if err != nil {
		return DatasetInfo{}, err
	}
	d.Meta.ID = id
	d.Meta.CreatedAt = time.Now().UTC()
	switch {
	case d.Candidates != nil:
		d.Meta.Rows = len(d.Candidates)
		d.Meta.Departements, d.Meta.RowsByDepartement = departementsOf(len(d.Candidates), func(i int) string { return d.Candidates[i].Departement })
	case d.Structures != nil:
		d.Meta.Rows = len(d.Structures)
		d.Meta.Departements, d.Meta.RowsByDepartement = departementsOf(len(d.Structures), func(i int) string { return d.Structures[i].Departement })
	}
	if err := ds.reg.store.Put(d); err != nil {
		return DatasetInfo{}, fmt.Errorf("dataset %s: %w", id, err)
	}
	return DatasetInfo{DatasetMeta: d.Meta}, nil
}

// Delete removes a stored dataset (ErrBuiltinDataset for a built-in
// one, an error wrapping data.ErrDatasetNotFound for an unknown id).
func (ds *Datasets) Delete(id string) error {
	e := ds.reg.Engine()
	if _, ok := e.Structures(id); ok {
		return fmt.Errorf("dataset %q: %w: it cannot be deleted", id, ErrBuiltinDataset)
	}
	if strings.HasPrefix(id, layerDatasetPrefix) {
		return fmt.Errorf("dataset %q: %w", id, data.ErrDatasetNotFound) // layers: Layers.Delete
	}
	c := &ds.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := ds.reg.store.Delete(id); err != nil {
		return fmt.Errorf("dataset %q: %w", id, err)
	}
	c.gen++
	if _, ok := c.cache[id]; ok {
		delete(c.cache, id)
		c.order = slices.DeleteFunc(c.order, func(s string) bool { return s == id })
	}
	return nil
}

// entry returns the cached entry of dataset id, reading it on a miss.
func (ds *Datasets) entry(id string) (*datasetEntry, error) {
	c := &ds.cache
	c.mu.Lock()
	if en, ok := c.cache[id]; ok {
		c.mu.Unlock()
		ok, err := ds.current(id, en)
		if err != nil {
			return nil, err
		}
		if ok {
			return en, nil
		}
		c.mu.Lock()
		if c.cache[id] == en { // changed by another replica: drop it, read again
			c.gen++
			delete(c.cache, id)
			c.order = slices.DeleteFunc(c.order, func(s string) bool { return s == id })
		}
	}
	gen := c.gen
	e := ds.reg.Engine() // read under the lock: SetEngine bumps gen with it
	c.mu.Unlock()

	en, err := ds.read(e, id)
	if err != nil {
		return nil, err
	}
	builtin := en.builtin

	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.cache[id]; ok {
		return old, nil
	}
	if c.gen != gen {
		return en, nil // deleted meanwhile: serve this read, do not cache
	}
	if c.cache == nil {
		c.cache = map[string]*datasetEntry{}
	}
	c.cache[id] = en
	if !builtin {
		c.order = append(c.order, id)
		if len(c.order) > maxCachedDatasets {
			delete(c.cache, c.order[0])
			c.order = slices.Delete(c.order, 0, 1)
		}
	}
	return en, nil
}

// entryOf returns the entry of dataset id, checking its kind is one of kinds.
func (ds *Datasets) entryOf(id string, kinds ...data.DatasetKind) (*datasetEntry, error) {
	en, err := ds.entry(id)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(kinds, en.ds.Meta.Kind) {
		return nil, fmt.Errorf("dataset %q: %w: it holds %s, want %v", id, ErrDatasetKind, en.ds.Meta.Kind, kinds)
	}
	return en, nil
}

// UploadedStructures returns the rows of the uploaded structures dataset
// id (data.ErrDatasetNotFound when there is none, ErrDatasetKind when id
// holds candidates). Do not modify them.
func (ds *Datasets) UploadedStructures(id string) ([]pairing.Structure, error) {
	en, err := ds.entryOf(id, data.KindStructures)
	if err != nil {
		return nil, err
	}
	en.convert()
	return en.structs, nil
}

// convert builds the matching rows and the id lookup of a candidates or
// structures entry.
func (en *datasetEntry) convert() {
	en.convOnce.Do(func() {
		switch {
		case en.ds.Candidates != nil:
			en.cands = CandidatesFrom(en.ds.Candidates)
			en.byID = make(map[string]int, len(en.cands))
			for i, c := range en.cands {
				en.byID[c.ID] = i
			}
		case en.ds.Structures != nil:
			en.structs = StructuresFrom(en.ds.Structures)
			en.byID = make(map[string]int, len(en.structs))
			for i, s := range en.structs {
				en.byID[s.ID] = i
			}
		}
	})
}

// index returns the site index of the entry's rows (ids are row indexes).
func (en *datasetEntry) index() *siteindex.Index {
	en.convert()
	en.idxOnce.Do(func() {
		pts := make([]orb.Point, 0, max(len(en.cands), len(en.structs)))
		for i := range en.cands {
			pts = append(pts, en.cands[i].Point)
		}
		for i := range en.structs {
			pts = append(pts, en.structs[i].Point)
		}
		en.idx = siteindex.New(pts)
	})
	return en.idx
}

// Cached returns how many uploaded datasets and match results the
// registry keeps decoded in memory (for the server's metrics).
func (ds *Datasets) Cached() int {
	c := &ds.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.cache)
}

// departementsOf returns the distinct non-empty département codes of n
// rows, ascending, and the number of rows of each.
func departementsOf(n int, dep func(i int) string) ([]string, map[string]int) {
	count := map[string]int{}
	for i := range n {
		if d := dep(i); d != "" {
			count[d]++
		}
	}
	out := make([]string, 0, len(count))
	for d := range count {
		out = append(out, d)
	}
	slices.Sort(out)
	return out, count
}

// datasetPrefix returns the id prefix of a dataset kind.
func datasetPrefix(kind data.DatasetKind) (string, bool) {
	switch kind {
	case data.KindCandidates:
		return "cand", true
	case data.KindStructures:
		return "struct", true
	case data.KindProposals:
		return "prop", true
	case data.KindSites:
		return "sites", true
	case data.KindMatchResult:
		return "match", true
	}
	return "", false
}

// newDatasetID returns the kind's prefix, a dash and 12 random hex digits.
func newDatasetID(kind data.DatasetKind) (string, error) {
	prefix, ok := datasetPrefix(kind)
	if !ok {
		return "", fmt.Errorf("%w: %q", ErrDatasetKind, kind)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("dataset id: %w", err)
	}
	return prefix + "-" + hex.EncodeToString(b[:]), nil
}
