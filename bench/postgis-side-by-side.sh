#!/usr/bin/env bash
# bench/postgis-side-by-side.sh
#
# The same workloads against maillage (HTTP, a `serve` on 127.0.0.1) and
# PostGIS (psql, a throw-away PostgreSQL 15 cluster made by .ci/postgres,
# never the system one), on the same inputs: the engine's own commune
# shapes, France Services sites, grid cells and population shares, written
# by bench/postgis-export and loaded by bench/postgis-side-by-side.sql.
# Every answer is checked equal between the two sides (commune codes, site
# ids in order and distances to the rounding of distance_m, coverage
# figures to the inhabitant); a difference fails the run. Prints the best
# of REPS interleaved runs of each workload and the ratio PostGIS /
# maillage (above 1: maillage is faster), with the load average.
#
# Needs PostGIS for PostgreSQL 15 (apt-get install postgresql-15-postgis-3,
# installed here when missing and run as root), curl and ../shared/data.
# Environment: REPS (default 3), ONE (points looked up one at a time,
# default 2000), NEAR (points of the 5-nearest batch, default 10000),
# PORT (maillage's, default 18971). About 6 minutes on 2 cores at a load
# average of 15-20, 100 s of it PostGIS's nearest site of every cell.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${REPS:-3}
one=${ONE:-2000}
near=${NEAR:-10000}
port=${PORT:-18971}
base=http://127.0.0.1:$port

if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench: installing postgresql-15-postgis-3" >&2
    (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15-postgis-3) >/dev/null
  else
    echo "bench: PostGIS is missing: apt-get install postgresql-15-postgis-3 (as root)" >&2
    exit 1
  fi
fi

work=$(mktemp -d /tmp/maillage-postgis.XXXXXX)
chmod 755 "$work" # PostgreSQL runs as another user (.ci/postgres)
spid=
cleanup() {
  [ -z "$spid" ] || kill "$spid" 2>/dev/null || true
  wait 2>/dev/null || true
  .ci/postgres stop "$work/pg" || true
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "== build, export the engine's data ($(load))"
go build -o "$work/maillage" ./cmd/maillage
go build -o "$work/export" ./bench/postgis-export
"$work/export" --out "$work/in" --points 100000
head -"$one" "$work/in/points.csv" >"$work/one.csv"
head -"$near" "$work/in/points.csv" >"$work/near.csv"

echo "== PostGIS: a throw-away cluster, load and index ($(load))"
url=$(.ci/postgres start "$work/pg")
pg() { psql "$url" -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
t0=$(now)
(cd "$work/in" && pg -f "$OLDPWD/bench/postgis-side-by-side.sql")
echo "loaded in $(ms "$t0" "$(now)") ms: $(pg -c "SELECT postgis_lib_version()") on PostgreSQL $(pg -c "SHOW server_version")"

echo "== maillage: serve, wait for its map warm-up ($(load))"
"$work/maillage" token new --tokens "$work/tokens" --name bench --scope national 2>/dev/null | tail -1 >"$work/token"
"$work/maillage" serve --addr "127.0.0.1:$port" --tokens "$work/tokens" --state "$work/state" --no-access-log \
  >"$work/serve.log" 2>&1 &
spid=$!
for _ in $(seq 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" = 200 ] && break
  kill -0 "$spid" 2>/dev/null || { tail -5 "$work/serve.log" >&2; exit 1; }
  sleep 0.5
done
for _ in $(seq 600); do grep -q "map tiles warmed" "$work/serve.log" && break; sleep 0.5; done

# The inputs of each side: one request or one prepared statement per point,
# the same text coordinates.
awk -F, -v b="$base" '{ printf "url = \"%s/v1/communes/at?lon=%s&lat=%s\"\n", b, $1, $2 }' "$work/one.csv" >"$work/at.curl"
awk -F, -v b="$base" '{ printf "url = \"%s/v1/sites/nearest?k=5&lon=%s&lat=%s\"\n", b, $1, $2 }' "$work/one.csv" >"$work/near.curl"
{
  echo "SET jit = off;"
  echo "PREPARE at(float8, float8) AS SELECT (SELECT code FROM commune_parts"
  echo "  WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint(\$1, \$2), 4326)) ORDER BY code LIMIT 1);"
  awk -F, '{ printf "EXECUTE at(%s, %s);\n", $1, $2 }' "$work/one.csv"
} >"$work/at.sql"
# The 5 nearest by the index (<->, sphere distance on geography), 8 read so
# that ties of distance are broken as maillage breaks them (position in the
# layer, then listed by id).
nearest5='SELECT id, d FROM (SELECT id, d, ord FROM (SELECT s.id, s.ord, ST_Distance(s.geog, QPT, false) AS d
    FROM sites s ORDER BY s.geog <-> QPT LIMIT 8) c ORDER BY d, ord LIMIT 5) t'
{
  echo "SET jit = off;"
  echo "PREPARE near(float8, float8) AS SELECT (SELECT string_agg(id, ' ' ORDER BY d, id) FROM ("
  echo "  ${nearest5//QPT/ST_SetSRID(ST_MakePoint(\$1, \$2), 4326)::geography}) n);"
  awk -F, '{ printf "EXECUTE near(%s, %s);\n", $1, $2 }' "$work/one.csv"
} >"$work/near.sql"
# One statement for 100,000 points: the polygons outside, so that each
# polygon's prepared form serves all its points (7 times faster than a
# subquery per point); the lowest code wins, as in maillage's index.
at100k="SELECT p.id, m.code FROM points p LEFT JOIN (SELECT DISTINCT ON (p.k) p.k, c.code
  FROM commune_parts c JOIN points p ON ST_Covers(c.geom, p.geom) ORDER BY p.k, c.code) m USING (k) ORDER BY p.k"
