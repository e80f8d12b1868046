package textio

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFileSniffsGzip(t *testing.T) {
	dir := t.TempDir()
	content := []byte(strings.Repeat("maillage 🇫🇷\n", 1000))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(content)
	zw.Close()
	files := map[string][]byte{
		"plain.txt":        content,
		"gzip-no-ext.json": gz.Bytes(), // gzip whatever the name says
		"plain-named.gz":   content,    // and plain whatever the name says
		"empty.txt":        {},
		"one-byte.txt":     {0x1f},
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, raw := range files {
		want := raw
		if name == "gzip-no-ext.json" {
			want = content
		}
		got, err := ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("ReadFile(%s): %d bytes, %v; want %d bytes", name, len(got), err, len(want))
		}
		rc, err := OpenFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("OpenFile(%s): %v", name, err)
		}
		got, err = io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("OpenFile(%s): %d bytes, %v; want %d bytes", name, len(got), err, len(want))
		}
	}
	// A truncated gzip stream is an error naming the file.
	trunc := filepath.Join(dir, "trunc.gz")
	os.WriteFile(trunc, gz.Bytes()[:gz.Len()/2], 0o644)
	if _, err := ReadFile(trunc); err == nil || !strings.Contains(err.Error(), "trunc.gz") {
		t.Errorf("truncated gzip: %v", err)
	}
}

func TestFindFile(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a.json", "b.json.gz"} {
		os.WriteFile(filepath.Join(dir, n), nil, 0o644)
	}
	for _, c := range []struct{ name, want string }{
		{"a.json", "a.json"}, {"a.json.gz", "a.json"}, {"b.json", "b.json.gz"}, {"b.json.gz", "b.json.gz"}, {"c.json", ""},
	} {
		got, err := FindFile(dir, c.name)
		switch {
		case c.want == "" && (err == nil || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), c.name)):
			t.Errorf("FindFile(%s) = %q, %v; want a not-exist error naming it", c.name, got, err)
		case c.want != "" && (err != nil || got != filepath.Join(dir, c.want)):
			t.Errorf("FindFile(%s) = %q, %v; want %s", c.name, got, err, c.want)
		}
	}
}
