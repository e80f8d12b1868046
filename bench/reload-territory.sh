#!/bin/bash
# Times a reload whose territory files changed (a new commune boundary file,
# as each January), under a light load, against a reload of unchanged files.
# The data folder is a copy made of links to ../shared/data, except the
# commune boundaries, which change between reloads in two ways: the same
# communes re-compressed at another gzip level (other bytes, so the checksum
# changes and the territory, grid and every derived state are rebuilt), and
# a real change, commune 01007 merged into 01004 (bench/mergecommunes: one
# feature with the polygons of both, the other dropped), then undone.
#
#   go build -o /tmp/maillage ./cmd/maillage && go build -o /tmp/maillage-load ./cmd/maillage-load
#   bench/reload-territory.sh /tmp/maillage /tmp/maillage-load
set -euo pipefail
BIN=$1; LOAD=$2
SRC=$(cd "$(dirname "$0")/../../shared/data" && pwd)
W=$(mktemp -d /tmp/maillage-reload.XXXXXX)
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$W"' EXIT
mkdir -p "$W/data"
for f in "$SRC"/*; do ln -s "$f" "$W/data/"; done
rm "$W/data/communes-2018.geojson.gz"
zcat "$SRC/communes-2018.geojson.gz" >"$W/communes.geojson"
gzip -1 -c "$W/communes.geojson" >"$W/data/communes-2018.geojson.gz"
(cd "$(dirname "$0")/.." && go run ./bench/mergecommunes -a 01004 -b 01007 "$SRC/communes-2018.geojson.gz" "$W/merged.gz")
# The variants are written before the server starts: compressing 300 MB
# takes seconds of CPU that would else run beside the reloads timed.
gzip -6 -c "$W/communes.geojson" >"$W/gzip-6.gz"
gzip -1 -c "$W/communes.geojson" >"$W/gzip-1.gz"
B=http://127.0.0.1:18419
"$BIN" serve --addr 127.0.0.1:18419 --insecure-open --state "" --no-access-log --data "$W/data" >"$W/serve.log" 2>&1 &
PID=$!
until curl -sf -o /dev/null "$B/readyz"; do kill -0 $PID || exit 1; sleep 0.1; done
# The map warm-up at start-up (full speed, both cores) is not part of a
# reload: wait for it to end.
for _ in $(seq 600); do grep -q 'map tiles warmed' "$W/serve.log" && break; sleep 0.2; done
uptime
"$LOAD" -addr $B -duration 10s -concurrency 8 -mix communes=50,nearest=50 -pid $PID | grep -E '^(kind|all)' | sed 's/^/baseline: /'
# During the reloads the light routes come at a steady RATE (default 1,000
# requests a second, open loop: a stall shows in the latencies), not as
# fast as 8 connections can go, which would take the cores the reloads
# are timed on (the baseline above is that saturating run).
# Answers slower than SLOW_MS (default 100) are listed a second at a time
# and merged below with the server's log lines of the reloads and the map
# work, to see what runs when they happen.
"$LOAD" -addr $B -duration 90s -concurrency 8 -rate "${RATE:-1000}" -mix communes=50,nearest=50 -pid $PID \
	-slow-ms "${SLOW_MS:-100}" >"$W/load.txt" &
LPID=$!
sleep 2
# Each reload is timed on its own: before the next one the script waits
# for the map layers of the previous engine to be prepared in the
# background (the log's "map layers prepared", 2 s after a reload and a few
# seconds long, and not cancellable), which would else run beside it. The
# tile warm-up that follows is cancelled by the next reload, as in service.
# With PERIOD=S the reloads start every S seconds instead, whatever runs
# (the same schedule for every build: a map preparation still running is
# then beside the next reload, or cancelled by it, as in service).
prepared=1
next=$(date +%s.%N)
settle() {
	prepared=$((prepared + 1))
	if [ -n "${PERIOD:-}" ]; then
		next=$(echo "$next + $PERIOD" | bc)
		sleep "$(echo "w = $next - $(date +%s.%N); if (w < 0) w = 0; w" | bc)"
		return
	fi
	for _ in $(seq 150); do # 30 s at most
		[ "$(grep -c 'map layers prepared' "$W/serve.log")" -ge $prepared ] && return
		sleep 0.2
	done
	echo "no \"map layers prepared\" in the log 30 s after a reload"
}
for v in gzip-6 merged gzip-1 unmerged; do
	case $v in
	unmerged) cp "$W/gzip-6.gz" "$W/communes.gz" ;; # the shipped bytes again
	*) cp "$W/$v.gz" "$W/communes.gz" ;;
	esac
	mv "$W/communes.gz" "$W/data/communes-2018.geojson.gz"
	t0=$(date +%s.%N)
	ans=$(curl -s -X POST "$B/v1/admin/reload")
	echo "territory changed ($v): $(echo "$(date +%s.%N) - $t0" | bc) s wall; $(echo "$ans" | grep -oE '"(load_ms|step|duration_ms)":[^,}]+' | tr '\n' ' ')"
	settle
	t0=$(date +%s.%N)
	ans=$(curl -s -X POST "$B/v1/admin/reload")
	echo "files unchanged: $(echo "$(date +%s.%N) - $t0" | bc) s wall; $(echo "$ans" | grep -oE '"load_ms":[0-9.]+')"
	settle
done
wait $LPID
grep -E '^(kind|all)|RSS' "$W/load.txt" | sed 's/^/during reloads: /'
grep -E 'VmHWM' /proc/$PID/status
grep -E 'territory reloaded' "$W/serve.log" | cut -c1-400 || true
echo "timeline: answers slower than ${SLOW_MS:-100} ms by the second they were sent, and the server's reloads and map work"
{
	grep -E '^[0-9T:.-]+Z slow: ' "$W/load.txt" || true
	grep -E 'msg="?(reload started|reloaded|territory reloaded|map layers prepared|map tiles warmed)("| |$)' "$W/serve.log" |
		sed -E 's/^time=([^ ]+) level=[A-Z]+ /\1 /' | cut -c1-160 || true
} | sort
