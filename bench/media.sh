#!/usr/bin/env bash
# The media library's benchmark (issue #12), on the release binary with default settings (access
# log on), a fresh SQLite database and media folder:
#   1. uploads of a 12-megapixel photo-like JPEG (each a different picture, so none is a repeat):
#      seconds per upload (median of 5) and the server's peak RSS;
#   2. read p99 of the latest feed while 4 uploads run at once, against the same without uploads;
#   3. serving a variant (the 1280-wide WebP) against a bare actix NamedFile server of the same
#      file (examples/file_baseline.rs), median of 3 runs each, both pinned to core 0 with one worker;
#   4. WebP against JPEG at equal SSIM, 1280 wide (examples/media_quality.rs).
#
#   bench/media.sh [--duration SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=5
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    *) echo "usage: bench/media.sh [--duration SECONDS]" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "bench: wrk is needed (apt-get install wrk)" >&2; exit 1; }
cargo build --release --quiet --bin warta --example file_baseline --example media_quality
target_dir=${CARGO_TARGET_DIR:-target}
bin=$target_dir/release/warta
tool=$target_dir/release/examples/media_quality
data=$(mktemp -d)
pid="" base_pid=""
cleanup() {
  for p in $pid $base_pid; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$data"
}
trap cleanup EXIT
port=18280
password=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
export WARTA_DATABASE_URL="$data/warta.db" WARTA_MEDIA_DIR="$data/media" WARTA_ADMIN_EMAIL=bench@warta.test \
  WARTA_ADMIN_PASSWORD="$password" WARTA_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
  WARTA_BIND="127.0.0.1:$port"
"$bin" serve >"$data/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
api="http://127.0.0.1:$port/api/v1"
token=$(curl -sf "$api/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"bench@warta.test\",\"password\":\"$password\"}" | python3 -c 'import sys, json; print(json.load(sys.stdin)["access_token"])')
for i in $(seq 1 9); do "$tool" photo "$data/photo-$i.jpg" 4000 3000 "$i"; done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
upload() { curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" -F "file=@$1" "$api/media"; }

echo "== 1. upload of a 12 MP JPEG ($(du -k "$data/photo-1.jpg" | cut -f1) KB, 4000x3000), all variants"
rss_before=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
times=$(for i in 1 2 3 4 5; do upload "$data/photo-$i.jpg"; done)
echo "   seconds: $(echo $times)  median $(echo "$times" | median)"
echo "   server RSS before ${rss_before} MB, peak $(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status") MB"

echo "== 2. latest-feed read p99 (wrk -t1 -c8 -d${duration}s), alone and with 4 uploads at once"
read_p99() { wrk -t1 -c8 -d"${duration}s" --latency "$api/feeds/latest?limit=10" | awk '/ 99% / { print $2 }'; }
echo "   alone: p99 $(read_p99)"
( end=$((SECONDS + duration + 1)); while [ $SECONDS -lt $end ]; do
    for i in 6 7 8 9; do upload "$data/photo-$i.jpg" >/dev/null & done; wait
    # The same bytes again are answered from the library: new bytes each round.
    for i in 6 7 8 9; do printf 'x' >>"$data/photo-$i.jpg"; done
  done ) &
loader=$!
sleep 0.5
echo "   with 4 concurrent uploads: p99 $(read_p99)"
wait "$loader" 2>/dev/null || true

echo "== 3. serving the 1280-wide WebP variant, one worker on core 0, wrk -t1 -c32 -d${duration}s on core 1"
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
WARTA_WORKERS=1 taskset -c 0 "$bin" serve >"$data/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
key=$(curl -sf -H "Authorization: Bearer $token" "$api/media?per_page=1" | python3 -c '
import sys, json
item = json.load(sys.stdin)["data"][0]
print(next(v["url"] for v in item["variants"] if v["width"] == 1280 and v["mime_type"] == "image/webp").split("/media/", 1)[1])')
BASELINE_BIND=127.0.0.1:18291 WARTA_WORKERS=1 taskset -c 0 "$target_dir/release/examples/file_baseline" "$data/media/$key" \
  >/dev/null 2>&1 &
base_pid=$!
for _ in $(seq 1 200); do curl -sf -o /dev/null "http://127.0.0.1:18291/" && break; sleep 0.05; done
# Requests/s, refusing a run with any answer other than 200 (a 404 is cheaper than a file).
rps() {
  taskset -c 1 wrk -t1 -c32 -d"${duration}s" "$1" |
    awk '/Non-2xx|Socket errors/ { bad = $0 } /Requests\/sec/ { r = $2 } END { if (bad) { print "bench: " bad > "/dev/stderr"; exit 1 } print r }'
}
curl -sf -o /dev/null -w '   Warta answers %{http_code} with %{size_download} bytes\n' "http://127.0.0.1:$port/media/$key"
curl -sf -o /dev/null -w '   the baseline answers %{http_code} with %{size_download} bytes\n' "http://127.0.0.1:18291/x"
warta=() base=()
for run in 1 2 3; do
  base+=("$(rps "http://127.0.0.1:18291/x")")
  warta+=("$(rps "http://127.0.0.1:$port/media/$key")")
done
w=$(printf '%s\n' "${warta[@]}" | median) b=$(printf '%s\n' "${base[@]}" | median)
echo "   file $(du -k "$data/media/$key" | cut -f1) KB; Warta ${warta[*]} req/s (median $w); NamedFile ${base[*]} (median $b)"
echo "   Warta / bare NamedFile: $(python3 -c "print(f'{$w / $b:.2f}')")"

echo "== 4. WebP against JPEG at equal SSIM, 1280 wide"
"$tool" compare "$data/photo-1.jpg"
for photo in /usr/share/backgrounds/gnome/wood-l.webp; do
  [ -f "$photo" ] && "$tool" compare "$photo"
done
