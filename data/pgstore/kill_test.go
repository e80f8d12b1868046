package pgstore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/pgstore/pgtest"
	"github.com/maillage/maillage/data/storetest"
)

// killEnv passes the database URL to the helper process.
const killEnv = "MAILLAGE_PG_KILL_HELPER_URL"

// killRows is the size of the dataset the helper writes while being
// killed: the most rows an upload takes by default (api.DefaultMaxRows),
// about 20 MB encoded, so that sending it takes a while.
const killRows = 200000

// TestHelperPut is not a test: TestKilledPutLeavesNoPartialDataset runs it
// in a child process, which stores a large dataset and is killed with
// SIGKILL during the upload.
func TestHelperPut(t *testing.T) {
	url := os.Getenv(killEnv)
	if url == "" {
		t.Skip("helper process for TestKilledPutLeavesNoPartialDataset")
	}
	s, _, err := Open(context.Background(), url)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	if os.Getenv(killEnv+"_HOLD") != "" {
		// Stop inside the transaction, dataset sent, before commit.
		s.beforeCommit = func() {
			fmt.Println("in-transaction")
			time.Sleep(time.Minute)
		}
	}
	d := storetest.Candidates("big", killRows)
	fmt.Println("begin")
	if err := s.Put(d); err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	fmt.Println("committed")
	s.Close()
	os.Exit(0)
}

// TestKilledPutLeavesNoPartialDataset kills a process putting a large
// dataset with SIGKILL, inside its transaction and at growing delays into
// the upload: the database then holds the whole dataset or none of it, its
// other datasets are intact, and it takes a put of the same id at once (no
// lock left behind by the dead connection).
func TestKilledPutLeavesNoPartialDataset(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	url := pgtest.URL(t)
	s := open(t, url)
	defer s.Close()
	base := storetest.Candidates("base", 100)
	if err := s.Put(base); err != nil {
		t.Fatal(err)
	}
	want := storetest.Candidates("big", killRows)
	type attempt struct {
		hold  bool
		delay time.Duration
	}
	attempts := []attempt{{hold: true}}
	for _, ms := range []int{0, 1000, 4000} {
		attempts = append(attempts, attempt{delay: time.Duration(ms) * time.Millisecond})
	}
	outcomes := map[string]int{}
	for i, a := range attempts {
		if err := s.Delete("big"); err != nil && !errors.Is(err, data.ErrDatasetNotFound) {
			t.Fatal(err)
		}
		last := killDuringPut(t, url, a.hold, a.delay)
		got, err := s.Get("big")
		switch {
		case errors.Is(err, data.ErrDatasetNotFound):
			outcomes["absent"]++
		case err != nil:
			t.Fatalf("attempt %d (%s): Get after kill: %v", i, last, err)
		case a.hold:
			t.Fatalf("attempt %d: killed before commit, yet the dataset is there", i)
		default:
			outcomes["complete"]++
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("attempt %d (%s): dataset present but differs (%d rows)", i, last, len(got.Candidates))
			}
		}
		var rows int
		if err := s.pool.QueryRow(context.Background(), "SELECT count(*) FROM datasets").Scan(&rows); err != nil {
			t.Fatal(err)
		}
		metas, err := s.List()
		if err != nil || len(metas) != rows || rows < 1 || rows > 2 {
			t.Fatalf("attempt %d: %d rows in datasets, List %d (%v): want base and, at most, big whole", i, rows, len(metas), err)
		}
		if got, err := s.Get("base"); err != nil || !reflect.DeepEqual(got, base) {
			t.Fatalf("attempt %d: base dataset damaged: %v", i, err)
		}
		// The dead connection holds no lock on the id: a put of it does not
		// wait for the server to notice (it would wait out the timeout).
		quick, _, err := Options{Timeout: 10 * time.Second}.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		if err := quick.Put(storetest.Candidates("big", 10)); err != nil {
			t.Fatalf("attempt %d: Put of the killed id: %v", i, err)
		}
		quick.Close()
	}
	t.Logf("after SIGKILL: %v", outcomes)
	if outcomes["absent"] < 2 {
		t.Fatal("fewer than two attempts were killed before their commit: the test did not exercise a killed upload")
	}
}

// killDuringPut runs the helper on url and SIGKILLs it (after it reports
// being inside the transaction when hold, else delay after "begin"). It
// returns what the helper last reported.
func killDuringPut(t *testing.T, url string, hold bool, delay time.Duration) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperPut$", "-test.count=1")
	cmd.Env = append(os.Environ(), killEnv+"="+url)
	if hold {
		cmd.Env = append(cmd.Env, killEnv+"_HOLD=1")
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 4)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	wait := "begin"
	if hold {
		wait = "in-transaction"
	}
	last := ""
	timeout := time.After(time.Minute)
	for last != wait {
		select {
		case l, ok := <-lines:
			if !ok {
				cmd.Wait()
				t.Fatalf("helper exited before %q (last %q)", wait, last)
			}
			last = l
		case <-timeout:
			cmd.Process.Kill()
			t.Fatalf("helper never reported %q", wait)
		}
	}
	time.Sleep(delay)
	cmd.Process.Signal(syscall.SIGKILL)
	for l := range lines {
		last = l
	}
	cmd.Wait()
	return last
}
