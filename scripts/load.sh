#!/usr/bin/env bash
# Load test for the scopelink HTTP server, driven by wrk.
#
# Starts target/release/scopelink on a free 127.0.0.1 port, waits for
# GET /readyz, runs bounded wrk scenarios against it, prints a summary table
# and stops the server on exit. Only 127.0.0.1 is ever targeted.
#
# Usage: scripts/load.sh [--quick] [--soak] [--build] [--help]
#   (default)  benchmark: /healthz baseline, POST /v1/links with 1/5/100
#              operations, GET /go; req/s, latency, errors, ratio to /healthz,
#              peak server memory, informational PASS/FAIL targets. Then the
#              cold path: 5 and 100 ops with a unique ID in every request, and
#              (on a second server, SCOPELINK_ANSWER_CACHE_BYTES=0) with the
#              answer cache off.
#   --quick    2s per benchmark scenario (soak: 15s unless SOAK_DURATION set).
#   --soak     one bounded soak at 256 connections with a valid/invalid mix;
#              checks zero 5xx, zero socket errors and steady memory.
#   --build    run `cargo build --release --locked` first (also done
#              automatically when the binary is missing).
#
# Environment (defaults in brackets):
#   DURATION [10s]  CONNECTIONS [32]  THREADS [2]       per benchmark scenario
#   WARMUP [2s]     unrecorded warm-up before the benchmark scenarios
#   SOAK_DURATION [60s]  SOAK_CONNECTIONS [256]
#   WRK_TIMEOUT [5s]     wrk socket/request timeout (a timeout is an error)
#   READY_TIMEOUT [30]   seconds to wait for GET /readyz = 200
#   BUILD_TIMEOUT [1800] seconds allowed for cargo build
#   SCOPELINK_BIN [target/release/scopelink]  server binary to run
#   WORKERS              passed as `--workers N` when set
#   SCOPELINK_ARGS       extra server arguments (word-split)
#   RUST_LOG [warn]      server log filter (keeps access logs out of the run)
#   KEEP_LOGS [0]        1 keeps the work directory even on success
#
# Exit status: benchmark: non-zero on socket errors or non-2xx/3xx responses
# (every benchmark request is valid, so any such response is a server fault);
# targets are informational. Soak: non-zero on any 5xx, any socket error, or
# memory that is not steady.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
LOAD_DIR="$SCRIPT_DIR/load"
readonly SCRIPT_DIR REPO_ROOT LOAD_DIR
readonly HOST=127.0.0.1

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-2s}
SOAK_DURATION=${SOAK_DURATION:-}
SOAK_CONNECTIONS=${SOAK_CONNECTIONS:-256}
WRK_TIMEOUT=${WRK_TIMEOUT:-5s}
READY_TIMEOUT=${READY_TIMEOUT:-30}
BUILD_TIMEOUT=${BUILD_TIMEOUT:-1800}
SCOPELINK_BIN=${SCOPELINK_BIN:-}
KEEP_LOGS=${KEEP_LOGS:-0}

# Informational targets for the benchmark.
readonly TARGET_5OPS_RATIO=0.90 TARGET_100OPS_RATIO=0.33 TARGET_RSS_MIB=32

MODE=bench
QUICK=0
BUILD=0
SERVER_PID=
SAMPLER_PID=
WRK_PID=
RESULT_LINE=
PORT=
BASE_URL=
WORK_DIR=

