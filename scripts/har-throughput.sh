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

python3 - "$SIZE" "$HAR" "$BODY_BYTES" <<'PY'
import json, sys
target = int(sys.argv[1]) * 1024 * 1024
path, body_bytes = sys.argv[2], int(sys.argv[3])
key = "pk_" + "0123456789abcdef" * 2 + "01"
body = json.dumps({"data": [{"type": "profile", "id": "01HX", "attributes": {"bio": "x\"y\\z " * (body_bytes // 8)}}], "echo": key})
urls = [
    "https://a.klaviyo.com/api/profiles/01HX{n:06d}?include=lists&fields[profile]=email",
    "https://a.klaviyo.com/api/lists?page[cursor]={n}",
    "https://a.klaviyo.com/api/events?include=metric,profile&filter=greater-than(datetime,2026-01-01)",
    "https://www.google-analytics.com/g/collect?v=2&tid={n}",
    "https://cdn{m}.example.com/static/app.{n}.js",
    "https://a.klaviyo.com/client/subscriptions?company_id=ABC123",
]
written = 0
with open(path, "w") as out:
    out.write('{"log": {"version": "1.2", "creator": {"name": "har-throughput", "version": "1"}, "entries": [')
    n = 0
    while written < target:
        method = "POST" if n % len(urls) == 5 else ("OPTIONS" if n % 50 == 49 else "GET")
        entry = {
            "startedDateTime": "2026-07-20T10:00:00.000Z", "time": 12.5,
            "request": {"method": method, "url": urls[n % len(urls)].format(n=n, m=n % 9), "httpVersion": "HTTP/1.1",
                        "headers": [{"name": "Authorization", "value": "Klaviyo-API-Key " + key},
                                    {"name": "revision", "value": "2026-07-15"}],
                        "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
            "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
                         "content": {"size": len(body), "mimeType": "application/json", "text": body},
                         "redirectURL": "", "headersSize": -1, "bodySize": len(body)},
            "cache": {}, "timings": {"send": 0, "wait": 10, "receive": 2},
        }
        text = ("," if n else "") + json.dumps(entry)
        out.write(text)
        written += len(text)
        n += 1
    out.write("]}}\n")
print(f"har-throughput: {n} entries", file=sys.stderr)
PY
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
