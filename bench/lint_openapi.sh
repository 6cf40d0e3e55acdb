#!/usr/bin/env bash
# Lints the committed OpenAPI document as code generators' projects do: Redocly CLI with its
# `recommended` ruleset and Spectral with `spectral:oas`. Both are pinned and installed with npm into
# the cargo target dir (nothing global). Exits non-zero on any error from either linter.
#
#   bench/lint_openapi.sh [SPEC]     (default openapi/openapi.json)
#
# Warnings that remain, on purpose (neither linter fails on a warning):
# - spectral operation-description (38): utoipa puts a handler's first doc paragraph into `summary`
#   and only the rest into `description`; most handlers say all there is in one paragraph, and
#   repeating it as a description would add nothing for readers or generators.
# - spectral info-contact (1): the API is self-hosted by each newsroom; there is no one contact to name.
# - redocly operation-4xx-response (4): `/healthz`, `/readyz`, `/metrics` and `/openapi.json` take no
#   input and answer no client error (readiness fails with 503, a server error).
# Node 20 is what the machine has; Redocly CLI prints a notice that its later releases need Node 22.
set -euo pipefail
cd "$(dirname "$0")/.."
spec=${1:-openapi/openapi.json}
redocly_version=2.77.0
spectral_version=6.16.3
target_dir=${CARGO_TARGET_DIR:-target}
tools="$target_dir/openapi-lint-redocly-$redocly_version-spectral-$spectral_version"
if [ ! -x "$tools/node_modules/.bin/redocly" ] || [ ! -x "$tools/node_modules/.bin/spectral" ]; then
  mkdir -p "$tools"
  echo '{"private": true}' >"$tools/package.json"
  npm install --prefix "$tools" --no-audit --no-fund --loglevel=error --save-exact \
    "@redocly/cli@$redocly_version" "@stoplight/spectral-cli@$spectral_version" >/dev/null
fi
echo 'extends: ["spectral:oas"]' >"$tools/spectral.yaml"
status=0
echo "== redocly lint (recommended) $spec"
# No telemetry or update check from CI.
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  "$tools/node_modules/.bin/redocly" lint --extends recommended --format stylish "$spec" || status=1
echo "== spectral lint (spectral:oas) $spec"
"$tools/node_modules/.bin/spectral" lint --ruleset "$tools/spectral.yaml" --fail-severity error "$spec" || status=1
exit $status
