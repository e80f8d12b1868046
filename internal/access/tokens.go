package access

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
	"slices"
	"strings"
	"sync"
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
//
// Reload policy: a reload that fails never keeps a token the file no longer
// lists, and never adds one. When the file reads whole (present, mode 600,
// every line valid) it replaces the tokens. When it does not — missing,
// unreadable, readable by others, or any bad line — the tokens in force are
// those of the last good file that the new file still lists unchanged (same
// hash and scope) on a line that parsed: a token removed from the file
// (maillage token revoke) is refused at once, even if an edit broke another
// line, and a file that cannot be read at all refuses every token. New and
// changed tokens wait for a good reload. The set in force is a function of
// the last good file and the current one only, so it is the same whatever
// reloads came between.
type TokenSet struct {
	path string
	mu   sync.Mutex // serialises Reload
	good []Token    // the last file read whole; guarded by mu
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
	out, err := scanTokens(r, name)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scanTokens reads every line of a tokens file. It returns the tokens of
// the lines that parse, and the first error (a bad line, a read error).
func scanTokens(r io.Reader, name string) ([]Token, error) {
	var out []Token
	var first error
	fail := func(err error) {
		if first == nil {
			first = err
		}
	}
	names := map[string]int{}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Fields(text)
		if len(f) < 3 {
			fail(fmt.Errorf("tokens %s: line %d: want \"sha256hex scope name\"", name, line))
			continue
		}
		var t Token
		h, err := hex.DecodeString(f[0])
		if err != nil || len(h) != sha256.Size {
			fail(fmt.Errorf("tokens %s: line %d: first field is not a SHA-256 in hex (64 characters)", name, line))
			continue
		}
		copy(t.Hash[:], h)
		if t.Scope, err = ParseScope(f[1]); err != nil {
			fail(fmt.Errorf("tokens %s: line %d: %w", name, line, err))
			continue
		}
		t.Name = strings.Join(f[2:], " ")
		if first, dup := names[t.Name]; dup {
			fail(fmt.Errorf("tokens %s: line %d: name %q already used on line %d", name, line, t.Name, first))
		} else {
			names[t.Name] = line
		}
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		fail(fmt.Errorf("tokens %s: %w", name, err))
	}
	return out, first
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
// fails on it and changes nothing.
func NewTokenSet(tokens []Token) *TokenSet {
	ts := &TokenSet{}
	list := append([]Token(nil), tokens...)
	ts.list.Store(&list)
	return ts
}

// Reload re-reads the file. On error it keeps only the tokens of the last
// good file that the file still lists unchanged (see TokenSet), and the
// error says how many.
func (ts *TokenSet) Reload() error {
	if ts.path == "" {
		return errors.New("tokens: not loaded from a file")
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	listed, err := readTokensFile(ts.path)
	if err == nil {
		ts.good = listed
		ts.list.Store(&listed)
		return nil
	}
	kept := stillListed(ts.good, listed)
	ts.list.Store(&kept)
	if len(ts.good) == 0 {
		return err
	}
	return fmt.Errorf("%w; until the file reads whole, %d of the %d tokens stay valid (those it still lists unchanged)",
		err, len(kept), len(ts.good))
}

// readTokensFile reads a tokens file. With an error it still returns the
// tokens of the lines it could read (none when the file could not be
// opened).
func readTokensFile(path string) ([]Token, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	listed, err := scanTokens(f, path)
	if st.Mode().Perm()&0o077 != 0 {
		err = fmt.Errorf("tokens %s: mode %v lets other users read it: chmod 600", path, st.Mode().Perm())
	}
	return listed, err
}

// stillListed keeps the tokens of good that listed holds with the same
// hash and scope.
func stillListed(good, listed []Token) []Token {
	kept := []Token{}
	for _, t := range good {
		if slices.ContainsFunc(listed, func(l Token) bool { return l.Hash == t.Hash && sameScope(l.Scope, t.Scope) }) {
			kept = append(kept, t)
		}
	}
	return kept
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

// sameScope reports whether two scopes grant the same rows.
func sameScope(a, b Scope) bool {
	return a.National == b.National && slices.Equal(a.Departements, b.Departements)
}

// Bearer extracts the secret of an "Authorization: Bearer <secret>" header.
func Bearer(h string) (string, bool) {
	scheme, secret, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	secret = strings.TrimSpace(secret)
	return secret, secret != ""
}
