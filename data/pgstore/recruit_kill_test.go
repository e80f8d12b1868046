package pgstore

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/pgstore/pgtest"
	"github.com/maillage/maillage/data/storetest"
)

// eventsKillEnv passes the database URL to the helper process.
const eventsKillEnv = "MAILLAGE_PG_KILL_EVENTS_URL"

// TestHelperAppendEvents is not a test: TestKilledAppendsKeepHistory runs
// it in a child process, killed with SIGKILL while appending events.
func TestHelperAppendEvents(t *testing.T) {
	url := os.Getenv(eventsKillEnv)
	if url == "" {
		t.Skip("helper process for TestKilledAppendsKeepHistory")
	}
	s, _, err := Open(context.Background(), url)
	if err == nil {
		err = storetest.AppendUntilKilled(s)
	}
	fmt.Println("error", err)
	os.Exit(3)
}

// TestKilledAppendsKeepHistory kills a process appending recruitment
// events to PostgreSQL: every acknowledged (committed) event survives,
// chains whole.
func TestKilledAppendsKeepHistory(t *testing.T) {
	pgtest.Require(t)
	for _, n := range []int{1, 20, 60} {
		url := pgtest.URL(t)
		open(t, url).Close() // migrate before the helper runs
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAppendEvents$", "-test.count=1")
		cmd.Env = append(os.Environ(), eventsKillEnv+"="+url)
		storetest.CheckKilledAppends(t, cmd, n, func() data.Store { return open(t, url) })
	}
}