# Benchmark scenarios: name|label|method|path|content-type|body file|expected status|mode
# Mode `cold` makes every request body unique (a new catalog-item ID each time), so
# none is answered from the server's answer cache: the cost of resolving afresh.
# Mode `off` runs on a second server started with the answer cache off
# (SCOPELINK_ANSWER_CACHE_BYTES=0): the same request, resolved every time.
readonly SCENARIOS=(
  "healthz|GET /healthz|GET|/healthz|-|-|200|-"
  "links_1|POST /v1/links (1 op)|POST|/v1/links|application/json|links_1.json|200|-"
  "links_5|POST /v1/links (5 ops)|POST|/v1/links|application/json|links_5.json|200|-"
  "links_100|POST /v1/links (100 ops)|POST|/v1/links|application/json|links_100.json|200|-"
  "go_3|GET /go (3 ops, 302)|GET|/go?op=get_profiles&op=get_lists&op=POST%20/api/lists|-|-|302|-"
  "links_5_cold|POST /v1/links (5 ops, unique IDs)|POST|/v1/links|application/json|links_5.json|200|cold"
  "links_100_cold|POST /v1/links (100 ops, unique IDs)|POST|/v1/links|application/json|links_100.json|200|cold"
  "links_1_off|POST /v1/links (1 op, cache off)|POST|/v1/links|application/json|links_1.json|200|off"
  "links_5_off|POST /v1/links (5 ops, cache off)|POST|/v1/links|application/json|links_5.json|200|off"
  "links_100_off|POST /v1/links (100 ops, cache off)|POST|/v1/links|application/json|links_100.json|200|off"
)
# Extra environment of the server being started (`off` scenarios set the cache off).
SERVER_ENV=()

# ---------------------------------------------------------------- helpers --

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARN: %s\n' "$*" >&2; }
die() {
  printf 'ERROR: %s\n' "$*" >&2
  exit 1
}

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

parse_args() {
  while (($#)); do
    case $1 in
      --quick) QUICK=1 ;;
      --soak) MODE=soak ;;
      --build) BUILD=1 ;;
      -h | --help)
        usage
        exit 0
        ;;
      *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
  done
  if ((QUICK)); then
    DURATION=2s
    WARMUP=1s
    SOAK_DURATION=${SOAK_DURATION:-15s}
  fi
  SOAK_DURATION=${SOAK_DURATION:-60s}
  [[ $CONNECTIONS =~ ^[0-9]+$ && $THREADS =~ ^[0-9]+$ && $SOAK_CONNECTIONS =~ ^[0-9]+$ ]] ||
    die "CONNECTIONS, THREADS and SOAK_CONNECTIONS must be integers"
  ((THREADS >= 1 && CONNECTIONS >= THREADS && SOAK_CONNECTIONS >= THREADS)) ||
    die "need THREADS >= 1 and CONNECTIONS, SOAK_CONNECTIONS >= THREADS"
  local d
  for d in "$DURATION" "$WARMUP" "$SOAK_DURATION" "$WRK_TIMEOUT"; do
    duration_to_seconds "$d" >/dev/null
  done
}

# "10" / "10s" / "2m" / "1h" -> whole seconds (wrk's time syntax).
duration_to_seconds() {
  local d=$1
  [[ $d =~ ^([0-9]+)([smh]?)$ ]] || die "bad duration '$d' (use e.g. 10s, 2m)"
  case ${BASH_REMATCH[2]} in
    m) echo $((BASH_REMATCH[1] * 60)) ;;
    h) echo $((BASH_REMATCH[1] * 3600)) ;;
    *) echo $((BASH_REMATCH[1])) ;;
  esac
}

# Install a Debian package quietly (apt-get update only if the first try fails).
apt_install() {
  local pkg=$1 sudo=()
  command -v apt-get >/dev/null || die "$pkg is missing and apt-get is unavailable"
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "$pkg is missing; install it (needs root)"
    sudo=(sudo)
  fi
  log "installing $pkg"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get install -y -qq "$pkg" >/dev/null 2>&1 ||
    { "${sudo[@]}" apt-get update -qq >/dev/null 2>&1 &&
      "${sudo[@]}" apt-get install -y -qq "$pkg" >/dev/null 2>&1; } ||
    die "could not install $pkg"
}

ensure_tools() {
  command -v wrk >/dev/null || apt_install wrk
  command -v curl >/dev/null || apt_install curl
  command -v timeout >/dev/null || die "coreutils 'timeout' is required"
}

