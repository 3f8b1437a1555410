#!/usr/bin/env bash
# Runs schemathesis against the real server's /openapi.json: every operation and
# method, with examples, coverage, fuzzing and stateful phases. Zero failures
# allowed: no 5xx, and every response matches the schema.
#
# Installs schemathesis into ${SCOPELINK_TOOLS:-~/.cache/scopelink-tools}/venv if
# missing. Uses target/debug/scopelink (built if missing), on 127.0.0.1 only.
#
# Every check runs (--checks all), positive_data_acceptance too: a schema-valid
# request must be accepted. The document is exact where a schema can be (every
# `revision` is an enum of the loaded revisions, the path name and every
# operation text have minLength 1, and a request that holds an empty one is
# refused whole; a HAR entry's request needs its method and url; an audit takes
# exactly one of link and scopes). What no schema can say is which well-formed
# strings name Klaviyo operations: `"operations": ["xyz"]` is schema-valid and
# rightly answers 422 unknown_operation; with `partial` the same request
# answers 200 with the errors listed, so the schema must allow it. For the operations

# that take operation names, and only for them, 422 is also accepted by
# positive_data_acceptance; see the per-operation list written below.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
TOOLS=${SCOPELINK_TOOLS:-$HOME/.cache/scopelink-tools}
VENV=$TOOLS/venv
MAX_EXAMPLES=${MAX_EXAMPLES:-100}

if [ ! -x "$VENV/bin/schemathesis" ] || ! "$VENV/bin/schemathesis" --version | grep -q "$SCHEMATHESIS_VERSION"; then
  echo "check-contract: installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

BIN=target/debug/scopelink
[ -x "$BIN" ] || cargo build --locked --quiet --bin scopelink

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RUST_LOG=warn "$BIN" serve --bind "127.0.0.1:$PORT" --rate-limit-per-minute 0 >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$PORT/readyz', timeout=1)" 2>/dev/null; then break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; echo "check-contract: the server exited" >&2; exit 1; }
  sleep 0.1
done

# Per operation: why a schema-valid request may rightly answer 422.
cat >"$WORK/schemathesis.toml" <<'TOML'
# POST /v1/links: `operations` are names or paths; one that names no operation is 422 unknown_operation.
[[operations]]
include-operation-id = "create_link"
checks.positive_data_acceptance.expected-statuses = ["2XX", 422]

# GET /v1/links: the same, for `op=`.
[[operations]]
include-operation-id = "get_link"
checks.positive_data_acceptance.expected-statuses = ["2XX", 422]

# GET /go: the same, for `op=` (a readable HTML page, 422).
[[operations]]
include-operation-id = "redirect_to_link"
checks.positive_data_acceptance.expected-statuses = ["2XX", "3XX", 422]

# POST /v1/audit: `docs` is any text; one that holds no link, scope list or key type is
# 422 nothing_in_docs (no schema can say which texts hold a scope list).
[[operations]]
include-operation-id = "audit_link"
checks.positive_data_acceptance.expected-statuses = ["2XX", 422]

# POST /v1/oauth/authorize-url: its `operations` are names too.

[[operations]]
include-operation-id = "create_oauth_authorize_url"
checks.positive_data_acceptance.expected-statuses = ["2XX", 422]

# POST /v1/links/from-har: the calls' method and URL name the operations; calls that
# match none, or no call to a.klaviyo.com at all, are 422.
[[operations]]
include-operation-id = "create_link_from_har"
checks.positive_data_acceptance.expected-statuses = ["2XX", 422]

# POST /v1/links/from-source: `check` is a create-key link or scope list; a link
# off Klaviyo's create-key page, a key-like text or no scope at all is 422.
[[operations]]
include-operation-id = "create_link_from_source"
checks.positive_data_acceptance.expected-statuses = ["2XX", 422]
TOML

cd "$WORK"
status=0
# One worker: with two, hypothesis describes filter lambdas with ast.parse from
# two threads at once, and CPython 3.11's AST constructor then fails at random
# ("SystemError: AST constructor recursion depth mismatch", a race in its
# recursion counter): a runtime error in the tool, not a finding.
"$VENV/bin/schemathesis" --config-file "$WORK/schemathesis.toml" run "http://127.0.0.1:$PORT/openapi.json" \
  --checks all \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "$MAX_EXAMPLES" \
  --workers 1 \
  --seed 20261122 \
  --no-color || status=$?
if grep -q "panicked" "$WORK/server.log"; then
  echo "check-contract: the server panicked:" >&2
  grep -A3 panicked "$WORK/server.log" >&2
  status=1
fi
if [ "$status" -eq 0 ]; then
  echo "check-contract: schemathesis found no failures"
else
  echo "check-contract: FAILED (exit $status)" >&2
fi
exit "$status"
