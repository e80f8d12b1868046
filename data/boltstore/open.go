package boltstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/maillage/maillage/data"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// DefaultLockWait is how long Open waits for the file lock of a
// state file. A process killed with SIGKILL releases its lock only once the
// kernel has torn it down, which can take more than a second after kill
// returns (a large mapped file, an fsync in flight); one second was seen to
// fail a restart.
const DefaultLockWait = 10 * time.Second

// ErrLocked is wrapped by the error of Open when another process
// (or another Store of this one) still holds the state file after the
// lock wait.
var ErrLocked = errors.New("in use by another process")

// Options tunes Open; the zero value is the default.
type Options struct {
	// LockWait is how long to wait for another holder of the file to let go
	// of it (DefaultLockWait when 0). bbolt retries the lock every 50 ms.
	LockWait time.Duration
}

// Open opens (creating it when needed) the dataset database in dir
// with the default options: see Options.Open.
func Open(dir string) (*Store, error) { return Options{}.Open(dir) }

// Open opens (creating it when needed) the dataset database in dir, after
// checking it whole; a damaged file is refused with an error wrapping
// data.ErrCorrupt that says what is wrong, and is never served:
//
//   - a file shorter than the pages its header counts (truncated: serving
//     it would fault with SIGBUS on the first read past its end);
//   - an empty file (0 bytes): a new state file is built aside and linked
//     into place whole, so an empty one is never the start of a store;
//   - pages that bbolt cannot read (zeroed, overwritten), bbolt's own
//     consistency check (Tx.Check: every page reachable once or free, keys in
//     order), and every dataset's checksum (key, description and rows);
//   - a panic or memory fault inside bbolt while reading it.
//
// The check reads the whole file once: 63 ms for 153 MB in the page cache
// (BenchmarkOpenBoltStore), the disk's read time otherwise.
func (o Options) Open(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("state folder: empty path")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state folder %s: %w", dir, err)
	}
	path := filepath.Join(dir, File)
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := o.create(path); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, fmt.Errorf("state file %s: %w", path, err)
	case st.Size() == 0:
		return nil, damaged(path, errors.New("the file is empty (0 bytes): a state file is created whole, so this one lost its content"))
	}
	// First a read-only pass: bbolt then reads only the two meta pages before
	// the file size is known to cover every page.
	if err := o.verify(path); err != nil {
		return nil, err
	}
	db, f, err := o.open(path, false)
	if err != nil {
		return nil, err
	}
	if err := db.View(checkPages); err != nil {
		db.Close()
		return nil, damaged(path, err)
	}
	// A file made before the buckets (by an older version) gets them now.
	if db.View(hasBuckets) != nil {
		if err := db.Update(createBuckets); err != nil {
			db.Close()
			return nil, fmt.Errorf("state file %s: %w", path, err)
		}
	}
	return &Store{db: db, path: path, file: f}, nil
}

// create builds a new, empty state file aside and links it into place, so
// that path either does not exist or holds a whole database. Another
// process creating it at the same time wins quietly.
func (o Options) create(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), File+".new-*")
	if err != nil {
		return fmt.Errorf("state file %s: %w", path, err)
	}
	name := tmp.Name()
	tmp.Close()
	defer os.Remove(name)
	db, _, err := o.open(name, false)
	if err != nil {
		return err
	}
	err = db.Update(createBuckets)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("state file %s: %w", path, err)
	}
	// Link, unlike rename, never replaces a file another process made.
	if err := os.Link(name, path); err != nil && !errors.Is(err, fs.ErrExist) {
		if err := os.Rename(name, path); err != nil { // a file system without hard links
			return fmt.Errorf("state file %s: %w", path, err)
		}
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil { // make the new name durable
		d.Sync()
		d.Close()
	}
	return nil
}

// verify opens path read-only and checks that the file covers every page,
// then reads every dataset, faults turned into errors.
func (o Options) verify(path string) error {
	db, _, err := o.open(path, true)
	if err != nil {
		return err
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		if need := tx.Size(); st.Size() < need {
			return fmt.Errorf("truncated: the file is %d bytes but its pages reach %d bytes", st.Size(), need)
		}
		return guard(func() error { return checkDatasets(tx) })
	})
	if err != nil {
		return damaged(path, err)
	}
	return nil
}