ensure_binary() {
  if [[ -n $SCOPELINK_BIN ]]; then
    [[ -x $SCOPELINK_BIN ]] || die "SCOPELINK_BIN=$SCOPELINK_BIN is not executable"
    ((BUILD == 0)) || warn "--build ignored: SCOPELINK_BIN is set"
    return
  fi
  SCOPELINK_BIN="$REPO_ROOT/target/release/scopelink"
  if ((BUILD)) || [[ ! -x $SCOPELINK_BIN ]]; then
    command -v cargo >/dev/null || die "cargo not found; cannot build $SCOPELINK_BIN"
    log "building: cargo build --release --locked"
    (cd "$REPO_ROOT" && timeout "$BUILD_TIMEOUT" cargo build --release --locked) ||
      die "cargo build failed"
    [[ -x $SCOPELINK_BIN ]] || die "build did not produce $SCOPELINK_BIN"
  fi
}

# Raise the open-file limit for many connections (server inherits it).
raise_nofile() {
  local want=$1 cur
  cur=$(ulimit -n)
  if [[ $cur != unlimited ]] && ((cur < want)); then
    ulimit -n "$want" 2>/dev/null || ulimit -n "$(ulimit -Hn)" ||
      warn "could not raise ulimit -n (now $(ulimit -n))"
  fi
}

# ----------------------------------------------------------------- server --

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# A random port below the usual ephemeral range (32768+), which wrk's own
# client sockets use.
pick_free_port() {
  local port _
  for _ in {1..50}; do
    port=$((20000 + RANDOM % 12000))
    if ! port_in_use "$port"; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found"
}

# Return 0 once GET /readyz answers 200; 1 if the server exited; die on timeout.
wait_ready() {
  local deadline=$((SECONDS + READY_TIMEOUT)) code
  while ((SECONDS < deadline)); do
    kill -0 "$SERVER_PID" 2>/dev/null || return 1
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$BASE_URL/readyz" || true)
    [[ $code == 200 ]] && return 0
    sleep 0.1
  done
  tail -n 20 "$WORK_DIR/server.log" >&2 || true
  die "server not ready within ${READY_TIMEOUT}s ($BASE_URL/readyz)"
}

start_server() {
  local args=(serve --bind) extra=() attempt
  if [[ -n ${SCOPELINK_ARGS:-} ]]; then read -r -a extra <<<"$SCOPELINK_ARGS"; fi
  for attempt in 1 2 3 4 5; do
    PORT=$(pick_free_port)
    BASE_URL="http://$HOST:$PORT"
    local cmd=("$SCOPELINK_BIN" "${args[@]}" "$HOST:$PORT" --rate-limit-per-minute 0)
    if [[ -n ${WORKERS:-} ]]; then cmd+=(--workers "$WORKERS"); fi
    cmd+=("${extra[@]}")
    log "starting (attempt $attempt): ${cmd[*]}"
    env "${SERVER_ENV[@]}" RUST_LOG="${RUST_LOG:-warn}" "${cmd[@]}" >>"$WORK_DIR/server.log" 2>&1 &
    SERVER_PID=$!
    if wait_ready; then
      log "server ready on $BASE_URL (pid $SERVER_PID)"
      return 0
    fi
    local status=0
    wait "$SERVER_PID" 2>/dev/null || status=$?
    SERVER_PID=
    # Retry on another port only if it was taken between the check and the bind.
    if ! grep -qi 'in use' "$WORK_DIR/server.log"; then
      tail -n 20 "$WORK_DIR/server.log" >&2 || true
      die "server exited (status $status) before becoming ready; its log is above"
    fi
  done
  die "could not bind a free port after 5 attempts"
}

