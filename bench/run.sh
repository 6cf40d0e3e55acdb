#!/usr/bin/env bash
# Warta's benchmark: seeds a newsroom, then drives Warta and a bare actix-web baseline with wrk on
# loopback, each scenario cached (the normal case for anonymous reads) and with the response cache
# off, and prints requests/s, p50, p99 and the ratio to the baseline measured in the same run,
# the server's peak RSS and the database size. Bounded in time; needs nothing but this repo.
# Warta runs with its defaults, as operators run it: log level `info`, one access-log line per
# request, written to a file; the cached scenarios are measured once more at `WARTA_LOG=warn`.
#
#   bench/run.sh [--articles N] [--duration SECONDS] [--runs R] [--connections C] [--smoke]
#                [--database sqlite|postgres]
#
# --database postgres runs the same on a database `warta_bench_N` at $WARTA_BENCH_POSTGRES
# (default postgres://postgres@127.0.0.1:5432), seeded once and kept like the SQLite file.
#
# Medians of R runs. With 2+ cores the server is pinned to core 0 and wrk to core 1 (taskset).
set -euo pipefail
cd "$(dirname "$0")/.."

articles=100000 duration=10 runs=3 connections=32 threads=2 smoke=0 engine=sqlite
while [ $# -gt 0 ]; do
  case "$1" in
    --articles) articles=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --smoke) smoke=1; articles=2000; duration=1; runs=1; shift ;;
    --database) engine=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

if ! command -v wrk >/dev/null; then
  echo "bench: installing wrk" >&2
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi

cargo build --release --quiet --bin warta --example baseline
target_dir=${CARGO_TARGET_DIR:-target}
bin=$target_dir/release/warta
baseline_bin=$target_dir/release/examples/baseline
case "$engine" in
  sqlite)
    data="$target_dir/bench-data/$articles"
    db="$data/warta.db" ;;
  postgres)
    data="$target_dir/bench-data/pg-$articles"
    server=${WARTA_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}
    db="$server/warta_bench_$articles" ;;
  *) echo "--database is sqlite or postgres, not $engine" >&2; exit 2 ;;
esac
port=18180 baseline_port=18190
secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
password=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
export WARTA_DATABASE_URL="$db" WARTA_ADMIN_EMAIL=bench@warta.test WARTA_ADMIN_PASSWORD="$password" \
  WARTA_JWT_SECRET="$secret"
unset WARTA_LOG

if [ "$(nproc)" -ge 2 ]; then
  server_cpu=(taskset -c 0) load_cpu=(taskset -c 1) workers=1
  pinning="server pinned to core 0 (1 worker), wrk to core 1"
else
  server_cpu=() load_cpu=() workers=1
  pinning="one core: server and wrk share it"
fi

if [ ! -f "$data/ready" ]; then
  rm -rf "$data" && mkdir -p "$data"
  if [ "$engine" = postgres ]; then
    psql "$server/postgres" -qc "DROP DATABASE IF EXISTS warta_bench_$articles WITH (FORCE)" -c "CREATE DATABASE warta_bench_$articles" >/dev/null
  fi
  echo "bench: seeding $articles articles" >&2
  "$bin" seed --articles "$articles" --views $((articles * 2)) --authors 500 --categories 40 --tags 5000 >&2
  touch "$data/ready"
fi

pid=""
stop_server() { if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; fi; }
trap stop_server EXIT

wait_for() {
  for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$1$2" >/dev/null && return 0; sleep 0.05; done
  echo "bench: nothing answers on port $1" >&2; exit 1
}

# Starts Warta with extra settings; $pid is its process.
start_warta() {
  env "$@" WARTA_BIND="127.0.0.1:$port" WARTA_WORKERS=$workers WARTA_VIEW_DEDUPE_SECONDS=0 \
    "${server_cpu[@]}" "$bin" serve >"$data/server.log" 2>&1 &
  pid=$!
  wait_for $port /healthz
}

