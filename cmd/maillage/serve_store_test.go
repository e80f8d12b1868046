package main

import (
	"flag"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/pgstore"
	"github.com/maillage/maillage/data/pgstore/pgtest"
)

// --store defaults to $MAILLAGE_STORE, and a URL that is not postgres://
// is refused without showing its password.
func TestServeStoreFlag(t *testing.T) {
	t.Setenv("MAILLAGE_STORE", "postgres://from-env@db/maillage")
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var tf trustFlags
	tf.register(fs, &api.Config{})
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if tf.storeURL != "postgres://from-env@db/maillage" {
		t.Errorf("--store default %q, want $MAILLAGE_STORE", tf.storeURL)
	}
	if err := fs.Parse([]string{"--store", "postgres://flag@db/maillage"}); err != nil || tf.storeURL != "postgres://flag@db/maillage" {
		t.Errorf("--store on the command line: %q, %v", tf.storeURL, err)
	}
	tf = trustFlags{storeURL: "mysql://root:hunter2@db/maillage", insecureOpen: true}
	_, err := tf.apply(&api.Config{}, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "not a postgres:// URL") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("--store mysql://…: %v; want a refusal without the password", err)
	}
}

// serve --store postgres://… keeps datasets in PostgreSQL, and a second
// server on the same database sees them.
func TestServeStorePostgres(t *testing.T) {
	url := pgtest.URL(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tf := trustFlags{storeURL: url, stateDir: t.TempDir(), insecureOpen: true}
	a, err := tf.apply(&api.Config{}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, ok := a.(*pgstore.Store); !ok {
		t.Fatalf("--store postgres://: a %T", a)
	}
	d := &data.Dataset{Meta: data.DatasetMeta{ID: "cand_x", Kind: data.KindCandidates, Rows: 1},
		Candidates: []people.Candidate{{ID: "c1", Departement: "23"}}}
	if err := a.Put(d); err != nil {
		t.Fatal(err)
	}
	b, err := tf.apply(&api.Config{}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, err := b.Get("cand_x")
	if err != nil || len(got.Candidates) != 1 {
		t.Fatalf("second server: %v, %v", got, err)
	}
}
