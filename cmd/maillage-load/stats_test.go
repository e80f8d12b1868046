package main

import (
	"math"
	"net/http"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	k := kindFigures("communes", ds, map[int]int{200: 98, 404: 1, 500: 1}, 2, 10*time.Second)
	if k.P50MS != 50 || k.P90MS != 90 || k.P99MS != 99 || k.MaxMS != 100 {
		t.Fatalf("percentiles %v %v %v %v, want 50 90 99 100 (nearest rank)", k.P50MS, k.P90MS, k.P99MS, k.MaxMS)
	}
	if k.Requests != 102 || k.Errors != 3 || math.Abs(k.PerSec-10.2) > 1e-9 {
		t.Fatalf("requests %d errors %d rate %v, want 102, 3 (2 transport + one 500), 10.2", k.Requests, k.Errors, k.PerSec)
	}
	if percentile(nil, 0.99) != 0 {
		t.Fatal("percentile of nothing")
	}
}

func TestExpectedStatus(t *testing.T) {
	for _, tc := range []struct {
		kind string
		code int
		want bool
	}{
		{"communes", http.StatusOK, true}, {"communes", http.StatusNotFound, true}, {"nearest", http.StatusNotFound, false},
		{"tiles", http.StatusNoContent, true}, {"coverage", http.StatusNoContent, false}, {"tiles", http.StatusTooManyRequests, false},
		{"coverage", http.StatusInternalServerError, false},
	} {
		if got := expectedStatus(tc.kind, tc.code); got != tc.want {
			t.Errorf("expectedStatus(%s, %d) = %v", tc.kind, tc.code, got)
		}
	}
}

func TestLoopbackOnly(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:8080", "http://localhost:1/", "http://[::1]:8080"} {
		if _, err := loopbackBase(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://10.0.0.1:8080", "http://192.168.1.2", "https://127.0.0.1", "127.0.0.1:8080", "http://8.8.8.8"} {
		if _, err := loopbackBase(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestParseMixAndPick(t *testing.T) {
	if _, err := parseMix("communes=1,bogus=2"); err == nil {
		t.Fatal("unknown kind accepted")
	}
	m, err := parseMix("communes=3,nearest=1")
	if err != nil || m["communes"] != 3 || m["nearest"] != 1 {
		t.Fatalf("parseMix: %v %v", m, err)
	}
	w := &workload{kinds: []string{"communes", "nearest"}, cum: []int{3, 4}}
	p := newPicker(1)
	counts := [2]int{}
	for i := 0; i < 40000; i++ {
		counts[w.pickKind(p)]++
	}
	if r := float64(counts[0]) / 40000; math.Abs(r-0.75) > 0.02 {
		t.Fatalf("kind 0 drawn %.3f of the time, want 0.75", r)
	}
	if x, y := tileXY(2.3522, 48.8566, 12); x != 2074 || y != 1409 {
		t.Fatalf("tileXY Paris z12 = %d/%d, want 2074/1409", x, y)
	}
}
