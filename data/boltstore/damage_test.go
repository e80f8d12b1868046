package boltstore

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/maillage/maillage/data"
	bolt "go.etcd.io/bbolt"
)

// storeImage is the bytes of a small real state file, what it holds and
// where its pages are.
type storeImage struct {
	file     []byte
	want     map[string]*data.Dataset
	pageSize int
	pages    int              // high-water mark: pages in use or free
	byType   map[string][]int // page ids by bbolt type (meta, freelist, branch, leaf, free) or overflow (a page's continuation)
}

// newStoreImage writes 40 small datasets (so that the descriptions span
// branch pages), one of 2,000 rows (on overflow pages) and a match result,
// deletes one (a free page or two), and maps the pages of the file.
func newStoreImage(t *testing.T) *storeImage {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	img := &storeImage{want: map[string]*data.Dataset{}, byType: map[string][]int{}}
	put := func(d *data.Dataset) {
		if err := s.Put(d); err != nil {
			t.Fatal(err)
		}
		img.want[d.Meta.ID] = d
	}
	for i := range 40 {
		put(testDataset(fmt.Sprintf("ds-%03d", i), 3))
	}
	put(testDataset("big", 2000))
	put(&data.Dataset{Meta: data.DatasetMeta{ID: "m1", Kind: data.KindMatchResult, CreatedAt: time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)},
		Result: []byte(`{"pairs":[]}`)})
	if err := s.Delete("ds-039"); err != nil {
		t.Fatal(err)
	}
	delete(img.want, "ds-039")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(dir, File)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.View(func(tx *bolt.Tx) error {
		img.pageSize = db.Info().PageSize
		img.pages = int(tx.Size()) / img.pageSize
		for id := 0; id < img.pages; {
			p, err := tx.Page(id)
			if err != nil || p == nil {
				return fmt.Errorf("page %d: %v", id, err)
			}
			img.byType[p.Type] = append(img.byType[p.Type], id)
			id++
			if p.Type == "free" { // its header is stale
				continue
			}
			for range p.OverflowCount { // the rest of a value spanning pages
				img.byType["overflow"] = append(img.byType["overflow"], id)
				id++
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if img.file, err = os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"meta", "freelist", "branch", "leaf", "overflow"} {
		if len(img.byType[typ]) == 0 {
			t.Fatalf("the fixture has no %s page (%v): the damage cases would not exercise it", typ, img.byType)
		}
	}
	return img
}

// page returns the byte range of page id.
func (img *storeImage) page(id int) (int, int) { return id * img.pageSize, (id + 1) * img.pageSize }

// damaged returns a copy of the file changed by f.
func (img *storeImage) damaged(f func(b []byte) []byte) []byte {
	return f(bytes.Clone(img.file))
}

// zero zeroes page id.
func (img *storeImage) zero(b []byte, ids ...int) []byte {
	for _, id := range ids {
		from, to := img.page(id)
		clear(b[from:to])
	}
	return b
}

// writeState puts b as the state file of a new folder.
func writeState(t *testing.T, b []byte) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, File)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, path
}

// Finding 6 of issue 13: a half-truncated file opened (then SIGBUS on the
// first read past its end), an empty one opened empty, zeroed pages
// panicked at start, flipped bytes were served or answered with the file
// path. Each must be refused at open, saying what is wrong.
func TestOpenRefusesDamagedStateFile(t *testing.T) {
	img := newStoreImage(t)
	used := img.pages * img.pageSize
	flipAt := func(needle string) func(b []byte) []byte {
		return func(b []byte) []byte {
			i := bytes.Index(b, []byte(needle))
			if i < 0 {
				t.Fatalf("%q not in the file", needle)
			}
			b[i+len(needle)-1] ^= 0x01
			return b
		}
	}
	for _, c := range []struct {
		name   string
		damage func(b []byte) []byte
		reason string
	}{
		{"truncated to half", func(b []byte) []byte { return b[:used/2] }, "truncated"},
		{"truncated by one page", func(b []byte) []byte { return b[:used-img.pageSize] }, "truncated"},
		{"empty", func(b []byte) []byte { return b[:0] }, "empty (0 bytes)"},
		{"shorter than its meta pages", func(b []byte) []byte { return b[:1000] }, "damaged"},
		{"meta pages zeroed", func(b []byte) []byte { return img.zero(b, 0, 1) }, "invalid database"},
		{"freelist page zeroed", func(b []byte) []byte { return img.zero(b, img.byType["freelist"][0]) }, "freelist"},
		{"branch page zeroed", func(b []byte) []byte { return img.zero(b, img.byType["branch"][0]) }, "damaged"},
		{"leaf pages zeroed", func(b []byte) []byte { return img.zero(b, img.byType["leaf"]...) }, "damaged"},
		{"overflow page zeroed", func(b []byte) []byte { return img.zero(b, img.byType["overflow"][1]) }, "checksum"},
		{"byte flipped in rows", func(b []byte) []byte {
			from, to := img.page(img.byType["overflow"][0])
			b[(from+to)/2] ^= 0x10
			return b
		}, "checksum"},
		{"byte flipped in a description", flipAt(`"name":"test ds-017`), "checksum"},
		{"byte flipped in a key", flipAt("ds-023"), "ds-02"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir, path := writeState(t, img.damaged(c.damage))
			s, err := Open(dir)
			if err == nil {
				s.Close()
				t.Fatal("a damaged state file opened")
			}
			msg := err.Error()
			if !errors.Is(err, data.ErrCorrupt) || !strings.Contains(msg, path) || !strings.Contains(msg, c.reason) {
				t.Fatalf("error %q: want data.ErrCorrupt naming %s and %q", msg, path, c.reason)
			}
			// Refusing released the file: the original opens in its place.
			if err := os.WriteFile(path, img.file, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err = Options{LockWait: 100 * time.Millisecond}.Open(dir)
			if err != nil {
				t.Fatalf("the undamaged file after a refusal (%v): %v", msg, err)
			}
			s.Close()
		})
	}
}

