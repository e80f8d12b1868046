package data

import (
	"errors"
	"sort"
	"sync"
	"time"

	"github.com/maillage/maillage/data/people"
)

// DatasetKind says what an uploaded dataset holds.
type DatasetKind string

// Dataset kinds.
const (
	KindCandidates  DatasetKind = "candidates"
	KindStructures  DatasetKind = "structures"
	KindProposals   DatasetKind = "proposals"
	KindSites       DatasetKind = "sites"
	KindMatchResult DatasetKind = "match_result"
	// KindLayer is a sites file uploaded as a service layer (POST
	// /v1/layers): its File is kept as sent and read again at each start
	// and reload, over the territory then in service.
	KindLayer DatasetKind = "layer"
)

// DatasetMeta describes a stored dataset without its rows.
type DatasetMeta struct {
	ID           string      `json:"id"`
	Kind         DatasetKind `json:"kind"`
	Name         string      `json:"name"`
	Rows         int         `json:"rows"`
	Departements []string    `json:"departements"` // départements of its rows, ascending
	CreatedAt    time.Time   `json:"created_at"`
	Source       string      `json:"source,omitempty"` // file name or "api"
	Notes        []string    `json:"notes,omitempty"`  // how the file was read (textio.FileInfo.Notes)

	// RowsByDepartement counts the rows of each département (candidates,
	// structures and proposals; nil for match results and for datasets
	// stored before it existed): what a département-scoped token is shown.
	RowsByDepartement map[string]int `json:"rows_by_departement,omitempty"`
}

// Dataset is a stored dataset: its description and its rows. Exactly one of
// the row slices is used, by Kind (Structures for proposals); a match result
// is kept as its JSON encoding in Result, an uploaded layer as its file in
// File.
type Dataset struct {
	Meta       DatasetMeta
	Candidates []people.Candidate
	Structures []people.Structure
	Sites      []Site
	Result     []byte
	File       []byte
}

// ErrDatasetNotFound is returned by Store.Get and Store.Delete for an
// unknown id.
var ErrDatasetNotFound = errors.New("dataset not found")

// ErrCorrupt is wrapped by the errors of stored data that is damaged: a
// state file refused at open, or a dataset whose bytes fail their checksum
// or do not decode when read. It is the server's fault, not the caller's:
// the API answers it as an internal error and logs the detail.
var ErrCorrupt = errors.New("damaged")

// Store keeps uploaded datasets. Put is atomic: after a crash a dataset is
// entirely there or entirely absent. Get of an unknown id gives
// ErrDatasetNotFound, of damaged bytes an error wrapping ErrCorrupt.
// Implementations are safe for concurrent use.
type Store interface {
	Put(d *Dataset) error
	Get(id string) (*Dataset, error)
	List() ([]DatasetMeta, error)
	Delete(id string) error
	Close() error
	// The recruitment history (issue 21) lives beside the datasets, in
	// the same database, so that a backup holds both.
	people.RecruitmentStore
}

// VersionedStore is a Store shared with other processes (replicas on one
// database), which may delete or replace a dataset another one has cached
// things derived from. GetVersion is Get with the dataset's version, a
// number that changes with every Put of its id; Version reads that number
// alone (ErrDatasetNotFound once the dataset is deleted), so that a cache
// checks it is current with one indexed lookup.
type VersionedStore interface {
	Store
	GetVersion(id string) (*Dataset, int64, error)
	Version(id string) (int64, error)
}

// MemoryStore is a Store in memory, lost at exit: for tests and for serving
// without a state folder.
type MemoryStore struct {
	mu      sync.RWMutex
	m       map[string]*Dataset
	events  []people.RecruitmentEvent
	current map[string]string // RecruitmentEvent.Key → its last status
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{m: map[string]*Dataset{}} }

// Put stores d under d.Meta.ID, replacing any dataset of that id.
func (s *MemoryStore) Put(d *Dataset) error {
	if d.Meta.ID == "" {
		return errors.New("dataset without id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[d.Meta.ID] = d
	return nil
}

// Get returns the dataset of that id.
func (s *MemoryStore) Get(id string) (*Dataset, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := s.m[id]
	if !ok {
		return nil, ErrDatasetNotFound
	}
	return d, nil
}

// List returns every dataset's description, oldest first (then by id).
func (s *MemoryStore) List() ([]DatasetMeta, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]DatasetMeta, 0, len(s.m))
	for _, d := range s.m {
		out = append(out, d.Meta)
	}
	SortMetas(out)
	return out, nil
}

// Delete removes the dataset of that id.
func (s *MemoryStore) Delete(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[id]; !ok {
		return ErrDatasetNotFound
	}
	delete(s.m, id)
	return nil
}

// Close does nothing for a MemoryStore.
func (s *MemoryStore) Close() error { return nil }

// SortMetas orders descriptions oldest first, then by id.
func SortMetas(ms []DatasetMeta) {
	sort.Slice(ms, func(i, j int) bool {
		if !ms[i].CreatedAt.Equal(ms[j].CreatedAt) {
			return ms[i].CreatedAt.Before(ms[j].CreatedAt)
		}
		return ms[i].ID < ms[j].ID
	})
}
