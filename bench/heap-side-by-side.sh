#!/bin/bash
# Starts a maillage build on the real data, times its first answer and the
# map warm-up, saves 21 answers (coverage, nearest, tiles z5–12) to compare
# between builds, drives 30 s of maillage-load and prints the live heap
# (after a forced collection) and the resident memory.
#
#   go build -o /tmp/load ./cmd/maillage-load
#   bench/heap-side-by-side.sh /tmp/base base; bench/heap-side-by-side.sh /tmp/new new
#   diff -r /tmp/maillage-heap/ans-base /tmp/maillage-heap/ans-new   # only coverage.json's compute_ms may differ
#
# Both builds need serve's --pprof (profiles read with a national token). Environment: LOAD (the load tool,
# default /tmp/load), DUR (default 30s), OUT (default /tmp/maillage-heap), PORT (default 18917).
set -euo pipefail
BIN=$1; NAME=$2; shift 2
LOAD=${LOAD:-/tmp/load}; OUT=${OUT:-/tmp/maillage-heap}
B=http://127.0.0.1:${PORT:-18917}
mkdir -p "$OUT"
rm -f "$OUT/tokens"
TOKEN=$("$BIN" token new --tokens "$OUT/tokens" --name heap --scope national | tail -1)
T0=$(date +%s.%N)
"$BIN" serve --addr "${B#http://}" --pprof --tokens "$OUT/tokens" --state "$OUT/state" --no-access-log "$@" >"$OUT/$NAME.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
until curl -sf -o /dev/null "$B/v1/communes/at?lon=2.35&lat=48.85"; do
	kill -0 $PID 2>/dev/null || { echo "$NAME: serve exited" >&2; tail -3 "$OUT/$NAME.log" >&2; exit 1; }
	sleep 0.05
done
echo "$NAME: first answer after $(echo "$(date +%s.%N) - $T0" | bc) s"
for _ in $(seq 1 300); do grep -q "map tiles warmed" "$OUT/$NAME.log" && break; sleep 1; done
echo "$NAME: map warmed after $(echo "$(date +%s.%N) - $T0" | bc) s"
A="$OUT/ans-$NAME"; rm -rf "$A"; mkdir -p "$A"
curl -s "$B/v1/coverage" >"$A/coverage.json"
curl -s "$B/v1/coverage/departements?departement=22" >"$A/cov22.json"
curl -s "$B/v1/sites/nearest?lon=2.35&lat=48.85&k=5" >"$A/nearest.json"
for zxy in 5/16/11 6/32/22 7/64/44 8/129/88 9/259/176 10/518/352 11/1037/704 12/2074/1409 12/2100/1450 5/15/11; do
	for l in communes departements; do curl -s "$B/tiles/$l/$zxy.mvt" >"$A/$l-${zxy//\//_}.mvt"; done
done
uptime
"$LOAD" -addr "$B" -duration "${DUR:-30s}" -concurrency 16 -pid $PID | tail -8
curl -s -H "Authorization: Bearer $TOKEN" "$B/debug/pprof/heap?gc=1" -o "$OUT/$NAME.heap"
curl -s -H "Authorization: Bearer $TOKEN" "$B/debug/pprof/heap?debug=1" | grep -E "^# (HeapAlloc|HeapSys|NumGC) "
grep -E "VmRSS|VmHWM|RssAnon|RssFile" /proc/$PID/status
echo "profile: go tool pprof -sample_index=inuse_space -top $OUT/$NAME.heap"
