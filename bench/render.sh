#!/usr/bin/env bash
# The render benchmark: the worst article bodies that fit under the request size limit (deep
# nesting, many elements, footnote bombs, long tables, entity and escape bombs, syntax and pieces
# just under each work limit, and a megabyte of prose, in Markdown and HTML), each rendered and
# sanitized as a write does; prints the median time of each and whether it is stored or refused
# with 422, then a last line with the worst median and whether it is under 100 ms (the target of
# issue #10). Runs in-process: no server, no database. Builds in release mode.
#
#   bench/render.sh [MAX_BODY_BYTES (default 1048576, WARTA_MAX_BODY_BYTES's default)] [RUNS (default 5)]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --quiet --example render_bench -- "${1:-1048576}" "${2:-5}"
