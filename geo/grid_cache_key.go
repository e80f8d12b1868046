package geo

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// CachedGridKey returns the key a grid cache file was saved under, reading
// only its header: a caller holding a grid built in memory learns whether
// the file already holds it without reading the cells. The body is not
// checked (LoadGrid does when it reads it).
func CachedGridKey(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("grid cache %s: %w (%w)", path, ErrGridStale, err)
	}
	defer f.Close()
	h := make([]byte, gridHeaderSize)
	if _, err := io.ReadFull(f, h); err != nil || string(h[:len(gridMagic)]) != gridMagic {
		return "", fmt.Errorf("grid cache %s: %w: not a grid cache file", path, ErrGridStale)
	}
	le := binary.LittleEndian
	h = h[len(gridMagic):]
	if v := le.Uint32(h); v != gridFileVersion {
		return "", fmt.Errorf("grid cache %s: %w: format version %d, want %d", path, ErrGridStale, v, gridFileVersion)
	}
	keyLen := le.Uint32(h[8:])
	if keyLen > maxGridKeyLen {
		return "", fmt.Errorf("grid cache %s: %w: corrupt header", path, ErrGridStale)
	}
	key := make([]byte, keyLen)
	if _, err := io.ReadFull(f, key); err != nil {
		return "", fmt.Errorf("grid cache %s: %w: %w", path, ErrGridStale, err)
	}
	return string(key), nil
}
