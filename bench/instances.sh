#!/usr/bin/env bash
# Several instances on one PostgreSQL database, as "Running several instances" in the README sets
# them up: the view beacon's throughput with 1 and with 3 instances (one wrk per instance, all at
# once, their requests/s added up), and how long a write made on one instance takes to show on the
# others (p50 and p99 of the lag, from the write's 201 to the article in the other instances'
# latest feed, cached as readers get it). Warta at its defaults, access logs on.
#
#   bench/instances.sh [--articles N] [--duration SECONDS] [--writes W]
#
# The database is `bench/run.sh --database postgres`'s (`warta_bench_N`), seeded by it when absent.
set -euo pipefail
cd "$(dirname "$0")/.."

articles=2000 duration=10 writes=200 connections=32
while [ $# -gt 0 ]; do
  case "$1" in
    --articles) articles=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --writes) writes=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

command -v wrk >/dev/null || { (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null; }
cargo build --release --quiet --bin warta
target_dir=${CARGO_TARGET_DIR:-target}
bin=$target_dir/release/warta
server=${WARTA_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}
data="$target_dir/bench-data/pg-$articles"
db="$server/warta_bench_$articles"
if [ ! -f "$data/ready" ]; then
  bash bench/run.sh --database postgres --articles "$articles" --duration 1 --runs 1 >/dev/null
fi

secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
password=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
email="lag-$password@warta.test"
export WARTA_DATABASE_URL="$db" WARTA_JWT_SECRET="$secret" WARTA_VIEW_DEDUPE_SECONDS=0
unset WARTA_LOG
ports=(18281 18282 18283)
pids=()
stop_all() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; pids=(); }
trap stop_all EXIT

start() { # start N: the first N instances
  for port in "${ports[@]:0:$1}"; do
    WARTA_BIND="127.0.0.1:$port" WARTA_WORKERS=1 "$bin" serve >"$data/instance-$port.log" 2>&1 &
    pids+=($!)
  done
  for port in "${ports[@]:0:$1}"; do
    for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.05; done
  done
}

echo "$password" | "$bin" user create --email "$email" --name "Bench Lag" --role editor >/dev/null

start 1
slugs=$(curl -sf "http://127.0.0.1:${ports[0]}/api/v1/articles?per_page=100" |
  python3 -c 'import sys, json; print(" ".join("\"%s\"," % a["slug"] for a in json.load(sys.stdin)["data"]))')
cat >"$data/beacon-instances.lua" <<LUA
slugs = {$slugs}
wrk.headers["User-Agent"] = "Mozilla/5.0 (bench)"
request = function() return wrk.format("POST", "/api/v1/articles/" .. slugs[math.random(#slugs)] .. "/views") end
LUA
rps() { awk '/Requests\/sec/ { print $2 }'; }

one=$(wrk -t2 -c$connections -d"${duration}s" -s "$data/beacon-instances.lua" "http://127.0.0.1:${ports[0]}" | rps)
stop_all
start 3
outs=() loads=()
for port in "${ports[@]}"; do
  out=$(mktemp); outs+=("$out")
  wrk -t1 -c$((connections / 3 + 1)) -d"${duration}s" -s "$data/beacon-instances.lua" "http://127.0.0.1:$port" >"$out" &
  loads+=($!)
done
wait "${loads[@]}"
three=$(cat "${outs[@]}" | rps | awk '{ s += $1 } END { printf "%.0f", s }')
rm -f "${outs[@]}"

lags=$(python3 - "${ports[@]}" "$email" "$password" "$writes" <<'PY'
import json, statistics, sys, time, urllib.request
a, b, c, email, password, writes = sys.argv[1:7]
def call(port, method, path, body=None, token=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")
token = call(a, "POST", "/api/v1/auth/login", {"email": email, "password": password})["access_token"]
category = call(a, "GET", "/api/v1/categories")["data"][0]["id"]
author = call(a, "GET", "/api/v1/authors")["data"][0]["id"]
lags = []
for n in range(int(writes)):
    for port in (b, c):  # warm the caches that the write must empty
        call(port, "GET", "/api/v1/feeds/latest?limit=5")
    title = f"Lag {n} {time.time()}"
    call(a, "POST", "/api/v1/articles", {"title": title, "body": "Isi.", "status": "published",
         "category_id": category, "author_ids": [author]}, token)
    acknowledged = time.perf_counter()
    pending = {b, c}
    while pending:
        for port in list(pending):
            feed = call(port, "GET", "/api/v1/feeds/latest?limit=5")
            if any(item["title"] == title for item in feed["data"]):
                lags.append((time.perf_counter() - acknowledged) * 1000)
                pending.discard(port)
        time.sleep(0.002)
lags.sort()
p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))]
print(f"{statistics.median(lags):.0f} {p99:.0f} {max(lags):.0f} {len(lags)}")
PY
)
read -r p50 p99 worst samples <<<"$lags"
echo
echo "Warta on PostgreSQL, several instances, $(date -u +%Y-%m-%d): $articles articles; $(nproc) cores; each instance 1 worker, at its defaults (access log on), WARTA_VIEW_DEDUPE_SECONDS=0"
echo "| measure | figure |"
echo "|---|---:|"
echo "| beacon, 1 instance (wrk -t2 -c$connections) | $one views/s |"
echo "| beacon, 3 instances (one wrk -t1 each, added) | $three views/s |"
echo "| write on one instance shown in the cached latest feed of the two others, p50 | $p50 ms |"
echo "| the same, p99 ($samples samples, worst $worst ms) | $p99 ms |"
