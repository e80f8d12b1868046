package access

import (
	"strconv"
	"testing"
	"time"
)

func TestParseRate(t *testing.T) {
	cases := []struct {
		in   string
		want float64
		err  bool
	}{
		{"", 0, false}, {"0", 0, false}, {"50", 50, false}, {"50/s", 50, false}, {"120/m", 2, false},
		{"7200/h", 2, false}, {"x/s", 0, true}, {"5/d", 0, true}, {"-1/s", 0, true}, {"NaN", 0, true},
	}
	for _, tc := range cases {
		got, err := ParseRate(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v (error %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestClientLimitersForgetIdleClients(t *testing.T) {
	l := NewClientLimiters(10, 1)
	now := time.Unix(1_000_000_000, 0)
	for i := 0; i < 100; i++ {
		l.Reserve("c"+strconv.Itoa(i), now)
	}
	l.Reserve("late", now.Add(l.idle+1))
	if len(l.clients) != 1 {
		t.Fatalf("%d clients tracked after the idle period, want 1", len(l.clients))
	}
}
