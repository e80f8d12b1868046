package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maillage/maillage/internal/access"
)

func TestTokenCommands(t *testing.T) {
	path := filepath.Join(t.TempDir(), "etc", "tokens")
	var out, errw bytes.Buffer
	if code := run([]string{"token", "new", "--scope", "departement:23,87", "--name", "prefet 23", "--tokens", path}, &out, &errw); code != 0 {
		t.Fatalf("new: code %d: %s", code, errw.String())
	}
	secret := strings.TrimSpace(out.String())
	if !strings.HasPrefix(secret, access.TokenPrefix) || len(secret) < 40 {
		t.Fatalf("printed secret %q", secret)
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), secret) {
		t.Fatal("the tokens file holds the secret")
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("tokens file mode %v, want 600", st.Mode().Perm())
	}
	ts, err := access.LoadTokens(path)
	if err != nil {
		t.Fatal(err)
	}
	if tok, ok := ts.Lookup(secret); !ok || tok.Scope.String() != "departement:23,87" || tok.Name != "prefet 23" {
		t.Fatalf("lookup of the printed secret: %+v %v", tok, ok)
	}

	out.Reset()
	errw.Reset()
	if code := run([]string{"token", "new", "--scope", "national", "--name", "prefet 23", "--tokens", path}, &out, &errw); code != 1 ||
		!strings.Contains(errw.String(), "already used") || out.Len() != 0 {
		t.Fatalf("duplicate name: code %d, stdout %q, stderr %q", code, out.String(), errw.String())
	}
	for _, args := range [][]string{
		{"token", "new", "--scope", "region:75", "--name", "x", "--tokens", path},
		{"token", "new", "--scope", "national", "--tokens", path},
		{"token", "new", "--scope", "national", "--name", "x"},
		{"token", "frobnicate", "--tokens", path},
		{"token"},
	} {
		if code := run(args, &out, &errw); code == 0 {
			t.Errorf("%v succeeded", args)
		}
	}
	if code := run([]string{"token", "new", "--scope", "national", "--name", "anct", "--tokens", path}, &out, &errw); code != 0 {
		t.Fatalf("second token: %s", errw.String())
	}
	out.Reset()
	run([]string{"token", "list", "--tokens", path}, &out, &errw)
	if list := out.String(); !strings.Contains(list, "prefet 23") || !strings.Contains(list, "anct") || strings.Contains(list, secret) {
		t.Fatalf("list: %q", list)
	}
	if code := run([]string{"token", "revoke", "--name", "prefet 23", "--tokens", path}, &out, &errw); code != 0 {
		t.Fatalf("revoke: %s", errw.String())
	}
	ts, err = access.LoadTokens(path)
	if err != nil || ts.Len() != 1 {
		t.Fatalf("after revoke: %v, %d tokens", err, ts.Len())
	}
	if _, ok := ts.Lookup(secret); ok {
		t.Fatal("the revoked secret still works")
	}
	if code := run([]string{"token", "revoke", "--name", "nobody", "--tokens", path}, &out, &errw); code != 1 {
		t.Fatal("revoking an unknown name succeeded")
	}
}
