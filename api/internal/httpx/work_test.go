package httpx

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestUploadWeight: a body weighs its length, or the body limit when it
// may inflate (gzip, sniffed like the loaders do; multipart; unknown
// length); the sniffed bytes are still read by the handler.
func TestUploadWeight(t *testing.T) {
	s := &Env{MaxBodyBytes: 1000}
	gz := []byte{0x1f, 0x8b, 8, 0, 'x'}
	for _, tc := range []struct {
		name, contentType string
		body              []byte
		length            int64 // -1: unknown
		want              int64
	}{
		{"csv", "text/csv", []byte("id,lon,lat\n"), 11, 11},
		{"gzip sniffed", "text/csv", gz, 5, 1000},
		{"multipart", "multipart/form-data; boundary=x", []byte("--x--"), 5, 1000},
		{"unknown length", "", []byte("[]"), -1, 1000},
		{"no body", "", nil, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/v1/datasets", bytes.NewReader(tc.body))
			req.ContentLength = tc.length
			if tc.body == nil {
				req.Body = http.NoBody
			}
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			c, _ := gin.CreateTestContext(httptest.NewRecorder())
			c.Request = req
			if got := s.uploadWeight(c); got != tc.want {
				t.Fatalf("weight %d, want %d", got, tc.want)
			}
			if tc.body != nil {
				if b, err := io.ReadAll(c.Request.Body); err != nil || !bytes.Equal(b, tc.body) {
					t.Fatalf("body after sniffing %q (%v), want %q", b, err, tc.body)
				}
			}
		})
	}
}

// TestBusyAndCanceledMapping: the error table maps a cancelled context to
// 499 canceled and a deadline to 503 busy, and WriteError sends
// Retry-After.
func TestBusyAndCanceledMapping(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{fmt.Errorf("recommendation stopped: %w", context.Canceled), StatusClientClosedRequest, CodeCanceled},
		{fmt.Errorf("match stopped: %w", context.DeadlineExceeded), http.StatusServiceUnavailable, CodeBusy},
	} {
		e := AsError(tc.err)
		if e == nil || e.Status != tc.status || e.Code != tc.code {
			t.Errorf("%v: %+v, want %d %s", tc.err, e, tc.status, tc.code)
		}
	}
	rec := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(rec)
	WriteError(c, &Error{Status: http.StatusServiceUnavailable, Code: CodeBusy, Message: "m", RetryAfterS: 5})
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "5" || !strings.Contains(rec.Body.String(), `"error":"busy"`) {
		t.Fatalf("%d %q %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body.String())
	}
}
