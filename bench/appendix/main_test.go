package main

import "testing"

func TestRow(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"BenchmarkLoadCold-2   	       3	1029740000 ns/op	633353160 B/op	 2272154 allocs/op",
			"| LoadCold | matching | 1.03 s | 633.4 MB | 2272154 |  |"},
		{"BenchmarkMatchEndpoint/datasets/greedy-2 3 387560000 ns/op 429.7 cpu-ms/op 9980 posts 169798264 B/op 37272 allocs/op",
			"| MatchEndpoint/datasets/greedy | matching | 388 ms | 169.8 MB | 37272 | 429.7 cpu-ms/op · 9980 posts |"},
		{"BenchmarkCoverageFigures-2 3 178000 ns/op 22760 B/op 247 allocs/op",
			"| CoverageFigures | matching | 178 µs | 22.8 kB | 247 |  |"},
	} {
		got, ok := row(tc.line, "matching")
		if !ok || got != tc.want {
			t.Errorf("row(%q)\n got %q\nwant %q", tc.line, got, tc.want)
		}
	}
	if _, ok := row("BenchmarkX-2 1", "p"); ok {
		t.Error("a line without measures gave a row")
	}
}
