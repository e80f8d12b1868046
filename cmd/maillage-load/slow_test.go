package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestSlowTimeline: slow answers are grouped by the second they were sent
// in, oldest first, with their count and the slowest.
func TestSlowTimeline(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 14, 0, 0, 0, time.UTC)
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	for _, tc := range []struct {
		name string
		in   []slowAnswer
		want []slowSecond
	}{
		{"none", nil, nil},
		{"one", []slowAnswer{{t0.Add(ms(300)), ms(150)}}, []slowSecond{{t0, 1, 150}}},
		{"two seconds, out of order", []slowAnswer{
			{t0.Add(ms(2100)), ms(120)}, {t0.Add(ms(900)), ms(400)}, {t0.Add(ms(100)), ms(101)}, {t0.Add(ms(2999)), ms(330)},
		}, []slowSecond{{t0, 2, 400}, {t0.Add(2 * time.Second), 2, 330}}},
	} {
		got := slowTimeline(tc.in)
		if len(got) != len(tc.want) {
			t.Fatalf("%s: %v, want %v", tc.name, got, tc.want)
		}
		for i := range got {
			if !got[i].Second.Equal(tc.want[i].Second) || got[i].Count != tc.want[i].Count || got[i].MaxMS != tc.want[i].MaxMS {
				t.Errorf("%s: [%d] %v, want %v", tc.name, i, got[i], tc.want[i])
			}
		}
	}
}

// TestSlowFlag: a server whose every tenth answer takes 60 ms gives
// timeline lines with -slow-ms 40, and none with -slow-ms 200.
func TestSlowFlag(t *testing.T) {
	var n atomic.Int64
	fake := &fakeReplica{}
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/communes/at" && n.Add(1)%10 == 0 {
			time.Sleep(60 * time.Millisecond)
		}
		fake.ServeHTTP(w, r)
	}))
	defer s.Close()
	for _, tc := range []struct {
		slow  string
		lines bool
	}{{"40", true}, {"200", false}} {
		var out bytes.Buffer
		args := []string{"-addr", s.URL, "-mix", "communes=1", "-duration", "1s", "-concurrency", "2", "-slow-ms", tc.slow}
		if err := run(args, &out); err != nil {
			t.Fatal(err)
		}
		txt := out.String()
		if !strings.Contains(txt, "slow answers (> "+tc.slow+" ms)") {
			t.Errorf("-slow-ms %s: no timeline header in\n%s", tc.slow, txt)
		}
		if got := strings.Contains(txt, " slow: "); got != tc.lines {
			t.Errorf("-slow-ms %s: timeline lines %v, want %v:\n%s", tc.slow, got, tc.lines, txt)
		}
	}
	if err := run([]string{"-slow-ms", "-1"}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "-slow-ms") {
		t.Errorf("negative -slow-ms: %v", err)
	}
}
