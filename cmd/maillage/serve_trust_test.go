package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/data/boltstore"
	"github.com/maillage/maillage/internal/access"
)

// A damaged or locked state folder stops serve with what to do about it.
func TestServeStateAdvice(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	damaged := t.TempDir()
	if err := os.WriteFile(filepath.Join(damaged, boltstore.File), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tf := trustFlags{stateDir: damaged, insecureOpen: true, lockWait: 200 * time.Millisecond}
	_, err := tf.apply(&api.Config{}, log)
	if err == nil {
		t.Fatal("serve started on an empty state file")
	}
	for _, want := range []string{filepath.Join(damaged, boltstore.File), "empty (0 bytes)", "GET /v1/backup", "--state <another folder>"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("damaged state: %q lacks %q", err, want)
		}
	}

	held := t.TempDir()
	st, err := boltstore.Open(held)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tf.stateDir = held
	_, err = tf.apply(&api.Config{}, log)
	if err == nil || !strings.Contains(err.Error(), "--state-lock-wait") || !strings.Contains(err.Error(), "after waiting 200ms") {
		t.Fatalf("locked state: %v", err)
	}
}

// Finding 7 of issue 13, through the signal: after a SIGHUP that fails to
// reload (the revoked token's line removed, another line broken), the
// revoked token is refused; a good file and another SIGHUP bring back
// normal service.
func TestHangupReloadRevokes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens")
	secrets := map[string]string{}
	lines := map[string]string{}
	for _, name := range []string{"anct", "prefet 23", "later"} {
		secrets[name], _ = access.NewToken()
		lines[name] = access.TokenLine(access.Token{Hash: access.HashToken(secrets[name]), Scope: access.Scope{National: true}, Name: name})
	}
	write := func(content string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(lines["anct"] + "\n" + lines["prefet 23"] + "\n")
	ts, err := access.LoadTokens(path)
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	tf := trustFlags{tokensFile: path}
	log := slog.New(slog.NewTextHandler(&logs, nil))
	stop := reloadOnHangup(func() { _ = tf.reloadTokens(ts, log) })
	defer stop()
	hangup := func(name string, valid bool) {
		t.Helper()
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if _, ok := ts.Lookup(secrets[name]); ok == valid {
				return
			}
		}
		t.Fatalf("after SIGHUP, %s valid is not %v; log: %s", name, valid, logs.String())
	}
	write(lines["anct"] + "\nnot a token line\n" + lines["later"] + "\n")
	hangup("prefet 23", false)
	if _, ok := ts.Lookup(secrets["anct"]); !ok {
		t.Fatal("a token still listed was dropped")
	}
	if _, ok := ts.Lookup(secrets["later"]); ok {
		t.Fatal("a token added in a broken file was accepted")
	}
	if !strings.Contains(logs.String(), "tokens file not reloaded") || !strings.Contains(logs.String(), "line 2") {
		t.Fatalf("log of the failed reload: %s", logs.String())
	}
	write(lines["anct"] + "\n" + lines["later"] + "\n")
	hangup("later", true)
	if _, ok := ts.Lookup(secrets["prefet 23"]); ok {
		t.Fatal("the revoked token came back")
	}
}

// syncBuffer is a bytes.Buffer safe for the reload goroutine to write while
// the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
