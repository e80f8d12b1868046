#!/usr/bin/env bash
# bench/replicas.sh [DURATION] [CONCURRENCY]
#
# Load test of issue 20: two `serve` replicas on one throw-away PostgreSQL
# (.ci/postgres) beside one server on a bbolt state folder, all on
# 127.0.0.1, driven by cmd/maillage-load with the same mix and seed. Each
# store gets the same uploaded data (50,000 synthetic candidates and a
# match result against the built-in structures), read by the "datasets"
# kind of the mix. Prints each run's report and the load average, and
# /readyz while replica A loads (503 loading, then 200). Needs PostgreSQL's
# server programs (apt-get install postgresql) and ../shared/data.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-60s}
conc=${2:-16}
mix=${MIX:-communes=30,nearest=25,coverage=10,tiles=15,datasets=20}
work=$(mktemp -d /tmp/maillage-bench.XXXXXX)
chmod 755 "$work" # PostgreSQL runs as another user (.ci/postgres)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  .ci/postgres stop "$work/pg" || true
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/maillage" ./cmd/maillage
go build -o "$work/maillage-load" ./cmd/maillage-load
pgurl=$(.ci/postgres start "$work/pg")
"$work/maillage" token new --tokens "$work/tokens" --name bench --scope national | tail -1 > "$work/token"
token=$(cat "$work/token")
"$work/maillage" synth --candidates 50000 --structures 10 --seed 1 -o "$work" >/dev/null

serve() { # name port store-flags...
  local name=$1 port=$2; shift 2
  "$work/maillage" serve --addr "127.0.0.1:$port" --tokens "$work/tokens" --no-access-log --log-format json "$@" \
    2>"$work/$name.log" &
  pids+=($!)
  echo $! > "$work/$name.pid"
}
wait_ready() { # port
  for _ in $(seq 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "127.0.0.1:$1/readyz")" = 200 ] && return 0
    sleep 0.5
  done
  echo "bench: 127.0.0.1:$1 not ready after 300 s" >&2; exit 1
}
wait_warm() { # name: the built-in map's tiles rendered (in the background after ready)
  for _ in $(seq 1200); do
    grep -q '"msg":"map tiles warmed"' "$work/$1.log" && return 0
    sleep 0.5
  done
  echo "bench: $1 did not warm its map tiles in 600 s" >&2; exit 1
}
upload() { # port
  local auth=(-H "Authorization: Bearer $token")
  curl -sf "${auth[@]}" -X POST "127.0.0.1:$1/v1/datasets?kind=candidates&name=bench" \
    -F file=@"$work/synth-candidates.csv" -o "$work/upload-$1.json"
  local id
  id=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$work/upload-$1.json" | head -1)
  curl -sf "${auth[@]}" -X POST "127.0.0.1:$1/v1/match" -F candidates="$id" \
    -F structures=cnfs-structures-2021 -F algorithm=greedy -o /dev/null
}

serve replica-a 18081 --store "$pgurl"
sleep 1
echo "replica A while loading: /readyz $(curl -s -w ' %{http_code}' 127.0.0.1:18081/readyz)"
wait_ready 18081
echo "replica A ready: /readyz $(curl -s -w ' %{http_code}' 127.0.0.1:18081/readyz)"
serve replica-b 18082 --store "$pgurl"
serve bolt 18083 --state "$work/state"
wait_ready 18082
wait_ready 18083
upload 18081 # on A: B reads it through PostgreSQL
upload 18083
wait_warm replica-a
wait_warm replica-b
wait_warm bolt

run() { # label addrs pid seed
  echo "== $1 ($mix, $duration, $conc connections, seed $4), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  "$work/maillage-load" -addr "$2" -pid "$3" -token-file "$work/token" -mix "$mix" \
    -duration "$duration" -concurrency "$conc" -seed "$4" || true # errors are in the report
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
}
bolt=http://127.0.0.1:18083 replicas=http://127.0.0.1:18081,http://127.0.0.1:18082
echo "== warm-up, 10 s each (caches filling; not reported)"
"$work/maillage-load" -addr "$bolt" -token-file "$work/token" -mix "$mix" -duration 10s -concurrency "$conc" -seed 1 >/dev/null 2>&1 || true
"$work/maillage-load" -addr "$replicas" -token-file "$work/token" -mix "$mix" -duration 10s -concurrency "$conc" -seed 1 >/dev/null 2>&1 || true
# Alternate the two set-ups, so that a change in the machine's load hits both.
for seed in 2 3; do
  run "bbolt, one server" "$bolt" "$(cat "$work/bolt.pid")" $seed
  run "PostgreSQL, two replicas" "$replicas" "$(cat "$work/replica-a.pid")" $seed
done
echo "== store latency on replica A (maillage_store_operation_duration_seconds)"
curl -s 127.0.0.1:18081/metrics | grep -E '^maillage_store_operation_duration_seconds_(sum|count)'
echo "== store latency on the bbolt server"
curl -s 127.0.0.1:18083/metrics | grep -E '^maillage_store_operation_duration_seconds_(sum|count)'
