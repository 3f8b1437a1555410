#!/usr/bin/env bash
# Throughput of `scopelink link --har` in MB/s, beside `wc -c` on the same file
# and `wc -l`, which reads every byte (GNU `wc -c` on a regular file only asks
# its size): the floor, the cost of reading the bytes at all. Generates a HAR of
# about SIZE_MB (default 100) in a temp dir: many entries with large response
# bodies and an Authorization header, as browsers save them. Each command runs
# RUNS times (default 3) on the warm file; the best wall time counts.
#
# Usage: scripts/har-throughput.sh [SIZE_MB]
# Env:   HAR_BODY_BYTES  response body bytes per entry (default 65536)
#        RUNS            runs per command (default 3)
#        KEEP_HARS=1     keep the generated file
#        SCOPELINK_BIN   the binary to measure (default: build target/release/scopelink)
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${1:-100}
BODY_BYTES=${HAR_BODY_BYTES:-65536}
RUNS=${RUNS:-3}
BIN=${SCOPELINK_BIN:-}
if [ -z "$BIN" ]; then
  cargo build --release --quiet --locked --bin scopelink
  BIN=target/release/scopelink
fi

WORK=$(mktemp -d /tmp/scopelink-har-throughput.XXXXXX)
cleanup() { if [ "${KEEP_HARS:-0}" = 1 ]; then echo "har-throughput: file kept in $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
HAR="$WORK/traffic.har"

echo "har-throughput: $(python3 scripts/make-har.py "$SIZE" "$HAR" "$BODY_BYTES") entries" >&2
BYTES=$(stat -c %s "$HAR")

# Best wall time in seconds of RUNS runs of the command.
best_secs() {
  local best= start end secs _
  for _ in $(seq 1 "$RUNS"); do
    start=$(date +%s.%N)
    "$@" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
    end=$(date +%s.%N)
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }')
    if [ -z "$best" ] || awk -v a="$secs" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$secs; fi
  done
  echo "$best"
}

cat "$HAR" >/dev/null # warm the page cache
wc_secs=$(best_secs wc -c "$HAR")
wcl_secs=$(best_secs wc -l "$HAR")
cli_secs=$(best_secs "$BIN" link --har "$HAR")
grep -q "create-private-api-key?scopes=" "$WORK/out" || { echo "har-throughput: no link in the answer" >&2; exit 1; }
if grep -q "pk_0123" "$WORK/out" "$WORK/err"; then echo "har-throughput: the key leaked" >&2; exit 1; fi

mb=$(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1e6 }')
printf '%-32s %8s %10s %10s\n' command "MB" "best s" "MB/s"
printf '%-32s %8s %10s %10s\n' "wc -c" "$mb" "$wc_secs" "$(awk -v b="$BYTES" -v s="$wc_secs" 'BEGIN { printf "%.0f", b / 1e6 / s }')"
printf '%-32s %8s %10s %10s\n' "wc -l" "$mb" "$wcl_secs" "$(awk -v b="$BYTES" -v s="$wcl_secs" 'BEGIN { printf "%.0f", b / 1e6 / s }')"
printf '%-32s %8s %10s %10s\n' "scopelink link --har" "$mb" "$cli_secs" "$(awk -v b="$BYTES" -v s="$cli_secs" 'BEGIN { printf "%.0f", b / 1e6 / s }')"
