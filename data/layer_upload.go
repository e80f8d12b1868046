package data

import (
	"bytes"
	"errors"
	"io"

	"github.com/klauspost/compress/gzip"
)

// ErrBadLayerFile is wrapped by the errors of an uploaded sites file that
// cannot be read at all (not the declared format, a column missing): the
// file is at fault, not the server.
var ErrBadLayerFile = errors.New("unreadable sites file")

// Inflate writes body to w, inflated when gzip, failing past maxBytes
// (an error wrapping ErrTooLarge) or on a damaged stream (one wrapping
// ErrDamagedFile). The readers of the shipped formats trust local files
// (no bound on size or rows), so an upload goes through here first: a
// small gzip cannot unfold into gigabytes of rows before the row count
// refuses it.
func Inflate(w io.Writer, body []byte, maxBytes int64) error {
	var src io.Reader = bytes.NewReader(body)
	gz := isGzip(body[:min(len(body), 2)])
	if gz {
		zr, err := gzip.NewReader(src)
		if err != nil {
			return corruptError(1, err)
		}
		defer zr.Close()
		src = zr
	}
	_, err := io.Copy(w, &capReader{r: src, left: maxBytes, limit: maxBytes})
	var capped errCapped
	if err != nil && gz && !errors.As(err, &capped) {
		return corruptError(1, err)
	}
	return err
}
