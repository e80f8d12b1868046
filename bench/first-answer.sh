#!/bin/bash
# Starts a maillage build on the real data and times its first answers:
# GET /v1/communes/at (the first answer: serve answers only once the
# engine is loaded), then /v1/sites/nearest and the national coverage
# /v1/coverage, each from the start of the process; also prints the CPU
# seconds the process used until its first answer (less sensitive to a
# busy machine than the wall time). Run from the repository root.
#
#   go build -o /tmp/new ./cmd/maillage
#   bench/first-answer.sh /tmp/new new 18301 --cache /tmp/cache-new   # the first start writes the snapshot
#   bench/first-answer.sh /tmp/new new 18301 --cache /tmp/cache-new   # the next ones read it
#
# Environment: OUT (default /tmp/maillage-first-answer) holds the logs and answers.
set -euo pipefail
BIN=$1; NAME=$2; PORT=$3; shift 3
OUT=${OUT:-/tmp/maillage-first-answer}; mkdir -p "$OUT"
B=http://127.0.0.1:$PORT
T0=$(date +%s.%N)
"$BIN" serve --addr 127.0.0.1:"$PORT" --state "$OUT/state-$NAME" --no-access-log "$@" >"$OUT/$NAME.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
until curl -sf -o /dev/null "$B/v1/communes/at?lon=2.35&lat=48.85"; do
	kill -0 $PID 2>/dev/null || { echo "$NAME: serve exited" >&2; tail -3 "$OUT/$NAME.log" >&2; exit 1; }
	sleep 0.02
done
T1=$(date +%s.%N)
CPU=$(awk '{print ($14+$15)/100}' /proc/$PID/stat)
curl -sf -o "$OUT/$NAME-nearest.json" "$B/v1/sites/nearest?lon=2.35&lat=48.85&k=5"; T2=$(date +%s.%N)
curl -sf -o "$OUT/$NAME-coverage.json" "$B/v1/coverage"; T3=$(date +%s.%N)
printf "%s: communes/at %.3f s (cpu %s s), +nearest %.3f s, +coverage %.3f s\n" "$NAME" \
	"$(echo "$T1 - $T0" | bc)" "$CPU" "$(echo "$T2 - $T0" | bc)" "$(echo "$T3 - $T0" | bc)"
grep -oE 'engine snapshot (read|written|not used|ignored)[^"]*' "$OUT/$NAME.log" || true
