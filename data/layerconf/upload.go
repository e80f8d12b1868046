package layerconf

import (
	"fmt"
	"os"
	"strings"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"

	"github.com/maillage/maillage/data"
)

// ReadUpload reads body, a sites file sent at run time (plain or gzip), as
// spec declares it: spec.Path is the file's name as sent, and every other
// key means what it means in a layers file (format, columns, programme,
// vintage, title), through the same sniffer and readers. The upload's
// bounds hold whatever the format: body is inflated within lim.MaxBytes
// before any reader sees it, the generic readers bound rows, columns and
// field length by lim, and every format's records are counted against
// lim.MaxRows. Unlike a layers file, a file with any bad record is
// rejected with the error only: a *people.LoadErrors listing them (file,
// line or feature, reason); so is a file with no site. Errors name the
// file as sent, never the temporary file it went through.
func ReadUpload(spec Layer, body []byte, t *data.Territory, lim textio.DecodeLimits) ([]LoadedLayer, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	lim = lim.WithDefaults()
	file := spec.Path
	f, err := os.CreateTemp("", "maillage-layer-*")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	defer os.Remove(f.Name())
	err = textio.Inflate(f, body, lim.MaxBytes)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	ls, err := readDeclared(spec, f.Name(), file, t, lim)
	if err != nil {
		return nil, &uploadError{msg: strings.ReplaceAll(err.Error(), f.Name(), file), err: err}
	}
	for _, l := range ls {
		if r := l.Layer.Report.Read; lim.MaxRows > 0 && r > lim.MaxRows {
			return nil, fmt.Errorf("%s: %d records, at most %d: %w", file, r, lim.MaxRows, textio.ErrTooManyRows)
		}
		if len(l.Layer.Sites) == 0 {
			return nil, &people.LoadErrors{File: file, Errors: []textio.RowError{{File: file, Reason: "no site in the file for layer " + l.Layer.Name}}}
		}
	}
	return ls, nil
}

// uploadError is an error reading an uploaded file: its message names the
// file as sent instead of the temporary path, and it wraps
// data.ErrBadLayerFile besides its cause, so that a reader's complaint
// about the content (a column missing, not JSON) is the sender's fault.
type uploadError struct {
	msg string
	err error
}

func (e *uploadError) Error() string   { return e.msg }
func (e *uploadError) Unwrap() []error { return []error{e.err, data.ErrBadLayerFile} }
