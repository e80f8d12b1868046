//go:build !linux

package snapshot

import "os"

// mapFile reads the file at path whole (memory-mapping is used on Linux
// only, map_linux.go); release does nothing.
func mapFile(path string) (buf []byte, release func(), err error) {
	buf, err = os.ReadFile(path)
	return buf, func() {}, err
}
