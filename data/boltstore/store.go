package boltstore

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/maillage/maillage/data"

	// bbolt is etcd's maintained fork of BoltDB: a pure-Go, single-file,
	// copy-on-write B+tree with serializable transactions. A Put is one
	// read-write transaction, committed by an fsync of the new pages then of
	// the meta page: a process killed at any point leaves the previous or
	// the new state, never a mix. Chosen over SQLite (modernc.org/sqlite)
	// because the store is key → blob with no queries, and bbolt is a small
	// dependency with no C and no SQL layer.
	bolt "go.etcd.io/bbolt"
)

// File is the name of the database file inside a state folder.
const File = "datasets.db"

// Bucket names of the database: descriptions and rows are kept apart so
// that List reads no rows.
var (
	bucketMeta = []byte("meta")
	bucketRows = []byte("rows")
)

// Store is a Store persisted in one bbolt file of a state folder.
type Store struct {
	db   *bolt.DB
	path string
	file *os.File // the database file, locked while open
	// beforeCommit, when set (tests only), runs inside the write
	// transaction of Put after the rows are written and before commit.
	beforeCommit func()
}

// hasBuckets is nil when both buckets exist.
func hasBuckets(tx *bolt.Tx) error {
	if tx.Bucket(bucketMeta) == nil || tx.Bucket(bucketRows) == nil {
		return errors.New("buckets missing")
	}
	return nil
}

// createBuckets makes the buckets of a new file.
func createBuckets(tx *bolt.Tx) error {
	for _, b := range [][]byte{bucketMeta, bucketRows} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return nil
}

// Path returns the database file.
func (s *Store) Path() string { return s.path }

// Put stores d under d.Meta.ID, replacing any dataset of that id, in one
// transaction: after a crash it is entirely there or entirely absent.
func (s *Store) Put(d *data.Dataset) error {
	meta, rows, err := data.EncodeDataset(d)
	if err != nil {
		return err
	}
	key := []byte(d.Meta.ID)
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketRows).Put(key, rows); err != nil {
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

// Get returns the dataset of that id. A dataset whose bytes fail their
// checksum or do not decode gives an error wrapping data.ErrCorrupt.
func (s *Store) Get(id string) (*data.Dataset, error) {
	var d *data.Dataset
	err := s.db.View(func(tx *bolt.Tx) error {
		key := []byte(id)
		meta := tx.Bucket(bucketMeta).Get(key)
		if meta == nil {
			return data.ErrDatasetNotFound
		}
		// The slices are only valid inside the transaction: the decoders copy out.
		var err error
		d, err = data.DecodeDataset(id, meta, tx.Bucket(bucketRows).Get(key))
		return err
	})
	if errors.Is(err, data.ErrDatasetNotFound) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("dataset %s: store %s: %w", id, s.path, err)
	}
	return d, nil
}

// List returns every dataset's description, oldest first (then by id).
func (s *Store) List() ([]data.DatasetMeta, error) {
	var out []data.DatasetMeta
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).ForEach(func(k, v []byte) error {
			m, err := data.DecodeMeta(string(k), v)
			if err != nil {
				return err
			}
			out = append(out, m)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", s.path, err)
	}
	if out == nil {
		out = []data.DatasetMeta{}
	}
	data.SortMetas(out)
	return out, nil
}

// Delete removes the dataset of that id.
func (s *Store) Delete(id string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		key := []byte(id)
		if tx.Bucket(bucketMeta).Get(key) == nil {
			return data.ErrDatasetNotFound
		}
		if err := tx.Bucket(bucketMeta).Delete(key); err != nil {
			return err
		}
		return tx.Bucket(bucketRows).Delete(key)
	})
	if err != nil && !errors.Is(err, data.ErrDatasetNotFound) {
		return fmt.Errorf("dataset %s: store %s: %w", id, s.path, err)
	}
	return err
}

// Backup writes a consistent copy of the database to path while the store
// stays usable (a read transaction sees one committed state).
func (s *Store) Backup(path string) error {
	err := s.db.View(func(tx *bolt.Tx) error { return tx.CopyFile(path, 0o600) })
	if err != nil {
		return fmt.Errorf("backup %s to %s: %w", s.path, path, err)
	}
	return nil
}

// WriteTo writes a consistent copy of the database to w (a hot backup:
// the store stays usable meanwhile).
func (s *Store) WriteTo(w io.Writer) (int64, error) {
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
func (s *Store) Close() error { return s.db.Close() }
