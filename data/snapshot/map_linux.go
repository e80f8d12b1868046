package snapshot

import (
	"fmt"
	"os"
	"syscall"
)

// mapFile maps the file at path into memory, its pages read in by the
// call (MAP_POPULATE): a snapshot in the page cache is then in memory
// without a copy nor a page fault per 4 KiB, about 20 ms for 120 MB where
// os.ReadFile takes 0.5 s on a busy machine (BENCHMARKS.md). The mapping
// is read-only: what is read from it (shapes, index, grid) is never
// written to, as the engine's data never is after it is built. (A
// writable private mapping would let a stray write copy its page instead
// of faulting, but MAP_POPULATE then copies every page up front, which is
// what mapping avoids.) release unmaps it, to be called only when nothing
// read from it is kept. The file is replaced by rename (Write), never
// rewritten in place, so the mapping keeps its contents.
func mapFile(path string) (buf []byte, release func(), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if st.Size() == 0 {
		return nil, func() {}, nil
	}
	if st.Size() != int64(int(st.Size())) {
		return nil, nil, fmt.Errorf("%d bytes: too large to map", st.Size())
	}
	buf, err = syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED|syscall.MAP_POPULATE)
	if err != nil {
		// Mapping may be refused (a file system without mmap): read it.
		b, rerr := os.ReadFile(path)
		return b, func() {}, rerr
	}
	return buf, func() { _ = syscall.Munmap(buf) }, nil
}
