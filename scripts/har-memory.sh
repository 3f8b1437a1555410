#!/usr/bin/env bash
# Measures that `link --har` and POST /v1/links/from-har stream a HAR in
# bounded memory: generates HARs of each size (default 10 and 100 MB; many
# entries with large response bodies and an Authorization header) in a temp
# dir, then for each reports wall time and peak RSS of
#   - `target/release/scopelink link --har FILE` under /usr/bin/time -v, and
#   - a fresh release server answering one curl POST of the file (its VmHWM
#     from /proc/PID/status, and its VmHWM before the POST),
# and the ratio of the largest to the smallest size's peak RSS.
#
# Usage: scripts/har-memory.sh [SIZE_MB...]      (e.g. scripts/har-memory.sh 10 100)
# Env:   HAR_BODY_BYTES  response body bytes per entry (default 65536; 512 gives
#                        ~10x more entries, each with a distinct profile ID)
#        KEEP_HARS=1     keep the generated files
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10 100)
BODY_BYTES=${HAR_BODY_BYTES:-65536}

if [ ! -x /usr/bin/time ]; then
  echo "har-memory: installing GNU time" >&2
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq time >/dev/null; else sudo apt-get install -y -qq time >/dev/null; fi
fi
cargo build --release --quiet --bin scopelink
BIN=target/release/scopelink

WORK=$(mktemp -d /tmp/scopelink-har-memory.XXXXXX)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ "${KEEP_HARS:-0}" = 1 ]; then echo "har-memory: files kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# Writes a HAR of about $1 MB to $2, one entry at a time.
generate() {
  python3 scripts/make-har.py "$1" "$2" "$BODY_BYTES"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
vmhwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

declare -A CLI_RSS SERVER_RSS
printf '%-8s %-9s %-13s %-14s %-13s %-16s %-16s\n' "size_MB" "entries" "cli_wall_s" "cli_maxrss_MB" "http_wall_s" "server_idle_MB" "server_peak_MB"
for size in "${SIZES[@]}"; do
  har="$WORK/traffic-$size.har"
  entries=$(generate "$size" "$har")
  bytes=$(stat -c %s "$har")

  # The command line.
  /usr/bin/time -v "$BIN" link --har "$har" >"$WORK/cli.out" 2>"$WORK/cli.err" || { cat "$WORK/cli.err" >&2; exit 1; }
  grep -q "create-private-api-key?scopes=" "$WORK/cli.out"
  if grep -q "pk_0123" "$WORK/cli.out" "$WORK/cli.err"; then echo "har-memory: the key leaked" >&2; exit 1; fi
  cli_rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/cli.err")
  cli_wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/cli.err" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')

  # A fresh server per size, so its peak memory is this request's.
  port=$(free_port)
  SCOPELINK_WORKERS=1 RUST_LOG=warn "$BIN" serve --bind "127.0.0.1:$port" --request-timeout-secs 60 >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.05; done
  idle_kb=$(vmhwm_kb "$SERVER_PID")
  http_wall=$(curl -s -o "$WORK/http.out" -w '%{http_code} %{time_total}' -X POST \
    -H 'content-type: application/json' -H 'Expect:' -T "$har" "http://127.0.0.1:$port/v1/links/from-har")
  status=${http_wall%% *}
  [ "$status" = 200 ] || { echo "har-memory: the server answered $status" >&2; head -c 600 "$WORK/http.out" >&2; exit 1; }
  if grep -q "pk_0123" "$WORK/http.out"; then echo "har-memory: the key leaked" >&2; exit 1; fi
  peak_kb=$(vmhwm_kb "$SERVER_PID")
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=

  CLI_RSS[$size]=$cli_rss_kb
  SERVER_RSS[$size]=$peak_kb
  printf '%-8s %-9s %-13s %-14s %-13s %-16s %-16s\n' "$((bytes / 1024 / 1024))" "$entries" "$cli_wall" \
    "$(awk "BEGIN {printf \"%.1f\", $cli_rss_kb/1024}")" "${http_wall#* }" \
    "$(awk "BEGIN {printf \"%.1f\", $idle_kb/1024}")" "$(awk "BEGIN {printf \"%.1f\", $peak_kb/1024}")"
  rm -f "$har"
done

if [ ${#SIZES[@]} -ge 2 ]; then
  small=${SIZES[0]}; large=${SIZES[-1]}
  awk "BEGIN {printf \"peak RSS ratio %s MB / %s MB: cli %.2f, server %.2f\n\", $large, $small, ${CLI_RSS[$large]}/${CLI_RSS[$small]}, ${SERVER_RSS[$large]}/${SERVER_RSS[$small]}}"
fi
