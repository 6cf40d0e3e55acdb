#!/usr/bin/env bash
# Fuzzes the running API from its own OpenAPI document with schemathesis (pinned), once as admin
# and once anonymously, with every check: no server errors, responses match the documented schemas,
# status codes and content types, valid requests accepted and invalid ones refused. Starts its own
# server on a fresh demo database; each run is bounded in time. Settings and the few rules a schema
# cannot state are in bench/schemathesis.toml. Exits non-zero on any failure.
#
#   bench/fuzz.sh [--examples N]     (default 25 per operation and phase; CI uses the default)
set -euo pipefail
cd "$(dirname "$0")/.."
examples=25
while [ $# -gt 0 ]; do
  case "$1" in
    --examples) examples=$2; shift 2 ;;
    *) echo "usage: bench/fuzz.sh [--examples N]" >&2; exit 2 ;;
  esac
done
target_dir=${CARGO_TARGET_DIR:-target}
venv="$target_dir/schemathesis-4.32.5"
if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==4.32.5"
fi
cargo build --release --quiet --bin warta
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
data=$(mktemp -d)
trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"' EXIT
export WARTA_DATABASE_URL="$data/warta.db" WARTA_ADMIN_EMAIL=fuzz@warta.test WARTA_LOG=warn \
  WARTA_ADMIN_PASSWORD=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n') \
  WARTA_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') WARTA_BIND=127.0.0.1:$port
"$target_dir/release/warta" seed --demo >/dev/null
"$target_dir/release/warta" serve >"$data/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
login=$(curl -sf "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"$WARTA_ADMIN_EMAIL\",\"password\":\"$WARTA_ADMIN_PASSWORD\"}")
token=$(python3 -c 'import sys, json; print(json.load(sys.stdin)["access_token"])' <<<"$login")
WARTA_FUZZ_ADMIN_ID=$(python3 -c 'import sys, json; print(json.load(sys.stdin)["user"]["id"])' <<<"$login")
export WARTA_FUZZ_ADMIN_ID
# Changing the password or logging out would end the fuzzing session's own login.
exclude='^/api/v1/auth/(me/password|logout|refresh)$'
status=0
for who in admin anonymous; do
  echo "== schemathesis as $who"
  auth=()
  [ "$who" = admin ] && auth=(--header "Authorization: Bearer $token")
  timeout 600 "$venv/bin/st" --config-file bench/schemathesis.toml run "$base/openapi.json" --checks all \
    "${auth[@]}" --max-examples "$examples" --workers 2 --exclude-path-regex "$exclude" --no-color || status=1
  # The admin run must have stayed an admin run to the end.
  if [ "$who" = admin ] && ! curl -sf "$base/api/v1/auth/me" -H "Authorization: Bearer $token" | grep -q '"role":"admin"'; then
    echo "fuzz: the admin session did not last the run" >&2
    status=1
  fi
done
if grep -q "panicked" "$data/server.log"; then
  echo "fuzz: the server panicked:" >&2
  grep -A5 "panicked" "$data/server.log" >&2
  status=1
fi
exit $status