stop_server() {
  [[ -n $SERVER_PID ]] || return 0
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    local i
    for i in {1..50}; do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then kill -KILL "$SERVER_PID" 2>/dev/null || true; fi
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

assert_server_alive() {
  kill -0 "$SERVER_PID" 2>/dev/null && return 0
  tail -n 20 "$WORK_DIR/server.log" >&2 || true
  die "server (pid $SERVER_PID) died during '$1'"
}

cleanup() {
  local rc=$?
  if [[ -n $WRK_PID ]]; then
    kill -TERM "$WRK_PID" 2>/dev/null || true
    wait "$WRK_PID" 2>/dev/null || true
  fi
  stop_sampler
  stop_server
  if [[ -n $WORK_DIR && -d $WORK_DIR ]]; then
    if ((rc == 0)) && [[ $KEEP_LOGS != 1 ]]; then
      rm -rf -- "$WORK_DIR"
    else
      printf 'Logs kept in %s\n' "$WORK_DIR" >&2
    fi
  fi
  exit "$rc"
}

# ----------------------------------------------------------------- memory --

# Field from /proc/PID/status in KiB (empty if the process is gone).
proc_kib() { awk -v f="$2:" '$1 == f { print $2; exit }' "/proc/$1/status" 2>/dev/null || true; }

mib() { awk -v k="${1:-0}" 'BEGIN { printf "%.1f", k / 1024 }'; }

# Append the server's VmRSS (KiB) to FILE every INTERVAL seconds.
start_sampler() {
  local file=$1 interval=$2 pid=$SERVER_PID
  : >"$file"
  (
    while kill -0 "$pid" 2>/dev/null; do
      rss=$(proc_kib "$pid" VmRSS)
      if [[ -n $rss ]]; then echo "$rss" >>"$file"; fi
      sleep "$interval"
    done
  ) &
  SAMPLER_PID=$!
}

stop_sampler() {
  [[ -n $SAMPLER_PID ]] || return 0
  kill "$SAMPLER_PID" 2>/dev/null || true
  wait "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=
}

# ------------------------------------------------------------------- http --

# Status code of one request (METHOD PATH CONTENT_TYPE|- BODY_FILE|-).
http_status() {
  local method=$1 path=$2 ctype=$3 body=$4
  local args=(--silent --globoff --output /dev/null --write-out '%{http_code}'
    --max-time 5 -H 'Expect:' -X "$method")
  if [[ $ctype != - ]]; then args+=(-H "Content-Type: $ctype"); fi
  if [[ $body != - ]]; then args+=(--data-binary "@$LOAD_DIR/$body"); fi
  curl "${args[@]}" "$BASE_URL$path" || true
}

# Run wrk; store its RESULT line in RESULT_LINE. Full output goes to
# $WORK_DIR/wrk-NAME.log.
# Usage: run_wrk NAME CONNECTIONS DURATION LUA_SCRIPT [LUA_ARGS...]
run_wrk() {
  local name=$1 conns=$2 dur=$3 script=$4 secs out
  shift 4
  out="$WORK_DIR/wrk-$name.log"
  secs=$(duration_to_seconds "$dur")
  # In the background + wait, so that INT/TERM are handled at once.
  timeout --kill-after=5 "$((secs + 30))" \
    wrk --threads "$THREADS" --connections "$conns" --duration "$dur" \
    --timeout "$WRK_TIMEOUT" --latency --script "$script" "$BASE_URL" -- "$@" \
    >"$out" 2>&1 &
  WRK_PID=$!
  local status=0
  wait "$WRK_PID" || status=$?
  WRK_PID=
  if ((status != 0)); then
    cat "$out" >&2
    die "wrk failed for '$name' (status $status)"
  fi
  assert_server_alive "$name"
  RESULT_LINE=$(grep -m1 '^RESULT ' "$out") ||
    die "no RESULT line from wrk for '$name' (see $out)"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "0.00" }'; }
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
verdict() { if "$@"; then echo PASS; else echo FAIL; fi; }

# -------------------------------------------------------------- benchmark --

run_bench() {
  local line name label method path ctype body expect code
  local -A rps p50 p90 p99 sockerr nonok
  local names=() labels=()

  log "pre-flight: checking each scenario's request once"
  for line in "${SCENARIOS[@]}"; do
    IFS='|' read -r name label method path ctype body expect _mode <<<"$line"
    code=$(http_status "$method" "$path" "$ctype" "$body")
    [[ $code == "$expect" ]] || die "pre-flight '$label': got HTTP $code, want $expect"
  done

  local samples="$WORK_DIR/rss-bench.txt"
  start_sampler "$samples" 0.5
  log "warm-up ${WARMUP} (not recorded)"
  run_wrk warmup "$CONNECTIONS" "$WARMUP" "$LOAD_DIR/bench.lua" \
    warmup POST /v1/links application/json "$LOAD_DIR/links_100.json"

  local _tag _name r a b c e n
  for line in "${SCENARIOS[@]}"; do
    IFS='|' read -r name label method path ctype body expect mode <<<"$line"
    [[ $mode != off ]] || continue
    if [[ $body != - ]]; then body="$LOAD_DIR/$body"; fi
    log "scenario $label: ${DURATION}, $CONNECTIONS connections, $THREADS threads"
    run_wrk "$name" "$CONNECTIONS" "$DURATION" \
      "$LOAD_DIR/bench.lua" "$name" "$method" "$path" "$ctype" "$body" "$mode"
    read -r _tag _name r a b c e n _ <<<"$RESULT_LINE"
    [[ -n ${n:-} ]] || die "malformed RESULT line for '$name'"
    names+=("$name")
    labels+=("$label")
    rps[$name]=$r p50[$name]=$a p90[$name]=$b p99[$name]=$c sockerr[$name]=$e nonok[$name]=$n
  done
  stop_sampler

  local hwm sampled peak nsamples
  hwm=$(proc_kib "$SERVER_PID" VmHWM)
  sampled=$(awk 'BEGIN { m = 0 } $1 > m { m = $1 } END { print m }' "$samples")
  nsamples=$(wc -l <"$samples")
  peak=$((${hwm:-0} > sampled ? ${hwm:-0} : sampled))

  # The cold path with the answer cache off, on a fresh server.
  log "restarting the server with the answer cache off (SCOPELINK_ANSWER_CACHE_BYTES=0)"
  stop_server
  SERVER_ENV=(SCOPELINK_ANSWER_CACHE_BYTES=0)
  start_server
  for line in "${SCENARIOS[@]}"; do
    IFS='|' read -r name label method path ctype body expect mode <<<"$line"
    [[ $mode == off ]] || continue
    code=$(http_status "$method" "$path" "$ctype" "$body")
    [[ $code == "$expect" ]] || die "pre-flight '$label' (cache off): got HTTP $code, want $expect"
    body="$LOAD_DIR/$body"
    log "scenario $label: ${DURATION}, $CONNECTIONS connections, $THREADS threads"
    run_wrk "$name" "$CONNECTIONS" "$DURATION" \
      "$LOAD_DIR/bench.lua" "$name" "$method" "$path" "$ctype" "$body" -
    read -r _tag _name r a b c e n _ <<<"$RESULT_LINE"
    [[ -n ${n:-} ]] || die "malformed RESULT line for '$name'"
    names+=("$name")
    labels+=("$label")
    rps[$name]=$r p50[$name]=$a p90[$name]=$b p99[$name]=$c sockerr[$name]=$e nonok[$name]=$n
  done

  # ---- summary table
  local base=${rps[healthz]} i total_sock=0 total_nonok=0
  echo
  echo "Scopelink load test: wrk $THREADS threads, $CONNECTIONS connections, $DURATION per scenario, server $BASE_URL"
  echo
  printf '%-38s %10s %9s %9s %9s %12s %9s %11s\n' \
    Scenario req/s 'p50 ms' 'p90 ms' 'p99 ms' non-2xx/3xx 'sock err' 'vs healthz'
  printf '%.0s-' {1..113}
  echo
  for i in "${!names[@]}"; do
    name=${names[$i]}
    printf '%-38s %10s %9s %9s %9s %12s %9s %10sx\n' "${labels[$i]}" "${rps[$name]}" \
      "${p50[$name]}" "${p90[$name]}" "${p99[$name]}" "${nonok[$name]}" \
      "${sockerr[$name]}" "$(ratio "${rps[$name]}" "$base")"
    total_sock=$((total_sock + sockerr[$name]))
    total_nonok=$((total_nonok + nonok[$name]))
  done
  echo
  printf 'Server memory (answer cache on): peak %s MiB (VmHWM %s MiB at end; sampled VmRSS max %s MiB over %d samples)\n' \
    "$(mib "$peak")" "$(mib "${hwm:-0}")" "$(mib "$sampled")" "$nsamples"
  echo
  local r5 r100 peak_mib
  r5=$(ratio "${rps[links_5]}" "$base")
  r100=$(ratio "${rps[links_100]}" "$base")
  peak_mib=$(mib "$peak")
  echo "Targets (informational):"
  printf '  %s  %-36s (measured %sx)\n' "$(verdict at_least "$r5" "$TARGET_5OPS_RATIO")" \
    "POST 5 ops   >= ${TARGET_5OPS_RATIO}x healthz req/s" "$r5"
  printf '  %s  %-36s (measured %sx)\n' "$(verdict at_least "$r100" "$TARGET_100OPS_RATIO")" \
    "POST 100 ops >= ${TARGET_100OPS_RATIO}x healthz req/s" "$r100"
  printf '  %s  %-36s (measured %s MiB)\n' \
    "$(verdict awk -v a="$peak" -v t="$TARGET_RSS_MIB" 'BEGIN { exit !(a < t * 1024) }')" \
    "peak RSS < ${TARGET_RSS_MIB} MiB" "$peak_mib"
  echo
  if ((total_sock > 0 || total_nonok > 0)); then
    echo "Result: FAIL ($total_sock socket errors, $total_nonok non-2xx/3xx responses; logs in $WORK_DIR)"
    return 1
  fi
  echo "Result: OK (no socket errors, no non-2xx/3xx responses)"
}

# ------------------------------------------------------------------- soak --

# Steady-memory analysis of a VmRSS sample file (one KiB value per line).
# Prints: n start middle end max first_third_max last_third_max steady(1/0/-1)
# Warm-up = first max(3, n/10) samples; the rest is split in thirds; steady when
# the last third's max is within 10% or 2 MiB of the first third's max.
memory_stats() {
  awk '
    { s[++n] = $1; if ($1 > max) max = $1 }
    END {
      if (n == 0) { print "0 0 0 0 0 0 0 -1"; exit }
      w = int(n / 10); if (w < 3) w = 3
      m = n - w; t = int(m / 3)
      if (t < 2) { steady = -1; f = 0; l = 0 }
      else {
        f = 0; for (i = w + 1; i <= w + t; i++) if (s[i] > f) f = s[i]
        l = 0; for (i = n - t + 1; i <= n; i++) if (s[i] > l) l = s[i]
        steady = (l <= f * 1.10 || l - f <= 2048) ? 1 : 0
      }
      print n, s[1], s[int((n + 1) / 2)], s[n], max, f, l, steady
    }' "$1"
}

pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? 100 * a / b : 0) }'; }

