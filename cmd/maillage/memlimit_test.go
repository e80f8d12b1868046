package main

import (
	"flag"
	"testing"
)

func TestMemoryLimitMiB(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int64
	}{
		{[]string{}, 1000},
		{[]string{"--res", "7"}, 1000},
		{[]string{"--res", "9"}, 3000},
		{[]string{"--res", "10"}, 0},
		{[]string{"--res", "9", "--memory-limit", "1000"}, 1000}, // given: kept as is
		{[]string{"--memory-limit", "0"}, 0},
		{[]string{"--memory-limit", "750"}, 750},
	} {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		res := fs.Int("res", 8, "")
		mib := fs.Int64("memory-limit", defaultMemoryLimitMiB(8), "")
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		if got := memoryLimitMiB(fs, *mib, *res); got != tc.want {
			t.Errorf("%v: limit %d MiB, want %d", tc.args, got, tc.want)
		}
	}
}
