package main

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRate: with -rate the connections send on schedule, so a 1 s run at
// 50 requests per second sends about 50 requests, where the same run
// without it sends as many as the server answers (hundreds at least).
func TestRate(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		min, max int64
	}{
		{[]string{"-rate", "50"}, 35, 60},
		{nil, 200, 1 << 40},
	} {
		f := &fakeReplica{}
		s := httptest.NewServer(f)
		args := append([]string{"-addr", s.URL, "-mix", "communes=1", "-duration", "1s", "-concurrency", "4"}, tc.args...)
		err := run(args, &bytes.Buffer{})
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		if n := f.hits.Load(); n < tc.min || n > tc.max {
			t.Errorf("%s: %d requests, want %d–%d", strings.Join(tc.args, " "), n, tc.min, tc.max)
		}
	}
	if err := run([]string{"-rate", "-1"}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "-rate") {
		t.Errorf("negative rate: %v", err)
	}
}
