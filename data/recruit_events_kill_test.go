package data

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// eventsKillEnv names the state folder to the helper process.
const eventsKillEnv = "MAILLAGE_KILL_EVENTS_DIR"

// TestHelperAppendEvents is not a test: TestKilledAppendsKeepHistory runs
// it in a child process, which appends events without end, printing the
// Seq of each one once AppendEvent returned, until it is killed.
func TestHelperAppendEvents(t *testing.T) {
	dir := os.Getenv(eventsKillEnv)
	if dir == "" {
		t.Skip("helper process for TestKilledAppendsKeepHistory")
	}
	s, err := OpenBoltStore(dir)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	statuses := [...]string{"interessee", "recrutee", "desistement"}
	for i := 0; ; i++ {
		from := ""
		if i%3 > 0 {
			from = statuses[i%3-1]
		}
		e := &RecruitmentEvent{Kind: EventStatus, Structure: "s", Candidate: "c" + strconv.Itoa(i/3), Status: statuses[i%3], From: from,
			By: "helper", At: time.Now().UTC()}
		if err := s.AppendEvent(e); err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		fmt.Println(e.Seq)
	}
}

// TestKilledAppendsKeepHistory kills a process appending events with
// SIGKILL and reopens the store: every event whose append had returned is
// there, in order, and the chains of each pair are whole (each From the
// Status before it).
func TestKilledAppendsKeepHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	dir := t.TempDir()
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAppendEvents$", "-test.count=1")
		cmd.Env = append(os.Environ(), eventsKillEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		var acked int64
		for n := 0; n < 20*(round+1) && sc.Scan(); n++ {
			if acked, err = strconv.ParseInt(sc.Text(), 10, 64); err != nil {
				t.Fatalf("helper: %q", sc.Text())
			}
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if acked == 0 {
			t.Fatal("helper appended nothing")
		}
		s, err := OpenBoltStore(dir)
		if err != nil {
			t.Fatalf("round %d: reopen after kill -9: %v", round, err)
		}
		evs, err := s.Events()
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		last := map[string]string{}
		for i, e := range evs {
			if e.Seq != int64(i+1) {
				t.Fatalf("round %d: event %d has seq %d", round, i, e.Seq)
			}
			if last[e.Key()] != e.From {
				t.Fatalf("round %d: event %d moves from %q, the pair was %q", round, e.Seq, e.From, last[e.Key()])
			}
			last[e.Key()] = e.Status
		}
		if int64(len(evs)) < acked {
			t.Fatalf("round %d: %d events after the kill, %d were acknowledged", round, len(evs), acked)
		}
		t.Logf("round %d: %d acknowledged, %d kept", round, acked, len(evs))
		if round < 2 {
			// The next helper goes on from the chains left: start it on a
			// fresh folder, the pairs being numbered from 0 again.
			dir = t.TempDir()
		}
	}
}
