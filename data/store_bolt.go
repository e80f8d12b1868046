package data

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"

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

// Formats of the rows blob, its first byte; a new encoding gets a new
// number and the old ones stay readable.
const (
	// rowsGob is the gob of storedRows, with no checksum (files written
	// before rowsChecked).
	rowsGob byte = 1
	// rowsChecked is 4 bytes of CRC-32C (big-endian) of the dataset's key,
	// description and gob, then the gob: bbolt checks its page structure, not
	// the bytes of values, so a flipped bit in a dataset would otherwise be
	// served, or fail deep in a decoder.
	rowsChecked byte = 2
)

// castagnoli is the CRC-32C table (hardware-accelerated on amd64 and arm64).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// datasetSum is the checksum of a dataset's key, description and gob.
func datasetSum(key, meta, body []byte) uint32 {
	h := crc32.New(castagnoli)
	for _, b := range [][]byte{key, {0}, meta, {0}, body} {
		h.Write(b)
	}
	return h.Sum32()
}

// rowsBody returns the gob of a stored rows blob after checking its format
// and checksum against the dataset's key and description.
func rowsBody(key, meta, raw []byte) ([]byte, error) {
	switch {
	case len(raw) == 0:
		return nil, fmt.Errorf("dataset %q: rows missing", key)
	case raw[0] == rowsGob:
		return raw[1:], nil
	case raw[0] != rowsChecked:
		return nil, fmt.Errorf("dataset %q: rows of unknown format %d", key, raw[0])
	case len(raw) < 5:
		return nil, fmt.Errorf("dataset %q: rows cut short (%d bytes)", key, len(raw))
	}
	body := raw[5:]
	if want, got := binary.BigEndian.Uint32(raw[1:5]), datasetSum(key, meta, body); want != got {
		return nil, fmt.Errorf("dataset %q: checksum %08x, stored %08x: its bytes changed after it was written", key, got, want)
	}
	return body, nil
}

// BoltStore is a Store persisted in one bbolt file of a state folder.
type BoltStore struct {
	db   *bolt.DB
	path string
	file *os.File // the database file, locked while open
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
	buf.Write([]byte{rowsChecked, 0, 0, 0, 0})
	rows := storedRows{Candidates: d.Candidates, Structures: d.Structures, Sites: d.Sites, Result: d.Result}
	if err := gob.NewEncoder(&buf).Encode(&rows); err != nil {
		return fmt.Errorf("dataset %s: rows: %w", d.Meta.ID, err)
	}
	key := []byte(d.Meta.ID)
	binary.BigEndian.PutUint32(buf.Bytes()[1:5], datasetSum(key, meta, buf.Bytes()[5:]))
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

// Get returns the dataset of that id. A dataset whose bytes fail their
// checksum or do not decode gives an error wrapping ErrCorrupt.
func (s *BoltStore) Get(id string) (*Dataset, error) {
	d := &Dataset{}
	err := s.db.View(func(tx *bolt.Tx) error {
		key := []byte(id)
		meta := tx.Bucket(bucketMeta).Get(key)
		if meta == nil {
			return ErrDatasetNotFound
		}
		body, err := rowsBody(key, meta, tx.Bucket(bucketRows).Get(key))
		if err != nil {
			return fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		if err := json.Unmarshal(meta, &d.Meta); err != nil {
			return fmt.Errorf("%w: description: %w", ErrCorrupt, err)
		}
		// The slice is only valid inside the transaction: gob copies out.
		var rows storedRows
		if err := gob.NewDecoder(bytes.NewReader(body)).Decode(&rows); err != nil {
			return fmt.Errorf("%w: rows: %w", ErrCorrupt, err)
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
				return fmt.Errorf("dataset %q: %w: description: %w", k, ErrCorrupt, err)
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
