#!/bin/bash
# Re-runs every figure of BENCHMARKS.md on the current build, one section
# after the other, and keeps each command's output under $OUT (default
# /tmp/maillage-bench) so BENCHMARKS.md can be brought up to date from one run.
#
#   bench/all.sh            # everything (~20 min on 2 cores)
#   bench/all.sh go         # only the go test benchmarks
#   bench/all.sh serve      # only the heap, load and restart runs
#   bench/all.sh postgis    # the side-by-side with PostGIS (bench/postgis-side-by-side.sh, ~6 min)
#
# Benchmarks are selected by name across ./... rather than by package, so the
# script survives a package split; the load runs use serve's defaults
# (--memory-limit and --gc-percent included) and once GOMEMLIMIT=off for comparison.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/maillage-bench}
WHAT=${1:-all}
mkdir -p "$OUT"
run() { # name, then the command
	local name=$1; shift
	echo "== $name: $*" | tee "$OUT/$name.txt"
	uptime | tee -a "$OUT/$name.txt"
	# the whole output is kept; the terminal shows the figures
	"$@" 2>&1 | tee -a "$OUT/$name.txt" | grep -vE '^(ok|PASS|\?|goos|goarch|pkg|cpu)\b'
}
gobench() { # name, pattern, benchtime
	run "$1" nice go test ./... -run '^$' -bench "$2" -benchmem -benchtime "$3" -timeout 30m
}
if [ "$WHAT" = all ] || [ "$WHAT" = go ]; then
	gobench startup 'LoadCold|LoadCached|LoadTerritory|LoadDefault|LoadIndicators|LoadCNFSStructures' 3x
	gobench grid 'BuildGrid|LoadGrid' 1x
	gobench indexes 'CommuneIndexAt$|SiteIndexNearest5|SiteIndexNearest1|SiteIndexWithin' 1s
	gobench coverage 'CoverageNational|CoverageRethreshold|CoverageFigures|CoverageDepartement|LayerNearest|Articulate|CompareCoverage' 3x
	gobench access 'AccessNational|Compute$' 5x
	gobench allocate 'AllocateNational' 3x
	gobench matching 'AssignOptimal50k|AssignGreedy50k|AssignBalanced50k|AssignGraphShared50k|AssignTight10k|SuggestStructures|SuggestCandidates|MatchEndpoint|Rematch50k' 3x
	gobench suggest 'SuggestOnDatasets' 2000x
	gobench dashboard 'Dashboard50k' 50x
	gobench siting 'RecommendNational100|RecommendDepartement10|Evaluate500' 3x
	gobench tiles 'LayerDepartementGeoJSON|TileCommunesZ8|FranceCommunesZoom5' 3x
	gobench batch 'BatchCommunesAt100k|BatchSitesNearest10k' 10x
	gobench store 'BoltStorePutGet|LoadCandidatesCSV50k|Synthesize' 3x
	gobench lambert 'Lambert93Point' 1s
	# the rest: building blocks (topology, simplifier, indexes, store, codecs)
	gobench others 'Adjacency|BuildTopology|CellsOutline|CommuneIndexAtVertex|CommuneIndexNearest|CoverageIndex|CoverageNationalTwoLayers|CoverageRethresholdFigures|FileChecksum|GapOutlines|Greedy$|Index$|LayerAdd|Lookup|Neighbors|NewCommuneIndex|NewSiteIndex|OpenBoltStore|Optimal$|OptimalCapped|PackedMultiPolygonDecode|PutGetLarge|ReadPoints100k|RepresentativePoint|Simplifier|Solve|TopoLevelShapes|TopologySimplify|ValidateShapeFrance|Version' 1x
fi
if [ "$WHAT" = all ] || [ "$WHAT" = serve ]; then
	mkdir -p "$OUT/heap"
	go build -o /tmp/maillage-bench-load ./cmd/maillage-load && go build -o /tmp/maillage-bench-serve ./cmd/maillage || exit 1
	# A new build's first start finds the engine snapshot stale (it is keyed by the build) and
	# builds the engine in the heap: start it once to write the snapshots, then time restarts
	# over them, as in service (bench/first-answer.sh).
	run first-answer-prime bench/first-answer.sh /tmp/maillage-bench-serve prime 18302
	for i in 1 2 3 4 5; do run first-answer-$i bench/first-answer.sh /tmp/maillage-bench-serve warm 18302; done
	# the same 30 s of load as BENCHMARKS.md's heap section; the serve runs print everything
	LOAD=/tmp/maillage-bench-load DUR=30s OUT=$OUT/heap run heap bench/heap-side-by-side.sh /tmp/maillage-bench-serve default
	LOAD=/tmp/maillage-bench-load DUR=30s OUT=$OUT/heap GOMEMLIMIT=off run heap-nolimit bench/heap-side-by-side.sh /tmp/maillage-bench-serve nolimit --memory-limit 0
	run map-render nice go test ./api/... -run 'TestMapInBrowser$' -v -count 1
fi
if [ "$WHAT" = postgis ]; then
	run postgis bash bench/postgis-side-by-side.sh
fi
echo "outputs in $OUT"