near10k="SELECT p.id, n.rank, n.id, round(n.d::numeric, 1) FROM points p CROSS JOIN LATERAL (
  SELECT row_number() OVER (ORDER BY d, id) AS rank, id, d FROM (${nearest5//QPT/p.geom::geography}) t) n
  WHERE p.k < $near ORDER BY p.k, n.rank"
# Coverage: a cell is covered when the great-circle distance from its
# centre to the nearest site is within the threshold; minutes become metres
# as coverage.TravelModel does (60 km/h, detour 1.3).
maxm() { echo "$1::float8 / 60 * 60 * 1000 / 1.3"; }
figures() { # covered located: population, covered, uncovered, unlocated, share
  echo "SELECT (SELECT population FROM totals), round($1), round($2) - round($1),
    (SELECT population FROM totals) - round($2), round(($1 / $2)::numeric, 6)"
}
covscan="$(figures c l) FROM (SELECT sum(pop) FILTER (WHERE dist_m <= \$1) AS c, sum(pop) AS l FROM share_dist) x"
covlookup="$(figures c l) FROM (SELECT coalesce((SELECT cum FROM profile WHERE dist_m <= \$1
  ORDER BY dist_m DESC LIMIT 1), 0) AS c, (SELECT located FROM profile_total) AS l) x"
