#!/usr/bin/env bash
# Memory after failed logins: starts the release binary on an empty database, prints its RSS, sends
# N failed logins (default 500; 8 at a time, each from its own forwarded address and for an unknown
# email, so throttling never stops the password check) and prints RSS again, and the peak.
# Every failed login runs one argon2id verification (19 MiB of working memory).
#
#   bench/login_rss.sh [N]              WARTA_BIN=path/to/warta to measure another build
set -euo pipefail
cd "$(dirname "$0")/.."

attempts=${1:-500} parallel=8 port=18280
target_dir=${CARGO_TARGET_DIR:-target}
bin=${WARTA_BIN:-$target_dir/release/warta}
if [ -z "${WARTA_BIN:-}" ]; then cargo build --release --quiet --bin warta; fi

data=$(mktemp -d)
pid=""
stop() { if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; rm -rf "$data"; }
trap stop EXIT

WARTA_DATABASE_URL="$data/warta.db" WARTA_BIND="127.0.0.1:$port" WARTA_LOG=warn \
  WARTA_ADMIN_EMAIL=admin@warta.test WARTA_ADMIN_PASSWORD=admin-password-for-rss \
  WARTA_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
  WARTA_TRUSTED_PROXIES=127.0.0.1 "$bin" serve >"$data/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done

rss_mb() { awk -v key="$2" '$1 == key":" { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
echo "cores: $(nproc); binary: $bin"
echo "RSS before: $(rss_mb $pid VmRSS) MB"
seq 1 "$attempts" | xargs -P "$parallel" -I{} sh -c '
  i={}; ip="10.$((i / 65536 % 256)).$((i / 256 % 256)).$((i % 256))"
  curl -s -o /dev/null -w "%{http_code}\n" "http://127.0.0.1:'$port'/api/v1/auth/login" \
    -H "content-type: application/json" -H "x-forwarded-for: $ip" \
    -d "{\"email\":\"nobody$i@warta.test\",\"password\":\"wrong password $i\"}"' | sort | uniq -c |
  awk '{ printf "answers: %s x %s\n", $1, $2 }'
echo "RSS after $attempts failed logins: $(rss_mb $pid VmRSS) MB (peak $(rss_mb $pid VmHWM) MB)"