run_soak() {
  local mix="$LOAD_DIR/soak_mix.txt" expect method path ctype body code
  local -a mix_class=(0 0 0 0 0 0) # expected count per class 1xx..5xx, other
  local kinds=0 mismatches=0

  log "pre-flight: checking each soak request once"
  while read -r expect method path ctype body; do
    [[ -z $expect || $expect == \#* ]] && continue
    kinds=$((kinds + 1))
    mix_class[expect / 100 - 1]=$((mix_class[expect / 100 - 1] + 1))
    code=$(http_status "$method" "$path" "$ctype" "$body")
    if [[ $code != "$expect" ]]; then
      warn "pre-flight $method $path ($ctype, $body): got HTTP $code, want $expect"
      mismatches=$((mismatches + 1))
    fi
  done <"$mix"

  local samples="$WORK_DIR/rss-soak.txt" secs
  secs=$(duration_to_seconds "$SOAK_DURATION")
  start_sampler "$samples" 1
  log "soak: ${SOAK_DURATION}, $SOAK_CONNECTIONS connections, $THREADS threads, $kinds request kinds"
  local _tag _name rps p50 p90 p99 sock nonok reqs dur conn rd wr tmo _rest
  run_wrk soak "$SOAK_CONNECTIONS" "$SOAK_DURATION" "$LOAD_DIR/soak.lua" "$mix"
  read -r _tag _name rps p50 p90 p99 sock nonok reqs dur conn rd wr tmo _rest <<<"$RESULT_LINE"
  [[ -n ${tmo:-} ]] || die "malformed RESULT line for soak"
  stop_sampler
  sleep 1
  local after hwm
  after=$(proc_kib "$SERVER_PID" VmRSS)
  hwm=$(proc_kib "$SERVER_PID" VmHWM)

  local c1 c2 c3 c4 c5 cother
  read -r _tag c1 c2 c3 c4 c5 cother < <(grep -m1 '^CLASSES ' "$WORK_DIR/wrk-soak.log") ||
    die "no CLASSES line from wrk"

  local n m_start m_mid m_end m_max f_max l_max steady
  read -r n m_start m_mid m_end m_max f_max l_max steady < <(memory_stats "$samples")

  # ---- summary
  local fail=0 v5 vsock vmem note
  echo
  echo "Scopelink soak: ${SOAK_DURATION} (${secs}s), $SOAK_CONNECTIONS connections, $THREADS threads, server $BASE_URL"
  echo "Mix: $kinds request kinds rotated from scripts/load/soak_mix.txt (pre-flight mismatches: $mismatches)"
  echo
  printf 'Total requests   %s in %ss (%s req/s); latency p50 %s ms, p90 %s ms, p99 %s ms\n' \
    "$reqs" "$dur" "$rps" "$p50" "$p90" "$p99"
  echo
  printf '%-8s %12s %10s %10s\n' Class Count Observed Mix
  printf '%.0s-' {1..43}
  echo
  local i cls counts=("$c1" "$c2" "$c3" "$c4" "$c5" "$cother")
  local classnames=(1xx 2xx 3xx 4xx 5xx other)
  for i in "${!classnames[@]}"; do
    cls=${classnames[$i]}
    printf '%-8s %12s %9s%% %9s%%\n' "$cls" "${counts[$i]}" \
      "$(pct "${counts[$i]}" "$reqs")" "$(pct "${mix_class[$i]}" "$kinds")"
  done
  echo "(wrk non-2xx/3xx count: $nonok)"
  echo
  echo "Server memory (MiB, VmRSS sampled every 1s, $n samples):"
  printf '  start %s  middle %s  end %s  max %s  | after load %s  VmHWM %s\n' \
    "$(mib "$m_start")" "$(mib "$m_mid")" "$(mib "$m_end")" "$(mib "$m_max")" \
    "$(mib "${after:-0}")" "$(mib "${hwm:-0}")"
  printf '  first-third max %s, last-third max %s (after warm-up)\n' "$(mib "$f_max")" "$(mib "$l_max")"
  echo
  echo "Checks:"
  if ((c5 == 0)); then v5=PASS; else v5=FAIL fail=1; fi
  if ((sock == 0)); then vsock=PASS; else vsock=FAIL fail=1; fi
  case $steady in
    1) vmem=PASS note="last-third max within 10% or 2 MiB of first-third max" ;;
    0) vmem=FAIL fail=1 note="last-third max grew beyond 10% and 2 MiB" ;;
    *) vmem=WARN note="too few samples to judge; use a longer SOAK_DURATION" ;;
  esac
  printf '  %s  zero 5xx responses (%s)\n' "$v5" "$c5"
  printf '  %s  zero socket errors (connect %s, read %s, write %s, timeout %s)\n' \
    "$vsock" "$conn" "$rd" "$wr" "$tmo"
  printf '  %s  steady memory (%s)\n' "$vmem" "$note"
  if ((mismatches > 0)); then
    printf '  WARN  %d pre-flight status mismatch(es), see above (informational)\n' "$mismatches"
  fi
  echo
  if ((fail)); then
    echo "Result: FAIL (logs in $WORK_DIR)"
    return 1
  fi
  echo "Result: OK"
}

# ------------------------------------------------------------------- main --

main() {
  parse_args "$@"
  ensure_tools
  ensure_binary
  WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/scopelink-load.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  if [[ $MODE == soak ]]; then raise_nofile $((SOAK_CONNECTIONS * 2 + 1024)); fi
  start_server
  if [[ $MODE == soak ]]; then run_soak; else run_bench; fi
}

main "$@"
