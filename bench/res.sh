#!/bin/bash
# Times a grid resolution end to end on the real data: start with an empty
# grid cache (the grid is built and cached), start again from the cache, the
# national coverage answer (with gap zones) once the map tiles are warmed,
# the live heap and the resident memory.
#
#   go build -o /tmp/ml ./cmd/maillage
#   bench/res.sh /tmp/ml 9          # issue 17's finer grid (≈ 6.3 M cells)
#   bench/res.sh /tmp/ml 8          # the default, for comparison in the same run
#
# Extra arguments go to serve (e.g. --memory-limit 3000). Environment: OUT
# (default /tmp/maillage-res), N (national answers timed, default 7).
set -euo pipefail
BIN=$1; RES=$2; shift 2
OUT=${OUT:-/tmp/maillage-res}/res$RES; N=${N:-7}
B=http://127.0.0.1:18927
rm -rf "$OUT"; mkdir -p "$OUT/cache"
TOKEN=$("$BIN" token new --tokens "$OUT/tokens" --name res --scope national | head -1)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; wait 2>/dev/null' EXIT
start() { # $1: run name, then serve's extra arguments; times the first answer
	local name=$1; shift
	T0=$(date +%s.%N)
	"$BIN" serve --addr 127.0.0.1:18927 --res "$RES" --cache "$OUT/cache" --pprof --tokens "$OUT/tokens" \
		--state "" --no-access-log "$@" >"$OUT/$name.log" 2>&1 &
	PID=$!
	until curl -sf -o /dev/null "$B/v1/communes/at?lon=2.35&lat=48.85"; do
		kill -0 $PID 2>/dev/null || { echo "res $RES $name: serve exited" >&2; tail -3 "$OUT/$name.log" >&2; exit 1; }
		sleep 0.05
	done
	echo "res $RES $name: first answer after $(echo "$(date +%s.%N) - $T0" | bc) s ($(grep -o 'cells=[0-9]*' "$OUT/$name.log" | head -1))"
}
stop() { kill $PID; wait $PID 2>/dev/null || true; PID=; }
uptime
start cold "$@"; stop
start cached "$@"
for _ in $(seq 1 600); do grep -q "map tiles warmed" "$OUT/cached.log" && break; sleep 1; done
echo "res $RES: map warmed after $(echo "$(date +%s.%N) - $T0" | bc) s"
curl -s -o /dev/null "$B/v1/coverage" # the first answer fills the coverage caches
for _ in $(seq 1 "$N"); do curl -s -o /dev/null -w '%{time_total}\n' "$B/v1/coverage"; done | sort -n |
	awk '{t[NR]=$1} END {printf "res '"$RES"': national coverage with gap zones, %d answers: min %.0f ms, median %.0f ms, max %.0f ms\n", NR, t[1]*1000, t[int((NR+1)/2)]*1000, t[NR]*1000}'
curl -s -H "Authorization: Bearer $TOKEN" "$B/debug/pprof/heap?debug=1" | grep -E "^# (HeapAlloc|NumGC) " | sed "s/^/res $RES: /"
curl -s -H "Authorization: Bearer $TOKEN" -o "$OUT/heap" "$B/debug/pprof/heap?gc=1"
curl -s -H "Authorization: Bearer $TOKEN" "$B/debug/pprof/heap?debug=1" | grep -E "^# HeapAlloc " | sed "s/^# HeapAlloc/res $RES: live heap after a forced collection, HeapAlloc/"
grep -E "VmRSS|VmHWM" /proc/$PID/status | sed "s/^/res $RES: /"
stop