// open opens path with bbolt (read-only or not), turning a panic or a
// fault inside bbolt into an error. It also returns the database file.
func (o Options) open(path string, readOnly bool) (*bolt.DB, *os.File, error) {
	wait := o.LockWait
	if wait <= 0 {
		wait = DefaultLockWait
	}
	var f *os.File
	opts := &bolt.Options{Timeout: wait, ReadOnly: readOnly,
		OpenFile: func(name string, flag int, mode os.FileMode) (*os.File, error) {
			var err error
			f, err = os.OpenFile(name, flag, mode)
			return f, err
		}}
	var db *bolt.DB
	err := guard(func() error {
		var err error
		db, err = bolt.Open(path, 0o600, opts)
		return err
	})
	var pe *panicError
	switch {
	case errors.As(err, &pe):
		// bbolt did not close the file on its way out: release it and its
		// lock (its memory map stays, unreachable).
		if f != nil {
			unlockFile(f)
			f.Close()
		}
		return nil, nil, damaged(path, err)
	case errors.Is(err, berrors.ErrTimeout):
		return nil, nil, fmt.Errorf("state file %s: %w (%s) after waiting %s", path, ErrLocked, lockHolder(path), wait)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return nil, nil, damaged(path, err)
	case err != nil && strings.Contains(err.Error(), "file size too small"):
		return nil, nil, damaged(path, err) // shorter than its two meta pages
	case err != nil:
		return nil, nil, fmt.Errorf("state file %s: %w", path, err)
	}
	return db, f, nil
}

// damaged wraps the reason a state file is refused.
func damaged(path string, reason error) error {
	return fmt.Errorf("state file %s is %w (%w)", path, data.ErrCorrupt, reason)
}

// panicError is a panic or memory fault recovered by guard.
type panicError struct{ v any }

func (e *panicError) Error() string { return fmt.Sprintf("bbolt failed reading it: %v", e.v) }

// guard runs f, turning a panic, or a memory fault such as a read of a
// mapped page past the end of a truncated file (SIGBUS), into an error. It
// covers f's goroutine only.
func guard(f func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{r}
		}
	}()
	return f()
}

// checkDatasets reads every dataset of tx: both buckets present (or none,
// in a file made before them), each description and rows blob paired,
// findable by key, decodable and matching its checksum.
func checkDatasets(tx *bolt.Tx) error {
	meta, rows := tx.Bucket(bucketMeta), tx.Bucket(bucketRows)
	if meta == nil || rows == nil {
		if k, _ := tx.Cursor().First(); meta == nil && rows == nil && k == nil {
			return nil // bbolt's empty file, made before the buckets
		}
		return errors.New("the datasets buckets are missing: not a maillage state file, or its root page is damaged")
	}
	err := meta.ForEach(func(k, v []byte) error {
		if meta.Get(k) == nil {
			return fmt.Errorf("dataset %q: its description cannot be found by key", k)
		}
		var m data.DatasetMeta
		if err := json.Unmarshal(v, &m); err != nil {
			return fmt.Errorf("dataset %q: description: %w", k, err)
		}
		if m.ID != string(k) {
			return fmt.Errorf("dataset %q: its description names %q", k, m.ID)
		}
		return data.CheckRows(k, v, rows.Get(k))
	})
	if err != nil {
		return err
	}
	return rows.ForEach(func(k, _ []byte) error {
		if meta.Get(k) == nil {
			return fmt.Errorf("dataset %q: rows without a description", k)
		}
		return nil
	})
}

// checkPages runs bbolt's consistency check, keeping the first errors. The
// check runs in a goroutine of bbolt's, where a fault could not be caught:
// it comes after verify read every page it reaches.
func checkPages(tx *bolt.Tx) error {
	var errs []string
	n := 0
	for err := range tx.Check() { // drained whole: the checker blocks otherwise
		if n++; n <= 3 {
			errs = append(errs, err.Error())
		}
	}
	if n == 0 {
		return nil
	}
	if n > 3 {
		errs = append(errs, fmt.Sprintf("and %d more", n-3))
	}
	return fmt.Errorf("consistency check: %s", strings.Join(errs, "; "))
}
