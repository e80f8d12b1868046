package snapshot

import (
	"runtime"
	"strings"
	"testing"
)

// TestProgramID checks that the running test binary is identified by its
// Go build ID (on Linux, where binaries are ELF) and the same at each call.
func TestProgramID(t *testing.T) {
	id := programID()
	if id == "" || id != programID() {
		t.Fatalf("program id %q, then %q", id, programID())
	}
	if !strings.HasPrefix(id, "buildid ") {
		if runtime.GOOS == "linux" {
			t.Errorf("program id %q: want the Go build ID of an ELF binary", id)
		}
		t.Logf("no Go build ID note, keyed by the file: %s", id)
	}
}