// Any byte flipped in the pages of a state file either has it refused at
// open or changes nothing that is served: no panic, no fault, no altered or
// missing dataset.
func TestFlippedBytesRefusedOrHarmless(t *testing.T) {
	img := newStoreImage(t)
	n := 300
	if testing.Short() {
		n = 60
	}
	rng := rand.New(rand.NewPCG(13, 6))
	refused := 0
	dir, path := writeState(t, img.file)
	for range n {
		// Pages 0 and 1 are the two meta pages: bbolt falls back to the
		// other one, by design, when one fails its checksum.
		at := 2*img.pageSize + rng.IntN((img.pages-2)*img.pageSize)
		b := bytes.Clone(img.file)
		b[at] ^= byte(1 + rng.IntN(255))
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Options{LockWait: 100 * time.Millisecond}.Open(dir)
		if err != nil {
			if !errors.Is(err, data.ErrCorrupt) {
				t.Fatalf("flip at byte %d (page %d): %v, want data.ErrCorrupt", at, at/img.pageSize, err)
			}
			refused++
			continue
		}
		metas, err := s.List()
		if err != nil || len(metas) != len(img.want) {
			t.Errorf("flip at byte %d (page %d) undetected: List: %d datasets, %v", at, at/img.pageSize, len(metas), err)
		}
		for id, want := range img.want {
			if got, err := s.Get(id); err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("flip at byte %d (page %d) undetected: dataset %s: %v", at, at/img.pageSize, id, err)
			}
		}
		s.Close()
	}
	t.Logf("%d of %d single-byte flips refused at open, the others fell in unused bytes", refused, n)
	if refused == 0 {
		t.Fatal("no flip was refused: the test did not exercise the check")
	}
}

// A dataset whose bytes change after the store is open (the file edited
// under a running server) is an error wrapping data.ErrCorrupt, not a panic.
func TestGetCorruptDataset(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Put(testDataset("cand", 2000)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte("c0001000"))
	if i < 0 {
		t.Fatal("row id not in the file")
	}
	// bbolt maps the file shared: a write to it is seen by the next read.
	if _, err := s.file.WriteAt([]byte("x"), int64(i)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("cand"); !errors.Is(err, data.ErrCorrupt) || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("Get of a dataset changed on disk: %v, want data.ErrCorrupt (checksum)", err)
	}
}

// Files of earlier versions open: one bbolt created without the buckets
// (a first start killed early), and datasets stored without a checksum.
func TestOpenEarlierStateFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, File)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("bbolt file without buckets: %v", err)
	}
	want := testDataset("old", 5)
	if err := s.Put(want); err != nil {
		t.Fatal(err)
	}
	// Rewrite the rows as the first format did: 1 (data's rowsGob), then the
	// gob alone.
	err = s.db.Update(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketRows).Get([]byte("old"))
		return tx.Bucket(bucketRows).Put([]byte("old"), append([]byte{1}, raw[5:]...))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(dir); err != nil {
		t.Fatalf("datasets without checksum: %v", err)
	}
	defer s.Close()
	if got, err := s.Get("old"); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("dataset without checksum: %v", err)
	}
}

// A new state file is built aside and linked into place whole.
func TestCreateStateFile(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if left, _ := filepath.Glob(filepath.Join(dir, File+".new-*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	if st, err := os.Stat(filepath.Join(dir, File)); err != nil || st.Size() == 0 || st.Mode().Perm() != 0o600 {
		t.Fatalf("new state file: %v %v", st, err)
	}
}
