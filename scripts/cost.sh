#!/usr/bin/env bash
# The server's cost per request, in instructions counted by valgrind's callgrind
# (deterministic to about 1%, unlike wall time on a shared 2-core machine), as
# ratios to a bare actix-web 4 server (examples/bare_actix.rs) measured in the
# same run. Builds both in release mode, runs every case on 127.0.0.1 only.
#
# Usage: scripts/cost.sh [--json FILE] [--case TEXT]... [--keep DIR]
#   Prints a Markdown table: instructions per request for each case, and the
#   ratios the "cold path" issue sets as targets. Takes a few minutes.
#   --case measures only the cases whose names contain TEXT (and the bases
#   their ratios need); --keep DIR keeps the callgrind files, which
#   scripts/cost/diff.py turns into a per-request profile by function.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
cargo build --release --locked --bin scopelink --example bare_actix
exec python3 scripts/cost/measure.py \
  --scopelink target/release/scopelink \
  --bare target/release/examples/bare_actix \
  --repo "$PWD" "$@"
