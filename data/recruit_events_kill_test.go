package data_test

import (
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/boltstore"
	"github.com/maillage/maillage/data/storetest"
)

// eventsKillEnv names the state folder to the helper process.
const eventsKillEnv = "MAILLAGE_KILL_EVENTS_DIR"

// TestHelperAppendEvents is not a test: TestKilledAppendsKeepHistory runs
// it in a child process, killed with SIGKILL while appending events.
func TestHelperAppendEvents(t *testing.T) {
	dir := os.Getenv(eventsKillEnv)
	if dir == "" {
		t.Skip("helper process for TestKilledAppendsKeepHistory")
	}
	s, err := boltstore.Open(dir)
	if err == nil {
		err = storetest.AppendUntilKilled(s)
	}
	fmt.Println("error", err)
	os.Exit(3)
}

// TestKilledAppendsKeepHistory kills a process appending recruitment
// events to a bbolt store: every acknowledged event survives, chains whole.
func TestKilledAppendsKeepHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	for _, n := range []int{1, 20, 60} {
		dir := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAppendEvents$", "-test.count=1")
		cmd.Env = append(os.Environ(), eventsKillEnv+"="+dir)
		storetest.CheckKilledAppends(t, cmd, n, func() data.Store {
			s, err := boltstore.Open(dir)
			if err != nil {
				t.Fatalf("reopen after kill -9: %v", err)
			}
			return s
		})
	}
}
