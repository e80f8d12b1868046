package access

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTokensFile(t *testing.T) {
	dir := t.TempDir()
	secret, _ := NewToken()
	sc, _ := ParseScope("departement:23")
	line := TokenLine(Token{Hash: HashToken(secret), Scope: sc, Name: "préfet de la Creuse"})
	path := filepath.Join(dir, "tokens")
	content := "# issued by maillage token new\n\n" + line + "\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTokens(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable tokens file accepted: %v", err)
	}
	os.Chmod(path, 0o600)
	ts, err := LoadTokens(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(content, secret) {
		t.Fatal("the tokens file holds the secret")
	}
	got, ok := ts.Lookup(secret)
	if !ok || got.Name != "préfet de la Creuse" || got.Scope.String() != "departement:23" {
		t.Fatalf("Lookup: %+v %v", got, ok)
	}
	if _, ok := ts.Lookup(secret[:len(secret)-1]); ok {
		t.Fatal("a truncated secret matched")
	}
	// Reload picks up a new line; a broken file keeps only the tokens it
	// still lists (none here: TestTokenReloadFailsClosed has the cases).
	secret2, _ := NewToken()
	line2 := TokenLine(Token{Hash: HashToken(secret2), Scope: Scope{National: true}, Name: "anct"})
	os.WriteFile(path, []byte(content+line2+"\n"), 0o600)
	if err := ts.Reload(); err != nil || ts.Len() != 2 {
		t.Fatalf("Reload: %v, %d tokens", err, ts.Len())
	}
	os.WriteFile(path, []byte("garbage\n"), 0o600)
	if err := ts.Reload(); err == nil || ts.Len() != 0 {
		t.Fatalf("broken reload: %v, %d tokens (want error, none kept)", err, ts.Len())
	}
	for _, bad := range []string{
		"abc national x\n",
		strings.Repeat("a", 64) + " planet x\n",
		strings.Repeat("a", 64) + " national\n",
		line + "\n" + strings.Replace(line2, "anct", "préfet de la Creuse", 1) + "\n",
	} {
		if _, err := ParseTokens(strings.NewReader(bad), "t"); err == nil {
			t.Errorf("ParseTokens(%q) succeeded", bad)
		} else if errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "line") {
			t.Errorf("ParseTokens(%q): %v, want an error naming the line", bad, err)
		}
	}
}

// BenchmarkLookup measures the constant-time token check over 100 tokens.
func BenchmarkLookup(b *testing.B) {
	var tokens []Token
	var last string
	for i := 0; i < 100; i++ {
		last, _ = NewToken()
		tokens = append(tokens, Token{Hash: HashToken(last), Scope: Scope{National: true}, Name: string(rune('a' + i%26))})
	}
	ts := NewTokenSet(tokens)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := ts.Lookup(last); !ok {
			b.Fatal("not found")
		}
	}
}
