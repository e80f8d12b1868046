package pgstore

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/pgstore/pgtest"
	"github.com/maillage/maillage/data/storetest"
)

// open opens a store on url or fails t.
func open(t testing.TB, url string) *Store {
	t.Helper()
	s, _, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestContract(t *testing.T) {
	pgtest.Require(t)
	storetest.Run(t, func(t *testing.T) data.Store { return open(t, pgtest.URL(t)) })
}

func TestMigrations(t *testing.T) {
	url := pgtest.URL(t)
	// Replicas starting together: one applies each migration, the others
	// find it applied.
	const n = 4
	var wg sync.WaitGroup
	applied := make([][]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			var s *Store
			s, applied[i], errs[i] = Open(context.Background(), url)
			if s != nil {
				s.Close()
			}
		})
	}
	wg.Wait()
	total := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Open %d: %v", i, errs[i])
		}
		total += len(applied[i])
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if total != len(ms) {
		t.Errorf("%d migrations applied by %d concurrent Opens, want %d in all", total, n, len(ms))
	}
	s := open(t, url)
	defer s.Close()
	ctx := context.Background()
	var version, count int
	if err := s.pool.QueryRow(ctx, "SELECT max(version), count(*) FROM schema_migrations").Scan(&version, &count); err != nil {
		t.Fatal(err)
	}
	if version != SchemaVersion() || count != len(ms) {
		t.Errorf("schema_migrations: version %d, %d rows; want %d, %d", version, count, SchemaVersion(), len(ms))
	}
	// A schema migrated by a newer release is refused.
	if _, err := s.pool.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future')"); err != nil {
		t.Fatal(err)
	}
	_, _, err = Open(ctx, url)
	if err == nil || !strings.Contains(err.Error(), "version 9999, newer than this maillage's") {
		t.Errorf("Open of a newer schema: %v, want a refusal naming version 9999", err)
	}
}

func TestDamagedBodyIsCorrupt(t *testing.T) {
	s := open(t, pgtest.URL(t))
	defer s.Close()
	if err := s.Put(storetest.Candidates("d", 100)); err != nil {
		t.Fatal(err)
	}
	// Flip one byte in the middle of the rows, as a disk or a hand edit would.
	if _, err := s.pool.Exec(context.Background(),
		"UPDATE datasets SET body = set_byte(body, length(body)/2, get_byte(body, length(body)/2) # 1) WHERE id = 'd'"); err != nil {
		t.Fatal(err)
	}
	_, err := s.Get("d")
	if !errors.Is(err, data.ErrCorrupt) || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("Get of a damaged dataset: %v, want ErrCorrupt naming the checksum", err)
	}
}

func TestVersionGrowsWithPut(t *testing.T) {
	s := open(t, pgtest.URL(t))
	defer s.Close()
	if _, err := s.Version("x"); !errors.Is(err, data.ErrDatasetNotFound) {
		t.Fatalf("Version of a missing dataset: %v", err)
	}
	var last int64
	for i := range 3 {
		if err := s.Put(storetest.Candidates("x", i+1)); err != nil {
			t.Fatal(err)
		}
		_, v, err := s.GetVersion("x")
		if err != nil {
			t.Fatal(err)
		}
		if v2, err := s.Version("x"); err != nil || v2 != v {
			t.Fatalf("Version = %d, %v; GetVersion gave %d", v2, err, v)
		}
		if v <= last {
			t.Errorf("put %d: version %d, not above %d", i, v, last)
		}
		last = v
	}
}

func TestOpenErrors(t *testing.T) {
	for _, url := range []string{"postgres://u:secret@127.0.0.1:1/db?connect_timeout=2", "not a url ::"} {
		_, _, err := Open(context.Background(), url)
		if err == nil {
			t.Errorf("Open(%q): no error", url)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("Open error shows the password: %v", err)
		}
	}
}

// BenchmarkVersion is the cost a replica pays per use of a cached dataset
// (matching checks its version).
func BenchmarkVersion(b *testing.B) {
	s := open(b, pgtest.URL(b))
	defer s.Close()
	if err := s.Put(storetest.Candidates("v", 10)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Version("v"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPutGetLarge puts and gets the largest upload (200 000
// candidates, api.DefaultMaxRows).
func BenchmarkPutGetLarge(b *testing.B) {
	s := open(b, pgtest.URL(b))
	defer s.Close()
	d := storetest.Candidates("large", killRows)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Put(d); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Get("large"); err != nil {
			b.Fatal(err)
		}
	}
}
