// Package snapshot stores the built engine state that costs time at start
// (the territory with its dissolved shapes, measures and commune index,
// the population grid and the communes' indicators) in one file beside the grid cache, and reads it
// back in one go when the inputs it was built from are unchanged: a
// restart then answers in a fraction of a second instead of parsing and
// dissolving the boundaries again.
//
// The file is the key it was written under (Key: checksums of the input
// files, the resolution, the format versions and the build of the running
// program) then flat little-endian arrays (internal/flatbin) and a CRC-32C
// of everything before it. Read maps the whole file into memory and hands
// out slices of it: nothing is decoded element by element.
// A file that is missing, of another key, truncated or corrupt is an error
// naming the file (wrapping ErrStale or ErrCorrupt), never a panic: the
// caller builds the engine instead.
package snapshot

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/indicators"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/internal/flatbin"
)

// Version is the layout of the file and of what it stores; bump it
// whenever Territory.Encode, CommuneIndex.Encode, Grid.Encode or
// Indicators.Encode change.
const Version = 3

// magic opens every snapshot file.
const magic = "MLGSNAP\x00"

// maxKeyLen bounds the key read from a file.
const maxKeyLen = 1 << 12

// Errors wrapped by Read.
var (
	// ErrStale: no file, or one written for other inputs, format or program.
	ErrStale = errors.New("engine snapshot stale")
	// ErrCorrupt: a file of the right key that cannot be read (truncated,
	// checksum mismatch, broken invariants).
	ErrCorrupt = errors.New("engine snapshot corrupt")
)

// State is what a snapshot holds.
type State struct {
	Territory *data.Territory
	Grid      *geo.Grid
	// Indicators are the communes' fragility index and ZRR class as
	// joined to Territory (indicators.LoadIndicators), with the report.
	Indicators      indicators.Indicators
	IndicatorReport indicators.IndicatorReport
}

// Path returns the snapshot file of resolution res in the cache folder dir,
// beside the grid cache (grid-resN.bin).
func Path(dir string, res int) string {
	return filepath.Join(dir, fmt.Sprintf("engine-res%d.snap", res))
}

