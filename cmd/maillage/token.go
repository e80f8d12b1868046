package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/maillage/maillage/internal/access"
)

// runToken manages the tokens file read by `serve --tokens`:
//
//	maillage token new --scope departement:23,87 --name prefet-23 --tokens FILE
//	maillage token list --tokens FILE
//	maillage token revoke --name prefet-23 --tokens FILE
func runToken(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("want a subcommand: new, list or revoke")
	}
	fs := flag.NewFlagSet("token "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("tokens", "", "tokens file (created mode 600 when missing)")
	name := fs.String("name", "", "who holds the token (unique in the file)")
	scope := fs.String("scope", "", "national or departement:XX[,YY]")
	sub := args[0]
	if strings.HasPrefix(sub, "-") { // token -h, or flags before the subcommand
		sub, args = "", append([]string{""}, args...)
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if sub != "new" && sub != "list" && sub != "revoke" {
		return usagef("unknown subcommand %q: want new, list or revoke", sub)
	}
	if *path == "" {
		return usagef("--tokens FILE is required")
	}
	switch sub {
	case "new":
		return tokenNew(*path, *name, *scope, stdout, stderr)
	case "list":
		return tokenList(*path, stdout)
	}
	return tokenRevoke(*path, *name, stderr)
}

// readTokens reads the file, or nothing when it does not exist yet.
func readTokens(path string) ([]access.Token, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	ts, err := access.LoadTokens(path) // also refuses a file others can read
	if err != nil {
		return nil, err
	}
	return ts.Tokens(), nil
}

// tokenNew appends the hash of a fresh token and prints the secret once.
func tokenNew(path, name, scope string, stdout, stderr io.Writer) error {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return errors.New("--name is required")
	}
	sc, err := access.ParseScope(scope)
	if err != nil {
		return fmt.Errorf("--scope: %w", err)
	}
	existing, err := readTokens(path)
	if err != nil {
		return err
	}
	for _, t := range existing {
		if t.Name == name {
			return fmt.Errorf("tokens %s: name %q already used: revoke it first or choose another", path, name)
		}
	}
	secret, err := access.NewToken()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("tokens %s: %w", path, err)
	}
	line := access.TokenLine(access.Token{Hash: access.HashToken(secret), Scope: sc, Name: name}) + "\n"
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return fmt.Errorf("tokens %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("tokens %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("tokens %s: %w", path, err)
	}
	fmt.Fprintln(stdout, secret)
	fmt.Fprintf(stderr, "token %q (scope %s) added to %s: the secret above is shown once and only its SHA-256 is kept.\n"+
		"A running server picks it up on SIGHUP or restart.\n", name, sc, path)
	return nil
}

// tokenList prints the name and scope of every token (never a secret, and
// only a short prefix of each hash).
func tokenList(path string, stdout io.Writer) error {
	ts, err := readTokens(path)
	if err != nil {
		return err
	}
	for _, t := range ts {
		fmt.Fprintf(stdout, "%x…  %-28s %s\n", t.Hash[:4], t.Scope, t.Name)
	}
	return nil
}

// tokenRevoke rewrites the file without the named token (write a new file,
// then rename it over the old one). A running server refuses the token from
// its next reload on, even one that fails (access.TokenSet).
func tokenRevoke(path, name string, stderr io.Writer) error {
	name = strings.Join(strings.Fields(name), " ")
	ts, err := readTokens(path)
	if err != nil {
		return err
	}
	var b strings.Builder
	found := false
	for _, t := range ts {
		if t.Name == name {
			found = true
			continue
		}
		b.WriteString(access.TokenLine(t) + "\n")
	}
	if !found {
		return fmt.Errorf("tokens %s: no token named %q", path, name)
	}
	// writeFile's temporary file is new, hence mode 600 (a leftover
	// path+".tmp" of mode 644 kept its mode, and a server refuses such a
	// file), and a reload never sees a half-written one.
	err = writeFile(path, func(w io.Writer) error {
		_, err := io.WriteString(w, b.String())
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "token %q revoked; a running server drops it on SIGHUP or restart.\n", name)
	return nil
}
