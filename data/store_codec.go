package data

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"hash/crc32"

	"github.com/maillage/maillage/data/people"
)

// Formats of the rows blob, its first byte; a new encoding gets a new
// number and the old ones stay readable.
const (
	// rowsGob is the gob of storedRows, with no checksum (files written
	// before rowsChecked).
	rowsGob byte = 1
	// rowsChecked is 4 bytes of CRC-32C (big-endian) of the dataset's key,
	// description and gob, then the gob: neither bbolt nor PostgreSQL checks
	// the bytes of values against what was written (bbolt checks its page
	// structure, PostgreSQL its pages only when the cluster has data
	// checksums), so a flipped bit in a dataset would otherwise be served,
	// or fail deep in a decoder.
	rowsChecked byte = 2
)

// castagnoli is the CRC-32C table (hardware-accelerated on amd64 and arm64).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// storedRows is the gob-encoded body of a dataset.
type storedRows struct {
	Candidates []people.Candidate
	Structures []people.Structure
	Sites      []Site
	Result     []byte
	File       []byte // added with KindLayer: gob leaves it empty in older blobs
}

// datasetSum is the checksum of a dataset's key, description and gob.
func datasetSum(key, meta, body []byte) uint32 {
	h := crc32.New(castagnoli)
	for _, b := range [][]byte{key, {0}, meta, {0}, body} {
		h.Write(b)
	}
	return h.Sum32()
}

// EncodeDataset returns the stored form of d, shared by the persistent
// stores: its description as JSON, and its rows blob (a format byte, the
// CRC-32C of id, description and rows, then the gob of the rows). A store
// keeps both byte for byte and gives them back to DecodeDataset.
func EncodeDataset(d *Dataset) (meta, rows []byte, err error) {
	if d.Meta.ID == "" {
		return nil, nil, fmt.Errorf("dataset without id")
	}
	meta, err = json.Marshal(d.Meta)
	if err != nil {
		return nil, nil, fmt.Errorf("dataset %s: meta: %w", d.Meta.ID, err)
	}
	var buf bytes.Buffer
	buf.Write([]byte{rowsChecked, 0, 0, 0, 0})
	body := storedRows{Candidates: d.Candidates, Structures: d.Structures, Sites: d.Sites, Result: d.Result, File: d.File}
	if err := gob.NewEncoder(&buf).Encode(&body); err != nil {
		return nil, nil, fmt.Errorf("dataset %s: rows: %w", d.Meta.ID, err)
	}
	rows = buf.Bytes()
	binary.BigEndian.PutUint32(rows[1:5], datasetSum([]byte(d.Meta.ID), meta, rows[5:]))
	return meta, rows, nil
}

// DecodeDataset reads back what EncodeDataset made of the dataset id,
// checking the rows' checksum against id and description. Every error
// wraps ErrCorrupt. The result does not share memory with meta or rows.
func DecodeDataset(id string, meta, rows []byte) (*Dataset, error) {
	body, err := rowsBody([]byte(id), meta, rows)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	d := &Dataset{}
	if err := json.Unmarshal(meta, &d.Meta); err != nil {
		return nil, fmt.Errorf("%w: description: %w", ErrCorrupt, err)
	}
	var r storedRows
	if err := gob.NewDecoder(bytes.NewReader(body)).Decode(&r); err != nil {
		return nil, fmt.Errorf("%w: rows: %w", ErrCorrupt, err)
	}
	d.Candidates, d.Structures, d.Sites, d.Result, d.File = r.Candidates, r.Structures, r.Sites, r.Result, r.File
	return d, nil
}

// DecodeMeta reads a description stored by EncodeDataset; errors wrap
// ErrCorrupt.
func DecodeMeta(id string, meta []byte) (DatasetMeta, error) {
	var m DatasetMeta
	if err := json.Unmarshal(meta, &m); err != nil {
		return m, fmt.Errorf("dataset %q: %w: description: %w", id, ErrCorrupt, err)
	}
	return m, nil
}

// rowsBody returns the gob of a stored rows blob after checking its format
// and checksum against the dataset's key and description.
func rowsBody(key, meta, raw []byte) ([]byte, error) {
	switch {
	case len(raw) == 0:
		return nil, fmt.Errorf("dataset %q: rows missing", key)
	case raw[0] == rowsGob:
		return raw[1:], nil
	case raw[0] != rowsChecked:
		return nil, fmt.Errorf("dataset %q: rows of unknown format %d", key, raw[0])
	case len(raw) < 5:
		return nil, fmt.Errorf("dataset %q: rows cut short (%d bytes)", key, len(raw))
	}
	body := raw[5:]
	if want, got := binary.BigEndian.Uint32(raw[1:5]), datasetSum(key, meta, body); want != got {
		return nil, fmt.Errorf("dataset %q: checksum %08x, stored %08x: its bytes changed after it was written", key, got, want)
	}
	return body, nil
}

// CheckRows reports whether the stored rows of the dataset key are whole:
// their format is known and their checksum matches the key and description
// meta, without decoding them; a persistent store's check of its file runs
// it on every dataset.
func CheckRows(key, meta, rows []byte) error {
	_, err := rowsBody(key, meta, rows)
	return err
}