// Key returns the key of a snapshot built from inputs (for instance
// "name:sha256" of each input file) at resolution res by the running
// program: any change of an input, of the resolution, of Version, of the
// grid's format or of the program's build gives another key. The program
// counts because the snapshot stores what its code derived from the files
// (reconciled communes, dissolved shapes, grid): a new build may derive
// them otherwise, so it builds them once and writes a new snapshot.
func Key(res int, inputs ...string) string {
	h := sha256.New()
	fmt.Fprintf(h, "snapshot v%d grid %s res %d build %s\n", Version, geo.GridFormat(), res, programID())
	for _, in := range inputs {
		fmt.Fprintf(h, "%d:%s\n", len(in), in)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// programID identifies the running executable by its Go build ID (the
// ELF note the linker writes, a hash of what the program was built from:
// the same source gives the same ID, so a `go run` rebuilding the same
// code keeps its snapshot), read from the file's headers only; where
// there is no such note, by path, size and modification time. "" when the
// executable cannot be found, which still keys snapshots of one program
// together.
func programID() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if f, err := elf.Open(exe); err == nil {
		defer f.Close()
		if sec := f.Section(".note.go.buildid"); sec != nil {
			if b, err := sec.Data(); err == nil && len(b) > 0 {
				return "buildid " + hex.EncodeToString(b)
			}
		}
	}
	st, err := os.Stat(exe)
	if err != nil {
		return exe
	}
	return fmt.Sprintf("%s %d %d", exe, st.Size(), st.ModTime().UnixNano())
}

// Write stores s under key at path atomically (a temporary file in the
// same folder, then a rename), creating the folder.
func Write(path, key string, s State) error {
	if s.Territory == nil || s.Grid == nil {
		return fmt.Errorf("engine snapshot %s: nothing to write", path)
	}
	if len(key) > maxKeyLen {
		return fmt.Errorf("engine snapshot %s: key of %d bytes", path, len(key))
	}
	w, err := flatbin.NewWriter()
	if err != nil {
		return fmt.Errorf("engine snapshot %s: %w", path, err)
	}
	w.Uint64(Version)
	w.Blob([]byte(key))
	if err := s.Territory.Encode(w); err != nil {
		return fmt.Errorf("engine snapshot %s: %w", path, err)
	}
	s.Grid.Encode(w)
	if err := s.Indicators.Encode(w, s.IndicatorReport); err != nil {
		return fmt.Errorf("engine snapshot %s: %w", path, err)
	}
	body := w.Bytes()
	sum := crc32.Update(crc32.Checksum([]byte(magic), castagnoli), castagnoli, body)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("engine snapshot %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("engine snapshot %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	_, err = tmp.WriteString(magic)
	if err == nil {
		_, err = tmp.Write(body)
	}
	if err == nil {
		_, err = tmp.Write(binary.LittleEndian.AppendUint32(nil, sum))
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("engine snapshot %s: %w", path, err)
	}
	return nil
}

// castagnoli is the CRC-32C table (hardware-accelerated on amd64 and arm64).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Read returns the state stored at path under key. The file is mapped
// into memory whole (read whole where mapping is not available, mapFile)
// and the state's large arrays (points, boxes, index and grid arrays)
// alias it: they are outside the Go heap and stay mapped for the life of
// the process. Errors name the file and wrap ErrStale (missing file,
// other key or version) or ErrCorrupt.
func Read(path, key string) (State, error) {
	buf, release, err := mapFile(path)
	if err != nil {
		return State{}, fmt.Errorf("engine snapshot %s: %w (%w)", path, ErrStale, err)
	}
	st, err := decode(path, key, buf)
	if err != nil {
		release() // nothing read from it is kept
	}
	return st, err
}

// decode is Read over the file's bytes.
func decode(path, key string, buf []byte) (State, error) {
	stale := func(format string, args ...any) (State, error) {
		return State{}, fmt.Errorf("engine snapshot %s: %w: %s", path, ErrStale, fmt.Sprintf(format, args...))
	}
	corrupt := func(err error) (State, error) {
		return State{}, fmt.Errorf("engine snapshot %s: %w: %w", path, ErrCorrupt, err)
	}
	if len(buf) < len(magic)+4 || !bytes.HasPrefix(buf, []byte(magic)) {
		return corrupt(errors.New("not an engine snapshot file"))
	}
	// The version and key come first: a snapshot of other inputs is stale
	// whatever its body holds, without checking it.
	r, err := flatbin.NewReader(buf[len(magic) : len(buf)-4])
	if err != nil {
		return stale("%v", err)
	}
	if v := r.Uint64(); v != Version {
		return stale("format version %d, want %d", v, Version)
	}
	k := r.Blob()
	if r.Err() != nil || len(k) > maxKeyLen {
		return corrupt(errors.New("corrupt header"))
	}
	if string(k) != key {
		return stale("built from other inputs or by another build (key %.12s…, want %.12s…)", k, key)
	}
	// The checksum reads every byte, memory-bound: it runs beside the
	// decoding, which reads mostly the small arrays, and the state is
	// returned only once it matched.
	body := buf[:len(buf)-4]
	sumOK := make(chan bool, 1)
	go func() { sumOK <- crc32.Checksum(body, castagnoli) == binary.LittleEndian.Uint32(buf[len(buf)-4:]) }()
	st, err := decodeState(r, len(body)-len(magic))
	if !<-sumOK {
		return corrupt(errors.New("checksum mismatch"))
	}
	if err != nil {
		return corrupt(err)
	}
	return st, nil
}

// decodeState reads the territory, grid and indicators from r, which
// must hold exactly size bytes when they are read.
func decodeState(r *flatbin.Reader, size int) (State, error) {
	t, err := data.DecodeTerritory(r)
	if err != nil {
		return State{}, err
	}
	g := geo.DecodeGrid(r)
	if err := r.Err(); err != nil {
		return State{}, err
	}
	ind, rep, err := indicators.Decode(r)
	if err != nil {
		return State{}, err
	}
	if r.Offset() != size {
		return State{}, fmt.Errorf("%d bytes after the indicators", size-r.Offset())
	}
	if len(g.ShareStart) != len(t.Communes)+1 {
		return State{}, fmt.Errorf("grid over %d communes, territory of %d", len(g.ShareStart)-1, len(t.Communes))
	}
	return State{Territory: t, Grid: g, Indicators: ind, IndicatorReport: rep}, nil
}

// IsStale reports whether err (from Read) says only that the snapshot is
// missing or for other inputs, the normal case after a data update, as
// opposed to a damaged file.
func IsStale(err error) bool { return errors.Is(err, ErrStale) }
