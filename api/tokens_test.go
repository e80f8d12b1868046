package api_test

import (
	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/internal/access"

	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Finding 7 of issue 13: a reload that failed (a bad line, mode 644, a
// missing file) kept every previous token, so a token revoked in the same
// edit still answered 200. A failed reload now keeps only the tokens of the
// last good file that the new one still lists unchanged.
func TestTokenReloadFailsClosed(t *testing.T) {
	type holder struct{ name, scope, secret string }
	holders := []*holder{{name: "anct", scope: "national"}, {name: "prefet 23", scope: "departement:23,87"},
		{name: "paris", scope: "departement:75"}, {name: "newcomer", scope: "departement:19"}}
	lines := map[string]string{}
	for _, h := range holders {
		h.secret, _ = access.NewToken()
		sc, err := access.ParseScope(h.scope)
		if err != nil {
			t.Fatal(err)
		}
		lines[h.name] = access.TokenLine(access.Token{Hash: access.HashToken(h.secret), Scope: sc, Name: h.name})
	}
	file := func(names ...string) string {
		var b strings.Builder
		for _, n := range names {
			if l, ok := lines[n]; ok {
				b.WriteString(l + "\n")
			} else {
				b.WriteString(n + "\n") // a raw line
			}
		}
		return b.String()
	}
	good := file("anct", "prefet 23", "paris")
	widened := strings.Replace(lines["prefet 23"], "departement:23,87", "departement:23,75,87", 1)

	for _, c := range []struct {
		name  string
		write func(path string) error
		valid []string // the others get 401
	}{
		{"revoked, then a bad line", func(p string) error {
			return os.WriteFile(p, []byte(file("anct", "paris", "garbage")), 0o600)
		}, []string{"anct", "paris"}},
		{"revoked, then mode 644", func(p string) error {
			if err := os.WriteFile(p, []byte(file("anct", "paris")), 0o600); err != nil {
				return err
			}
			return os.Chmod(p, 0o644)
		}, []string{"anct", "paris"}},
		{"file removed", func(p string) error { return os.Remove(p) }, nil},
		{"file unreadable (a folder)", func(p string) error {
			if err := os.Remove(p); err != nil {
				return err
			}
			return os.Mkdir(p, 0o700)
		}, nil},
		{"scope widened and a bad line", func(p string) error {
			return os.WriteFile(p, []byte(file("anct", widened, "paris", strings.Repeat("f", 64)+" planet x")), 0o600)
		}, []string{"anct", "paris"}},
		{"new token and a bad line", func(p string) error {
			return os.WriteFile(p, []byte(file("anct", "prefet 23", "paris", "newcomer", "abc national x")), 0o600)
		}, []string{"anct", "prefet 23", "paris"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tokens")
			if err := os.WriteFile(path, []byte(good), 0o600); err != nil {
				t.Fatal(err)
			}
			ts, err := access.LoadTokens(path)
			if err != nil {
				t.Fatal(err)
			}
			srv := api.New(nil, api.Config{Tokens: ts})
			addFakeProtectedRoutes(srv)
			status := func(h *holder) int { return apitest.Do(t, srv, "GET", "/v1/scenarios/fake", h.secret, "").Code }
			for _, h := range holders[:3] {
				if got := status(h); got != http.StatusOK {
					t.Fatalf("%s before the reload: %d", h.name, got)
				}
			}
			if err := c.write(path); err != nil {
				t.Fatal(err)
			}
			if err := ts.Reload(); err == nil {
				t.Fatal("the reload succeeded")
			}
			for _, h := range holders {
				want := http.StatusUnauthorized
				for _, v := range c.valid {
					if v == h.name {
						want = http.StatusOK
					}
				}
				if got := status(h); got != want {
					t.Errorf("%s after the failed reload: %d, want %d", h.name, got, want)
				}
			}
			// A good file restores normal service, new token included.
			os.Remove(path)
			if err := os.WriteFile(path, []byte(file("anct", "prefet 23", "paris", "newcomer")), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := ts.Reload(); err != nil {
				t.Fatal(err)
			}
			for _, h := range holders {
				if got := status(h); got != http.StatusOK {
					t.Errorf("%s after a good reload: %d", h.name, got)
				}
			}
		})
	}
}
