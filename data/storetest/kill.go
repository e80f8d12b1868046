package storetest

import (
	"bufio"
	"fmt"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
)

// AppendUntilKilled appends status events to s without end, printing the
// Seq of each one once AppendEvent returned: the body of the helper
// process of CheckKilledAppends. It returns only on an error.
func AppendUntilKilled(s data.Store) error {
	statuses := [...]string{"interessee", "recrutee", "desistement"}
	for i := 0; ; i++ {
		from := ""
		if i%3 > 0 {
			from = statuses[i%3-1]
		}
		e := &people.RecruitmentEvent{Kind: people.EventStatus, Structure: "s", Candidate: "c" + strconv.Itoa(i/3), Status: statuses[i%3],
			From: from, By: "helper", At: time.Now().UTC()}
		if err := s.AppendEvent(e); err != nil {
			return err
		}
		fmt.Println(e.Seq)
	}
}

// CheckKilledAppends starts cmd (a helper process running
// AppendUntilKilled on a new, empty store), kills it with SIGKILL once it
// acknowledged n events, and checks the store reopen gives: every
// acknowledged event is there, numbered 1, 2, 3… and the chain of each pair
// whole (each From the Status before it).
func CheckKilledAppends(t *testing.T, cmd *exec.Cmd, n int, reopen func() data.Store) {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	var acked int64
	for k := 0; k < n && sc.Scan(); k++ {
		if acked, err = strconv.ParseInt(sc.Text(), 10, 64); err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("helper: %q", sc.Text())
		}
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if acked == 0 {
		t.Fatal("the helper acknowledged no event")
	}
	s := reopen()
	defer s.Close()
	evs, err := s.Events()
	if err != nil {
		t.Fatalf("history after kill -9: %v", err)
	}
	last := map[string]string{}
	for i, e := range evs {
		if e.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d", i, e.Seq)
		}
		if last[e.Key()] != e.From {
			t.Fatalf("event %d moves from %q, the pair was %q", e.Seq, e.From, last[e.Key()])
		}
		last[e.Key()] = e.Status
	}
	if int64(len(evs)) < acked {
		t.Fatalf("%d events after kill -9, %d were acknowledged", len(evs), acked)
	}
	t.Logf("%d acknowledged, %d kept", acked, len(evs))
}
