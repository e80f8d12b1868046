package textio

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	// klauspost's gzip is a drop-in for compress/gzip that inflates the
	// 46 MB communes file about 20 % faster (150 ms against 185 ms here).
	"github.com/klauspost/compress/gzip"
)

// gzipID1 and gzipID2 are the first two bytes of every gzip stream (RFC 1952).
const (
	gzipID1 = 0x1f
	gzipID2 = 0x8b
)

// MaxSizeHint caps the gzip size trailer used to pre-size buffers, so a
// corrupt trailer cannot make ReadFile allocate gigabytes up front.
const MaxSizeHint = 1 << 30

// IsGzip reports whether b starts with the gzip magic bytes.
func IsGzip(b []byte) bool {
	return len(b) >= 2 && b[0] == gzipID1 && b[1] == gzipID2
}

// OpenFile opens path for reading, inflating it transparently when its
// content is gzip (the magic bytes decide, not the extension). Closing the
// returned reader closes the file.
func OpenFile(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(f, 64<<10)
	head, err := br.Peek(2)
	if err != nil && err != io.EOF {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !IsGzip(head) {
		return readCloser{br, f}, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: gzip: %w", path, err)
	}
	return readCloser{zr, closers{zr, f}}, nil
}

// ReadFile returns the whole content of path, inflated when it is gzip
// (sniffed from the magic bytes). Errors name the file.
func ReadFile(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !IsGzip(raw) {
		return raw, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: gzip: %w", path, err)
	}
	defer zr.Close()
	// The gzip trailer holds the inflated size modulo 2³² (of the last member
	// only): a hint to allocate once, never trusted for correctness.
	var buf bytes.Buffer
	if n := len(raw); n >= 18 {
		if hint := int(binary.LittleEndian.Uint32(raw[n-4:])); hint < MaxSizeHint {
			buf.Grow(hint + bytes.MinRead)
		}
	}
	if _, err := buf.ReadFrom(zr); err != nil {
		return nil, fmt.Errorf("%s: gzip: %w", path, err)
	}
	return buf.Bytes(), nil
}

// FindFile resolves name inside dir. When dir/name does not exist it tries
// the other compression form: name+".gz" for a plain name, name without
// ".gz" for a compressed one. The error names the paths tried.
func FindFile(dir, name string) (string, error) {
	tries := []string{filepath.Join(dir, name)}
	if alt, ok := strings.CutSuffix(name, ".gz"); ok {
		tries = append(tries, filepath.Join(dir, alt))
	} else {
		tries = append(tries, filepath.Join(dir, name+".gz"))
	}
	for _, p := range tries {
		st, err := os.Stat(p)
		if err == nil && !st.IsDir() {
			return p, nil
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("data file %s not found (tried %s): %w", name, strings.Join(tries, ", "), fs.ErrNotExist)
}

// readCloser pairs a reader with the closer of what it reads from.
type readCloser struct {
	io.Reader
	io.Closer
}

// closers closes every element, returning the first error.
type closers []io.Closer

// Close closes the gzip reader then the file.
func (cs closers) Close() error {
	var first error
	for _, c := range cs {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
