package textio

import (
	"bytes"
	"errors"
	"io"

	"github.com/klauspost/compress/gzip"
)

// Inflate writes body to w, inflated when gzip, failing past maxBytes
// (an error wrapping ErrTooLarge) or on a damaged stream (one wrapping
// ErrDamagedFile). The readers of the shipped formats trust local files
// (no bound on size or rows), so an upload goes through here first: a
// small gzip cannot unfold into gigabytes of rows before the row count
// refuses it.
func Inflate(w io.Writer, body []byte, maxBytes int64) error {
	var src io.Reader = bytes.NewReader(body)
	gz := IsGzip(body[:min(len(body), 2)])
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
