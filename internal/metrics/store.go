package metrics

import (
	"errors"
	"time"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
)

// timedStore is a data.Store whose operations are timed into
// maillage_store_operation_duration_seconds.
type timedStore struct {
	inner data.Store
	m     *Metrics
}

// timedVersionedStore is a timedStore over a data.VersionedStore, so that
// the registry still finds the version checks of a store shared by
// replicas (it asserts the interface).
type timedVersionedStore struct {
	timedStore
	vs data.VersionedStore
}

// Store wraps s so that its operations are timed; the result is a
// data.VersionedStore when s is one. Unwrap gives s back (the API reaches
// a bbolt store's backup through it).
func (m *Metrics) Store(s data.Store) data.Store {
	t := timedStore{inner: s, m: m}
	if vs, ok := s.(data.VersionedStore); ok {
		return &timedVersionedStore{timedStore: t, vs: vs}
	}
	return &t
}

// Unwrap returns the wrapped store.
func (t *timedStore) Unwrap() data.Store { return t.inner }

// failed is err unless it is the ordinary answer for an unknown id.
func failed(err error) error {
	if errors.Is(err, data.ErrDatasetNotFound) {
		return nil
	}
	return err
}

// Put stores d, timed as "put".
func (t *timedStore) Put(d *data.Dataset) error {
	t0 := time.Now()
	err := t.inner.Put(d)
	t.m.observeStore("put", t0, err)
	return err
}

// Get reads a dataset, timed as "get".
func (t *timedStore) Get(id string) (*data.Dataset, error) {
	t0 := time.Now()
	d, err := t.inner.Get(id)
	t.m.observeStore("get", t0, failed(err))
	return d, err
}

// List reads every description, timed as "list".
func (t *timedStore) List() ([]data.DatasetMeta, error) {
	t0 := time.Now()
	ms, err := t.inner.List()
	t.m.observeStore("list", t0, err)
	return ms, err
}

// Delete removes a dataset, timed as "delete".
func (t *timedStore) Delete(id string) error {
	t0 := time.Now()
	err := t.inner.Delete(id)
	t.m.observeStore("delete", t0, failed(err))
	return err
}

// Close closes the wrapped store (not timed).
func (t *timedStore) Close() error { return t.inner.Close() }

// GetVersion reads a dataset and its version, timed as "get".
func (t *timedVersionedStore) GetVersion(id string) (*data.Dataset, int64, error) {
	t0 := time.Now()
	d, v, err := t.vs.GetVersion(id)
	t.m.observeStore("get", t0, failed(err))
	return d, v, err
}

// Version reads a dataset's version, timed as "version": the check a
// replica makes before serving a cached dataset.
func (t *timedVersionedStore) Version(id string) (int64, error) {
	t0 := time.Now()
	v, err := t.vs.Version(id)
	t.m.observeStore("version", t0, failed(err))
	return v, err
}

// AppendEvent appends a recruitment event, timed as "append_event"; a
// stale move (another replica moved the pair first) is an ordinary answer.
func (t *timedStore) AppendEvent(e *people.RecruitmentEvent) error {
	t0 := time.Now()
	err := t.inner.AppendEvent(e)
	var stale *people.StaleError
	if errors.As(err, &stale) {
		t.m.observeStore("append_event", t0, nil)
	} else {
		t.m.observeStore("append_event", t0, err)
	}
	return err
}

// EventCount counts the recruitment history, timed as "event_count".
func (t *timedStore) EventCount() (int64, error) {
	t0 := time.Now()
	n, err := t.inner.EventCount()
	t.m.observeStore("event_count", t0, err)
	return n, err
}

// Events reads the recruitment history, timed as "events".
func (t *timedStore) Events() ([]people.RecruitmentEvent, error) {
	t0 := time.Now()
	ev, err := t.inner.Events()
	t.m.observeStore("events", t0, err)
	return ev, err
}
