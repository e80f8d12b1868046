package data

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	// bbolt is etcd's maintained fork of BoltDB: a pure-Go, single-file,
	// copy-on-write B+tree with serializable transactions. A Put is one
	// read-write transaction, committed by an fsync of the new pages then of
	// the meta page: a process killed at any point leaves the previous or
	// the new state, never a mix. Chosen over SQLite (modernc.org/sqlite)
	// because the store is key → blob with no queries, and bbolt is a small
	// dependency with no C and no SQL layer.
	bolt "go.etcd.io/bbolt"
)

// BoltFile is the name of the database file inside a state folder.
const BoltFile = "datasets.db"

// Bucket names of the database: descriptions and rows are kept apart so
// that List reads no rows.
var (
	bucketMeta = []byte("meta")
	bucketRows = []byte("rows")
)

// rowsFormat prefixes every encoded row blob; bump it when the encoding
// changes incompatibly.
const rowsFormat byte = 1

// BoltStore is a Store persisted in one bbolt file of a state folder.
type BoltStore struct {
	db   *bolt.DB
	path string
	// beforeCommit, when set (tests only), runs inside the write
	// transaction of Put after the rows are written and before commit.
	beforeCommit func()
}

// storedRows is the gob-encoded body of a dataset.
type storedRows struct {
	Candidates []Candidate
	Structures []Structure
	Sites      []Site
	Result     []byte
}

// OpenBoltStore opens (creating it when needed) the dataset database in dir.
// It fails after one second when another process holds the file.
func OpenBoltStore(dir string) (*BoltStore, error) {
	if dir == "" {
		return nil, errors.New("state folder: empty path")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state folder %s: %w", dir, err)
	}
	path := filepath.Join(dir, BoltFile)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("state %s: in use by another process", path)
		}
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketMeta, bucketRows} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	return &BoltStore{db: db, path: path}, nil
}

// Path returns the database file.
func (s *BoltStore) Path() string { return s.path }

// Put stores d under d.Meta.ID, replacing any dataset of that id, in one
// transaction: after a crash it is entirely there or entirely absent.
func (s *BoltStore) Put(d *Dataset) error {
	if d.Meta.ID == "" {
		return errors.New("dataset without id")
	}
	meta, err := json.Marshal(d.Meta)
	if err != nil {
		return fmt.Errorf("dataset %s: meta: %w", d.Meta.ID, err)
	}
	var buf bytes.Buffer
	buf.WriteByte(rowsFormat)
	rows := storedRows{Candidates: d.Candidates, Structures: d.Structures, Sites: d.Sites, Result: d.Result}
	if err := gob.NewEncoder(&buf).Encode(&rows); err != nil {
		return fmt.Errorf("dataset %s: rows: %w", d.Meta.ID, err)
	}
	key := []byte(d.Meta.ID)
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketRows).Put(key, buf.Bytes()); err != nil {
			return err
		}
		if err := tx.Bucket(bucketMeta).Put(key, meta); err != nil {
			return err
		}
		if s.beforeCommit != nil {
			s.beforeCommit()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("dataset %s: store %s: %w", d.Meta.ID, s.path, err)
	}
	return nil
}

// Get returns the dataset of that id.
func (s *BoltStore) Get(id string) (*Dataset, error) {
	d := &Dataset{}
	err := s.db.View(func(tx *bolt.Tx) error {
		key := []byte(id)
		meta := tx.Bucket(bucketMeta).Get(key)
		if meta == nil {
			return ErrDatasetNotFound
		}
		if err := json.Unmarshal(meta, &d.Meta); err != nil {
			return fmt.Errorf("meta: %w", err)
		}
		raw := tx.Bucket(bucketRows).Get(key)
		if len(raw) == 0 || raw[0] != rowsFormat {
			return fmt.Errorf("rows: missing or unknown format")
		}
		// The slice is only valid inside the transaction: gob copies out.
		var rows storedRows
		if err := gob.NewDecoder(bytes.NewReader(raw[1:])).Decode(&rows); err != nil {
			return fmt.Errorf("rows: %w", err)
		}
		d.Candidates, d.Structures, d.Sites, d.Result = rows.Candidates, rows.Structures, rows.Sites, rows.Result
		return nil
	})
	if errors.Is(err, ErrDatasetNotFound) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("dataset %s: store %s: %w", id, s.path, err)
	}
	return d, nil
}

// List returns every dataset's description, oldest first (then by id).
func (s *BoltStore) List() ([]DatasetMeta, error) {
	var out []DatasetMeta
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).ForEach(func(k, v []byte) error {
			var m DatasetMeta
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("dataset %s: meta: %w", k, err)
			}
			out = append(out, m)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", s.path, err)
	}
	if out == nil {
		out = []DatasetMeta{}
	}
	SortMetas(out)
	return out, nil
}

// Delete removes the dataset of that id.
func (s *BoltStore) Delete(id string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		key := []byte(id)
		if tx.Bucket(bucketMeta).Get(key) == nil {
			return ErrDatasetNotFound
		}
		if err := tx.Bucket(bucketMeta).Delete(key); err != nil {
			return err
		}
		return tx.Bucket(bucketRows).Delete(key)
	})
	if err != nil && !errors.Is(err, ErrDatasetNotFound) {
		return fmt.Errorf("dataset %s: store %s: %w", id, s.path, err)
	}
	return err
}

// Backup writes a consistent copy of the database to path while the store
// stays usable (a read transaction sees one committed state).
func (s *BoltStore) Backup(path string) error {
	err := s.db.View(func(tx *bolt.Tx) error { return tx.CopyFile(path, 0o600) })
	if err != nil {
		return fmt.Errorf("backup %s to %s: %w", s.path, path, err)
	}
	return nil
}

// WriteTo writes a consistent copy of the database to w (a hot backup:
// the store stays usable meanwhile).
func (s *BoltStore) WriteTo(w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup %s: %w", s.path, err)
	}
	return n, nil
}

// Close releases the database file.
func (s *BoltStore) Close() error { return s.db.Close() }
