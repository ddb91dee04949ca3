#!/usr/bin/env bash
# Kasane's map server beside TiPg, in one run of the shared benchmark (../shared/bench).
#   make bench-server                 (or bench/server/run.sh)
#   DURATION=20 CONC=8 SKIP=etl,pygeoapi,floor bench/server/run.sh
# Two Kasane servers are measured: cache on (warm: a 15-s wrk pass per layer, then loadgen's check
# pass, fill every worker's cache before the timed window) and cache off (KASANE_CACHE_MB=0:
# every tile and page from PostGIS, "cold").
# The tile feature cap is 10,000 here (TILE_CAP), as TiPg's default, so both build the same tiles.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
SRC=${BENCH_SRC:-$REPO/../shared/bench}
WORK=${BENCH_WORK:-/tmp/kasane-bench-server}
PORT_WARM=${PORT_WARM:-18010}; PORT_COLD=${PORT_COLD:-18011}
export SKIP=${SKIP:-etl,pygeoapi}
[ -d "$SRC" ] || { echo "bench: $SRC not found (the shared benchmark)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench: wrk not found (apt-get install wrk, as the shared README says)" >&2; exit 1; }
mkdir -p "$WORK"
# copy the benchmark (not its venvs, data or results) so nothing is written into shared/
for f in "$SRC"/*; do
  case "$(basename "$f")" in .venv*|out|data) ;; *) cp -r "$f" "$WORK"/ ;; esac
done
cd "$WORK"
[ -x .venv/bin/python ] || { python3 -m venv .venv && .venv/bin/pip install -q -r requirements-bench.txt; }
DSN=$(./pg.sh start)
[ -s data/busroutes.gpkg ] || .venv/bin/python make_data.py
mkdir -p out; [ -s out/tiles.txt ] || .venv/bin/python tile_floor.py tilelist --out out/tiles.txt

export KASANE_DATABASE_URL=$DSN KASANE_LAYERS_DIR=$REPO/bench/server/layers
echo "== loading the synthetic layers into Kasane's storage"
"$REPO/.venv/bin/python" "$REPO/bench/server/load_layers.py" "$WORK"

pids=()
stop_servers() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  ./pg.sh stop >/dev/null || true
}
trap stop_servers EXIT
start() {  # port cache_mb
  KASANE_CACHE_MB=$2 KASANE_TILE_FEATURE_CAP=${TILE_CAP:-10000} KASANE_LOG_LEVEL=WARNING setsid "$REPO/.venv/bin/kasane" serve \
    --port "$1" --workers 2 >"out/kasane-$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 60); do curl -fsS -o /dev/null "http://127.0.0.1:$1/healthz" && return; sleep 1; done
  echo "kasane serve on $1 did not start" >&2; exit 1
}
start "$PORT_WARM" 256
start "$PORT_COLD" 0
# Warm means every worker warm: each worker keeps its own cache, and loadgen's one-connection
# check pass reaches only one worker per tile. So wrk first cycles each layer's 298 tiles over 8
# connections (which the kernel spreads over both workers) for WARM_S seconds, unreported.
printf '%s\n' 'local paths, i = {}, 0' \
  'function init(args) for line in io.lines(args[1]) do paths[#paths + 1] = line end end' \
  'function request() i = i + 1 return wrk.format("GET", paths[(i % #paths) + 1]) end' >out/warm.lua
for layer in shelters floodzones busroutes; do
  awk -v l="$layer" '{print "/tiles/" l "/" $1 "/" $2 "/" $3 ".mvt"}' out/tiles.txt >"out/warm-$layer.txt"
  wrk -t2 -c8 -d"${WARM_S:-15}s" -s out/warm.lua "http://127.0.0.1:$PORT_WARM" -- "out/warm-$layer.txt" >/dev/null
done
T=out/kasane-targets.txt
{
  echo "kasane-mvt-cold|http://127.0.0.1:$PORT_COLD/tiles/{layer}/{z}/{x}/{y}.mvt|shelters,floodzones,busroutes"
  echo "kasane-mvt-warm|http://127.0.0.1:$PORT_WARM/tiles/{layer}/{z}/{x}/{y}.mvt|shelters,floodzones,busroutes"
  echo "kasane-items-cold|http://127.0.0.1:$PORT_COLD/collections/{layer}/items?bbox={minx},{miny},{maxx},{maxy}&limit=1000|shelters,floodzones"
} >"$T"
KEEP_PG=1 TARGETS="$T" ./run_all.sh 2>&1 | tee out/kasane-run.log