mfig() { # maillage's answer (JSON file): the same five figures (psql reads variables in a script, not in -c)
  pg -F, <<SQL
\\set f \`cat $1\`
SELECT s->>'population', s->>'covered_population', s->>'uncovered_population', s->>'population_unlocated',
  round((s->>'covered_share')::numeric, 6) FROM (SELECT (:'f'::jsonb)->'summary' AS s) x;
SQL
}
# psqltime FILE SQL [PREPARE]: runs SQL (after PREPARE) with its answer in
# FILE, prints psql's \timing of it (sent to answer received) in ms.
psqltime() {
  pg -F, -c "SET jit = off" -c "${3:-SELECT 1}" -c '\timing on' -c "\\o $1" -c "$2" |
    sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1
}

declare -A best
keep() { # name ms: keep the smallest
  if [ -z "${best[$1]:-}" ] || awk -v a="$2" -v b="${best[$1]}" 'BEGIN { exit !(a < b) }'; then best[$1]=$2; fi
}
fail=0
check() { # what file-a file-b
  if cmp -s "$2" "$3"; then echo "check $1: equal ($(wc -l <"$2") lines)"; else
    echo "check $1: DIFFERENT"; diff "$2" "$3" | head -5; fail=1; fi
}

echo "== national coverage from the sites, once (cold: every cell's nearest site) ($(load))"
# maillage: the same sites file uploaded as a new layer, whose nearest-site
# distances the first coverage request computes.
curl -sf -o /dev/null -H "Authorization: Bearer $(cat "$work/token")" -F name=fs-copy \
  -F file=@../shared/data/france-services-2024-08.csv "$base/v1/layers"
m=$(curl -sf -o "$work/m-cold.json" -w '%{time_total}' "$base/v1/coverage?max_minutes=30&layers=fs-copy")
keep m_cold "$(awk -v t="$m" 'BEGIN { printf "%.1f", t * 1000 }')"
t0=$(now)
pg -c "SET jit = off" -c "CREATE TABLE cell_dist AS SELECT c.cell, (SELECT ST_Distance(s.geog, c.geog, false)
  FROM sites s ORDER BY s.geog <-> c.geog LIMIT 1) AS dist_m FROM cells c"
pg -c "CREATE TABLE share_dist AS SELECT s.code, s.pop, d.dist_m FROM shares s JOIN cell_dist d USING (cell)"
pg -F, -c "PREPARE cov(float8) AS $covscan" -c "EXECUTE cov($(maxm 30))" >"$work/p-cold.txt"
keep p_cold "$(ms "$t0" "$(now)")"
mfig "$work/m-cold.json" >"$work/m-cold.txt"
check "coverage at 30 min from the sites" "$work/m-cold.txt" "$work/p-cold.txt"
# The stored distances as a population profile: the covered population at
# any threshold is one index lookup, as maillage's binary search.
t0=$(now)
pg -c "CREATE TABLE profile AS SELECT dist_m, sum(pop) OVER (ORDER BY dist_m) AS cum
  FROM (SELECT dist_m, sum(pop) AS pop FROM share_dist GROUP BY dist_m) g" \
  -c "CREATE INDEX ON profile (dist_m)" -c "CREATE TABLE profile_total AS SELECT sum(pop) AS located FROM share_dist" \
  -c "VACUUM ANALYZE profile"
echo "PostGIS: population profile by distance built in $(ms "$t0" "$(now)") ms"
t30=$(pg -c "SELECT count(*) FROM cell_dist WHERE (dist_m <= $(maxm 30)) <> (dist_m::float4 <= $(maxm 30))")
echo "cells on the other side of 30 min with maillage's float32 distances: $t30"

for rep in $(seq "$reps"); do
  echo "== run $rep of $reps: $(uptime)"
  t0=$(now); curl -s -K "$work/at.curl" -w '\n' >"$work/m-at.out"; keep m_at "$(ms "$t0" "$(now)")"
  t0=$(now); pg -f "$work/at.sql" >"$work/p-at.txt"; keep p_at "$(ms "$t0" "$(now)")"
  m=$(curl -s -o "$work/m-at100k.csv" -w '%{time_total}' -H 'Content-Type: text/csv' -H 'Accept: text/csv' \
    --data-binary @"$work/in/points.csv" "$base/v1/communes/at")
  keep m_at100k "$(awk -v t="$m" 'BEGIN { printf "%.1f", t * 1000 }')"
  keep p_at100k "$(psqltime "$work/p-at100k.txt" "$at100k")"
  t0=$(now); curl -s -K "$work/near.curl" -w '\n' >"$work/m-near.out"; keep m_near "$(ms "$t0" "$(now)")"
  t0=$(now); pg -f "$work/near.sql" >"$work/p-near.txt"; keep p_near "$(ms "$t0" "$(now)")"
  m=$(curl -s -o "$work/m-near10k.csv" -w '%{time_total}' -H 'Content-Type: text/csv' -H 'Accept: text/csv' \
    --data-binary @"$work/near.csv" "$base/v1/sites/nearest?k=5")
  keep m_near10k "$(awk -v t="$m" 'BEGIN { printf "%.1f", t * 1000 }')"
  keep p_near10k "$(psqltime "$work/p-near10k.txt" "$near10k")"
  m=$(curl -s -o "$work/m-cov.json" -w '%{time_total}' "$base/v1/coverage?max_minutes=30")
  keep m_cov "$(awk -v t="$m" 'BEGIN { printf "%.1f", t * 1000 }')"
  keep p_cov "$(psqltime "$work/p-cov.txt" "EXECUTE cov($(maxm 30))" "PREPARE cov(float8) AS $covscan")"
  m=$(curl -s -o "$work/m-new.json" -w '%{time_total}' "$base/v1/coverage/figures?max_minutes=20")
  keep m_new "$(awk -v t="$m" 'BEGIN { printf "%.1f", t * 1000 }')"
  keep p_new "$(psqltime "$work/p-new.txt" "EXECUTE cov($(maxm 20))" "PREPARE cov(float8) AS $covlookup")"
  keep p_newscan "$(psqltime "$work/p-newscan.txt" "EXECUTE cov($(maxm 20))" "PREPARE cov(float8) AS $covscan")"
done
echo "== checks"
sed -E 's/^\{"code":"([^"]*)".*/\1/; s/^\{"error".*//' "$work/m-at.out" >"$work/m-at.txt"
check "point → commune, one request per point" "$work/m-at.txt" "$work/p-at.txt"
tail -n +2 "$work/m-at100k.csv" | cut -d, -f1,4 >"$work/m-at100k.txt"
check "point → commune, 100,000 in one" "$work/m-at100k.txt" "$work/p-at100k.txt"
awk '{ out = ""; s = $0; while (match(s, /"id":"[^"]*"/)) { out = out (out == "" ? "" : " ") substr(s, RSTART + 6, RLENGTH - 7); s = substr(s, RSTART + RLENGTH) } print out }' \
  "$work/m-near.out" >"$work/m-near.txt"
check "5 nearest, one request per point" "$work/m-near.txt" "$work/p-near.txt"
# Site names hold commas: the id, rank and site id lead the row, the
# distance ends it. maillage rounds distance_m to 0.1 m, PostGIS's
# distances are rounded the same way: they may differ by the last digit.
tail -n +2 "$work/m-near10k.csv" | awk -F, '{ print $1 "," $4 "," $5 "," $NF }' >"$work/m-near10k.txt"
cut -d, -f1-3 "$work/m-near10k.txt" >"$work/m-near10k.ids"
cut -d, -f1-3 "$work/p-near10k.txt" >"$work/p-near10k.ids"
check "5 nearest, $near in one (points, ranks, site ids)" "$work/m-near10k.ids" "$work/p-near10k.ids"
far=$(paste -d, "$work/m-near10k.txt" "$work/p-near10k.txt" | awk -F, '{ d = $4 - $8; if (d < 0) d = -d; if (d > 0.1001) n++ } END { print n + 0 }')
echo "check 5 nearest distances: $far of $(wc -l <"$work/m-near10k.txt") differ by more than 0.1 m"
[ "$far" = 0 ] || fail=1
mfig "$work/m-cov.json" >"$work/m-cov.txt"
check "national coverage at 30 min (population, covered, uncovered, unlocated, share)" "$work/m-cov.txt" "$work/p-cov.txt"
mfig "$work/m-new.json" >"$work/m-new.txt"
check "national coverage at 20 min, profile" "$work/m-new.txt" "$work/p-new.txt"
check "national coverage at 20 min, scan" "$work/m-new.txt" "$work/p-newscan.txt"
echo "maillage, 30 min: $(cat "$work/m-cov.txt"); 20 min: $(cat "$work/m-new.txt")"

row() { # label maillage-key postgis-key
  awk -v l="$1" -v m="${best[$2]}" -v p="${best[$3]}" 'BEGIN { printf "| %s | %.1f | %.1f | %.1f× |\n", l, m, p, p / m }'
}
echo "== best of $reps runs, ms ($(uptime)); the whole script took $SECONDS s"
echo "| workload | maillage (HTTP) | PostGIS (psql) | PostGIS / maillage |"
echo "|---|---|---|---|"
row "point → commune, $one points, one request / prepared statement each" m_at p_at
row "point → commune, 100,000 points in one request / statement" m_at100k p_at100k
row "5 nearest sites, $one points, one request / prepared statement each" m_near p_near
row "5 nearest sites, $near points in one request / statement" m_near10k p_near10k
row "national coverage at 30 min from the sites (every cell's nearest site computed), once" m_cold p_cold
row "national coverage at 30 min, nearest distances in memory / stored (full answer / one scan)" m_cov p_cov
row "a new threshold (20 min): national figures (maillage: with régions, départements) / prefix-sum lookup" m_new p_new
row "the same, PostGIS scanning the stored distances" m_new p_newscan
exit $fail
