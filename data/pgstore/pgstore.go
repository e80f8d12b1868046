// Package pgstore is a data.Store kept in PostgreSQL, through pgx: the
// store of a service run as several replicas on one database, which its
// operators already run and back up. The schema is created and migrated at
// Open (migrations/*.sql, one transaction each, recorded in
// schema_migrations).
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/maillage/maillage/data"
)

// Channel is the LISTEN/NOTIFY channel on which every Put and Delete
// announces the id it changed, delivered at its commit.
const Channel = "maillage_datasets"

// DefaultTimeout bounds each operation of the store (a large Put
// included), so that a database that stops answering fails requests
// instead of holding them.
const DefaultTimeout = 2 * time.Minute

// Options tunes Open; the zero value is the default.
type Options struct {
	// Timeout bounds each operation (DefaultTimeout when 0).
	Timeout time.Duration
}

// Store is a data.Store in PostgreSQL. It is safe for concurrent use, by
// goroutines and by other processes on the same database.
type Store struct {
	pool    *pgxpool.Pool
	where   string // host:port/database, for errors (never the password)
	timeout time.Duration
	// beforeCommit, when set (tests only), runs inside the transaction of
	// Put after the dataset is written and before commit.
	beforeCommit func()
}

// Open connects to the database of url (postgres://user@host:port/db?…,
// or any connection string pgx reads, PG* environment variables included),
// checks it answers, and migrates its schema (the first schema of
// search_path; set it in the URL, e.g. ?search_path=maillage, to keep the
// tables apart). It returns the names of the migrations it applied.
func (o Options) Open(ctx context.Context, url string) (*Store, []string, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message quotes no password.
		return nil, nil, fmt.Errorf("postgres: connection string: %w", err)
	}
	cc := cfg.ConnConfig
	where := fmt.Sprintf("%s:%d/%s", cc.Host, cc.Port, cc.Database)
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("postgres %s: %w", where, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, nil, fmt.Errorf("postgres %s: %w", where, err)
	}
	applied, err := migrate(ctx, pool)
	if err != nil {
		pool.Close()
		return nil, nil, fmt.Errorf("postgres %s: schema: %w", where, err)
	}
	return &Store{pool: pool, where: where, timeout: timeout}, applied, nil
}

// Open is Options{}.Open.
func Open(ctx context.Context, url string) (*Store, []string, error) {
	return Options{}.Open(ctx, url)
}

// Where returns host:port/database of the store, for logs.
func (s *Store) Where() string { return s.where }

// Pool returns the store's connection pool, for what the store does not
// wrap (LISTEN, operators' queries in tests).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// ctx returns the context of one operation.
func (s *Store) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), s.timeout)
}

// Put stores d under d.Meta.ID, replacing any dataset of that id, in one
// transaction: a client or server killed before its commit leaves no trace
// of it, and other replicas see the old or the new dataset, never a mix.
func (s *Store) Put(d *data.Dataset) error {
	meta, body, err := data.EncodeDataset(d)
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx()
	defer cancel()
	m := &d.Meta
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO datasets (id, kind, name, row_count, created_at, meta, body, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, nextval('dataset_version'))
			ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name, row_count = excluded.row_count,
				created_at = excluded.created_at, meta = excluded.meta, body = excluded.body,
				version = excluded.version, stored_at = now()`,
			m.ID, string(m.Kind), m.Name, m.Rows, m.CreatedAt, string(meta), body); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "SELECT pg_notify($1, $2)", Channel, m.ID); err != nil {
			return err
		}
		if s.beforeCommit != nil {
			s.beforeCommit()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("dataset %s: postgres %s: %w", m.ID, s.where, err)
	}
	return nil
}

// Get returns the dataset of that id. A dataset whose bytes fail their
// checksum or do not decode gives an error wrapping data.ErrCorrupt.
func (s *Store) Get(id string) (*data.Dataset, error) {
	d, _, err := s.GetVersion(id)
	return d, err
}

// GetVersion is Get, also returning the dataset's version: a number that
// grows with every Put of any dataset, so a copy of the dataset is current
// while Version still gives it.
func (s *Store) GetVersion(id string) (*data.Dataset, int64, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	var meta string
	var body []byte
	var version int64
	err := s.pool.QueryRow(ctx, "SELECT meta::text, body, version FROM datasets WHERE id = $1", id).Scan(&meta, &body, &version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, data.ErrDatasetNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("dataset %s: postgres %s: %w", id, s.where, err)
	}
	d, err := data.DecodeDataset(id, []byte(meta), body)
	if err != nil {
		return nil, 0, fmt.Errorf("dataset %s: postgres %s: %w", id, s.where, err)
	}
	return d, version, nil
}

// Version returns the version of the dataset of that id (see GetVersion),
// reading no rows; ErrDatasetNotFound when there is none.
func (s *Store) Version(id string) (int64, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	var version int64
	err := s.pool.QueryRow(ctx, "SELECT version FROM datasets WHERE id = $1", id).Scan(&version)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, data.ErrDatasetNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("dataset %s: postgres %s: %w", id, s.where, err)
	}
	return version, nil
}

// List returns every dataset's description, oldest first (then by id),
// reading no rows.
func (s *Store) List() ([]data.DatasetMeta, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	rows, err := s.pool.Query(ctx, "SELECT id, meta::text FROM datasets")
	if err != nil {
		return nil, fmt.Errorf("postgres %s: %w", s.where, err)
	}
	out := []data.DatasetMeta{}
	var id, meta string
	_, err = pgx.ForEachRow(rows, []any{&id, &meta}, func() error {
		m, err := data.DecodeMeta(id, []byte(meta))
		if err != nil {
			return err
		}
		out = append(out, m)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres %s: %w", s.where, err)
	}
	// Sorted here, not by ORDER BY: timestamptz keeps microseconds, the
	// description nanoseconds, and the order must be the other stores'.
	data.SortMetas(out)
	return out, nil
}

// Delete removes the dataset of that id.
func (s *Store) Delete(id string) error {
	ctx, cancel := s.ctx()
	defer cancel()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM datasets WHERE id = $1", id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return data.ErrDatasetNotFound
		}
		_, err = tx.Exec(ctx, "SELECT pg_notify($1, $2)", Channel, id)
		return err
	})
	if err != nil && !errors.Is(err, data.ErrDatasetNotFound) {
		return fmt.Errorf("dataset %s: postgres %s: %w", id, s.where, err)
	}
	return err
}

// Close closes the connections of the store.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

var _ data.Store = (*Store)(nil)
