package api

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
)

// TokenPrefix starts every token NewToken makes, so that a leaked token is
// recognisable in logs and secret scanners.
const TokenPrefix = "mlg_"

// Token is one entry of a tokens file: the SHA-256 of the secret (never the
// secret itself), its scope and a name for people.
type Token struct {
	Hash  [sha256.Size]byte
	Scope Scope
	Name  string
}

// TokenSet is the tokens of a file, safe for concurrent use and reloadable
// while serving.
type TokenSet struct {
	path string
	list atomic.Pointer[[]Token]
}

// NewToken returns a fresh secret: TokenPrefix then 32 random bytes in
// unpadded base64url.
func NewToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// HashToken returns the SHA-256 of a secret, as stored in tokens files.
func HashToken(secret string) [sha256.Size]byte { return sha256.Sum256([]byte(secret)) }

// TokenLine is the tokens-file line of t: "sha256hex scope name".
func TokenLine(t Token) string {
	return hex.EncodeToString(t.Hash[:]) + " " + t.Scope.String() + " " + t.Name
}

// ParseTokens reads a tokens file: one "sha256hex scope name" per line
// (the name may hold spaces); blank lines and lines starting with # are
// skipped. name is used in errors.
func ParseTokens(r io.Reader, name string) ([]Token, error) {
	var out []Token
	names := map[string]int{}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Fields(text)
		if len(f) < 3 {
			return nil, fmt.Errorf("tokens %s: line %d: want \"sha256hex scope name\"", name, line)
		}
		var t Token
		h, err := hex.DecodeString(f[0])
		if err != nil || len(h) != sha256.Size {
			return nil, fmt.Errorf("tokens %s: line %d: first field is not a SHA-256 in hex (64 characters)", name, line)
		}
		copy(t.Hash[:], h)
		if t.Scope, err = ParseScope(f[1]); err != nil {
			return nil, fmt.Errorf("tokens %s: line %d: %w", name, line, err)
		}
		t.Name = strings.Join(f[2:], " ")
		if first, dup := names[t.Name]; dup {
			return nil, fmt.Errorf("tokens %s: line %d: name %q already used on line %d", name, line, t.Name, first)
		}
		names[t.Name] = line
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("tokens %s: %w", name, err)
	}
	return out, nil
}

// LoadTokens reads a tokens file. A file readable by others than its owner
// is refused: it grants access to personal data.
func LoadTokens(path string) (*TokenSet, error) {
	ts := &TokenSet{path: path}
	if err := ts.Reload(); err != nil {
		return nil, err
	}
	return ts, nil
}

// NewTokenSet holds tokens given in memory (tests, embedding); Reload
// fails on it.
func NewTokenSet(tokens []Token) *TokenSet {
	ts := &TokenSet{}
	list := append([]Token(nil), tokens...)
	ts.list.Store(&list)
	return ts
}

// Reload re-reads the file; on error the previous tokens stay in force.
func (ts *TokenSet) Reload() error {
	if ts.path == "" {
		return errors.New("tokens: not loaded from a file")
	}
	f, err := os.Open(ts.path)
	if err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("tokens %s: mode %v lets other users read it: chmod 600", ts.path, st.Mode().Perm())
	}
	list, err := ParseTokens(f, ts.path)
	if err != nil {
		return err
	}
	ts.list.Store(&list)
	return nil
}

// Tokens returns a copy of the tokens, in file order.
func (ts *TokenSet) Tokens() []Token { return append([]Token(nil), *ts.list.Load()...) }

// Len returns the number of tokens.
func (ts *TokenSet) Len() int { return len(*ts.list.Load()) }

// Lookup finds the token whose hash is the secret's. It compares against
// every entry in constant time, so timing tells nothing of which one or
// how much of a hash matched.
func (ts *TokenSet) Lookup(secret string) (Token, bool) {
	h := HashToken(secret)
	list := *ts.list.Load()
	found := -1
	for i, t := range list {
		if subtle.ConstantTimeCompare(h[:], t.Hash[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return Token{}, false
	}
	return list[found], true
}