# Stops Warta and keeps only the end of its access log (it grows by about 200 bytes per request).
stop_warta() {
  stop_server
  tail -n 1000 "$data/server.log" >"$data/server.log.tail" && mv "$data/server.log.tail" "$data/server.log"
}

peak_rss_mb() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# Inputs: slugs to rotate over, a category with many articles, and the latest feed for the baseline.
start_warta
api="http://127.0.0.1:$port/api/v1"
for page in 1 2 3 4 5; do curl -sf "$api/articles?per_page=100&page=$page"; echo; done |
  python3 -c 'import sys, json; [print(a["slug"]) for l in sys.stdin if l.strip() for a in json.loads(l)["data"]]' >"$data/slugs.txt"
category=$(curl -sf "$api/categories" | python3 -c 'import sys, json; d = json.load(sys.stdin)["data"]; print(max((c for c in d if c["parent_id"] is None), key=lambda c: c["article_count"])["slug"])')
curl -sf "$api/feeds/latest?limit=10" >"$data/latest.json"
stop_warta

lua_slugs="slugs = {$(sed 's/.*/"&",/' "$data/slugs.txt" | tr -d '\n')}"
cat >"$data/article.lua" <<LUA
$lua_slugs
request = function() return wrk.format("GET", "/api/v1/articles/" .. slugs[math.random(#slugs)]) end
LUA
cat >"$data/beacon.lua" <<LUA
$lua_slugs
wrk.headers["User-Agent"] = "Mozilla/5.0 (bench)"
request = function() return wrk.format("POST", "/api/v1/articles/" .. slugs[math.random(#slugs)] .. "/views") end
LUA
cat >"$data/mix.lua" <<LUA
$lua_slugs
wrk.headers["User-Agent"] = "Mozilla/5.0 (bench)"
local reads = {"/api/v1/feeds/latest?limit=10", "/api/v1/feeds/trending?window=24h"}
request = function()
  local slug = slugs[math.random(#slugs)]
  local r = math.random(100)
  if r <= 10 then return wrk.format("POST", "/api/v1/articles/" .. slug .. "/views") end
  if r <= 40 then return wrk.format("GET", reads[math.random(#reads)]) end
  return wrk.format("GET", "/api/v1/articles/" .. slug)
end
LUA

scenarios=(
  "latest|/api/v1/feeds/latest?limit=10|"
  "trending|/api/v1/feeds/trending?window=24h|"
  "article|/|$data/article.lua"
  "category p3|/api/v1/articles?category=$category&page=3|"
  "search|/api/v1/articles?q=pemerintah|"
  "beacon|/|$data/beacon.lua"
  "mix 90/10|/|$data/mix.lua"
)

results="$data/results.tsv"
: >"$results"
# CPU time the server has used so far, in clock ticks (all its threads, the log writer included).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
ticks_per_second=$(getconf CLK_TCK)

# wrk's summary as "requests/s p50_ms p99_ms errors cpu_us_per_request". The server's CPU time per
# request is the steadier figure on a shared machine: other load slows the server without making
# it do more work per request.
measure() {
  local url=$1 script=$2 out before after
  before=$(cpu_ticks)
  if [ -n "$script" ]; then
    out=$("${load_cpu[@]}" wrk -t$threads -c"$connections" -d"${duration}s" --latency -s "$script" "$url")
  else
    out=$("${load_cpu[@]}" wrk -t$threads -c"$connections" -d"${duration}s" --latency "$url")
  fi
  after=$(cpu_ticks)
  echo "$out" | awk -v ticks=$((after - before)) -v hz="$ticks_per_second" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 } / 50% / { p50 = ms($2) } / 99% / { p99 = ms($2) }
    / requests in / { total = $1 }
    /Non-2xx/ { errors += $NF } /Socket errors/ { errors += 1 }
    END { cpu = 0; if (total > 0) cpu = ticks * 1e6 / hz / total; printf "%s %.3f %.3f %d %.2f\n", rps, p50, p99, errors + 0, cpu }'
}

for run in $(seq 1 "$runs"); do
  env WARTA_WORKERS=$workers BASELINE_BIND="127.0.0.1:$baseline_port" "${server_cpu[@]}" "$baseline_bin" "$data/latest.json" \
    >"$data/baseline.log" 2>&1 &
  pid=$!
  wait_for $baseline_port /
  echo -e "baseline\t-\t$run\t$(measure "http://127.0.0.1:$baseline_port/" "")" >>"$results"
  # The same with a Lua request() per call, the ceiling for the scenarios that rotate paths.
  echo -e "baseline lua\t-\t$run\t$(measure "http://127.0.0.1:$baseline_port/" "$data/mix.lua")" >>"$results"
  stop_server
  for mode in cached "cached warn" uncached; do
    case "$mode" in
      cached) start_warta ;;
      "cached warn") start_warta WARTA_LOG=warn ;;
      uncached) start_warta WARTA_RESPONSE_CACHE_SECONDS=0 WARTA_TRENDING_CACHE_SECONDS=0 ;;
    esac
    for scenario in "${scenarios[@]}"; do
      IFS='|' read -r name path script <<<"$scenario"
      echo -e "$name\t$mode\t$run\t$(measure "http://127.0.0.1:$port$path" "$script")" >>"$results"
    done
    echo -e "rss\t$mode\t$run\t$(peak_rss_mb "$pid") 0 0 0" >>"$results"
    stop_warta
  done
done

if [ "$engine" = postgres ]; then
  db_mb=$(psql "$db" -Atc "SELECT pg_database_size(current_database()) / 1048576")
else
  db_mb=$(du -cm "$db"* | awk 'END { print $1 }')
fi
python3 - "$results" <<PY
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
def median(name, mode, field):
    values = [float(r[3].split()[field]) for r in rows if r[0] == name and r[1] == mode]
    return statistics.median(values) if values else float("nan")
base = median("baseline", "-", 0)
base_lua = median("baseline lua", "-", 0)
base_cpu = median("baseline", "-", 4)
base_lua_cpu = median("baseline lua", "-", 4)
scripted = {"article", "beacon", "mix 90/10"}
print()
print(f"Warta benchmark, {'$(date -u +%Y-%m-%d)'}: $articles articles on $engine, database $db_mb MB; $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))")
print(f"wrk -t$threads -c$connections -d${duration}s, median of $runs run(s); $pinning; views deduped 0 s")
print("Warta at its defaults (WARTA_LOG=info: one access-log line per request, to a file); 'cached warn' is WARTA_LOG=warn")
print(f"baseline (bare actix-web, fixed {len(open('$data/latest.json','rb').read())}-byte latest feed): {base:,.0f} req/s; "
      f"with wrk running a Lua request() per call (the ceiling for article, beacon and mix): {base_lua:,.0f} req/s")
print()
print(f"baseline server CPU per request: {base_cpu:.2f} us ({base_lua_cpu:.2f} us with the Lua script); 'x baseline CPU' is the"
      " baseline's CPU per request over the scenario's, the same ratio measured by work instead of by time")
print()
print(f"| scenario | cache | req/s | p50 ms | p99 ms | x baseline | CPU us/req | x baseline CPU | non-2xx |")
print(f"|---|---|---:|---:|---:|---:|---:|---:|---:|")
for name in [n for n in dict.fromkeys(r[0] for r in rows) if n not in ("baseline", "baseline lua", "rss")]:
    for mode in ("cached", "cached warn", "uncached"):
        rps = median(name, mode, 0)
        ceiling = base_lua if name in scripted else base
        ceiling_cpu = base_lua_cpu if name in scripted else base_cpu
        cpu = median(name, mode, 4)
        print(f"| {name} | {mode} | {rps:,.0f} | {median(name, mode, 1):.2f} | {median(name, mode, 2):.2f} | {rps / ceiling:.2f} | {cpu:.1f} | {ceiling_cpu / cpu if cpu else float('nan'):.2f} | {median(name, mode, 3):.0f} |")
print()
print(f"peak RSS: {median('rss', 'cached', 0):.0f} MB cached, {median('rss', 'uncached', 0):.0f} MB uncached")
PY
