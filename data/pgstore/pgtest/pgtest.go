// Package pgtest gives tests a PostgreSQL database of their own: a fresh
// schema on the cluster named by MAILLAGE_TEST_PG, dropped at the end of
// the test. Without that variable the test skips, saying how to get one.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env names the variable holding the URL of the test cluster.
const Env = "MAILLAGE_TEST_PG"

// Skip is the message of a test skipped without a cluster.
const Skip = Env + " is not set: these tests need a PostgreSQL server. Run .ci/run, or: " +
	"apt-get install -y postgresql && export " + Env + "=$(.ci/postgres start /tmp/maillage-pg) " +
	"(as root it runs the cluster as the postgres user; .ci/postgres stop /tmp/maillage-pg ends it)"

// Require skips t, saying how to get a cluster, without MAILLAGE_TEST_PG;
// it returns the cluster's URL.
func Require(t testing.TB) string {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		t.Skip(Skip)
	}
	return base
}

// URL returns the URL of a new, empty schema of the test cluster, the
// first of its search_path, dropped when t ends; it skips t without
// MAILLAGE_TEST_PG.
func URL(t testing.TB) string {
	t.Helper()
	base := Require(t)
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
