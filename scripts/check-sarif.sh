#!/usr/bin/env bash
# Reads `scopelink scan --format sarif` back with Microsoft's sarif-tools (PyPI):
# the log must load, and `sarif summary` must count exactly the results the scan
# reported in --json (one per missing scope and per unresolved or unknown call),
# each located at a repo-relative file and line.
#
# Installs sarif-tools into ${SCOPELINK_TOOLS:-~/.cache/scopelink-tools}/venv if
# missing. Uses target/debug/scopelink (built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

SARIF_TOOLS_VERSION=3.0.5
TOOLS=${SCOPELINK_TOOLS:-$HOME/.cache/scopelink-tools}
VENV=$TOOLS/venv

if [ ! -x "$VENV/bin/sarif" ] || ! "$VENV/bin/sarif" --version | grep -q "$SARIF_TOOLS_VERSION"; then
  echo "check-sarif: installing sarif-tools $SARIF_TOOLS_VERSION into $VENV"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "sarif-tools==$SARIF_TOOLS_VERSION"
fi

BIN=$PWD/target/debug/scopelink
[ -x "$BIN" ] || cargo build --locked --quiet --bin scopelink

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FIXTURE=tests/scan/fixtures/python-raw
CHECK="https://www.klaviyo.com/create-private-api-key?scopes=profiles:read"

# The gate fails (exit 1) on this fixture: the link lacks scopes the code needs.
status=0
(cd "$FIXTURE" && "$BIN" scan . --format sarif --check "$CHECK") >"$WORK/scan.sarif" 2>"$WORK/stderr" || status=$?
if [ "$status" -ne 1 ]; then
  echo "check-sarif: expected exit 1 from the gate, got $status" >&2; cat "$WORK/stderr" >&2; exit 1
fi
(cd "$FIXTURE" && "$BIN" scan . --json --check "$CHECK") >"$WORK/scan.json" 2>/dev/null || true
expected=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(len(r["check"]["missing"]) + len(r["unresolved"]) + len(r["errors"]) + len(r["retired"]) + len(r["unscanned"]) + sum(1 for f in r["skipped"] if f.get("names_klaviyo")))
' "$WORK/scan.json")

"$VENV/bin/sarif" ls "$WORK/scan.sarif" | tee "$WORK/ls.txt"
grep -q "scan.sarif" "$WORK/ls.txt" || { echo "check-sarif: sarif ls does not list the log" >&2; exit 1; }
"$VENV/bin/sarif" summary "$WORK/scan.sarif" | tee "$WORK/summary.txt"
counted=$(awk '/^(error|warning|note): [0-9]+$/ { sum += $2 } END { print sum + 0 }' "$WORK/summary.txt")
if [ "$counted" -ne "$expected" ]; then
  echo "check-sarif: sarif summary counts $counted results; the scan reported $expected" >&2; exit 1
fi
(cd "$WORK" && "$VENV/bin/sarif" csv scan.sarif -o results.csv >/dev/null)
python3 - "$WORK/results.csv" "$expected" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == int(sys.argv[2]), f"{len(rows)} rows in the CSV, expected {sys.argv[2]}"
for row in rows:
    assert row["Location"] == "klaviyo_client.py", f"not repo-relative: {row['Location']}"
    assert int(row["Line"]) > 0, row
PY
echo "check-sarif: sarif-tools read $counted results, as the scan reported"

# A docs finding: a scope table in a README (display names and levels) that lacks
# scopes the code needs is one result per missing scope, at the table's line.
CASE=$WORK/docs-case
mkdir -p "$CASE" && cp -r "$FIXTURE"/. "$CASE/"
cat >"$CASE/README.md" <<'MD'
# Setup

## Required scopes

| Scope | Access |
|---|---|
| Profiles | Read |
MD
status=0
(cd "$CASE" && "$BIN" scan . --format sarif --check-docs README.md) >"$WORK/docs.sarif" 2>"$WORK/stderr" || status=$?
if [ "$status" -ne 1 ]; then
  echo "check-sarif: expected exit 1 from the docs gate, got $status" >&2; cat "$WORK/stderr" >&2; exit 1
fi
(cd "$CASE" && "$BIN" scan . --json --check-docs README.md) >"$WORK/docs.json" 2>/dev/null || true
read -r expected doc_missing < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
docs = sum(len(d["checked"]["missing"]) for d in r["docs"])
print(docs + len(r["unresolved"]) + len(r["errors"]) + len(r["retired"]) + len(r["unscanned"]) + sum(1 for f in r["skipped"] if f.get("names_klaviyo")), docs)
' "$WORK/docs.json")
[ "$doc_missing" -gt 0 ] || { echo "check-sarif: the docs check found nothing missing" >&2; exit 1; }
"$VENV/bin/sarif" summary "$WORK/docs.sarif" | tee "$WORK/docs-summary.txt"
counted=$(awk '/^(error|warning|note): [0-9]+$/ { sum += $2 } END { print sum + 0 }' "$WORK/docs-summary.txt")
if [ "$counted" -ne "$expected" ]; then
  echo "check-sarif: sarif summary counts $counted results for the docs check; the scan reported $expected" >&2; exit 1
fi
(cd "$WORK" && "$VENV/bin/sarif" csv docs.sarif -o docs.csv >/dev/null)
python3 - "$WORK/docs.csv" "$doc_missing" <<'PY'
import csv, sys
rows = [row for row in csv.DictReader(open(sys.argv[1])) if row["Location"] == "README.md"]
assert len(rows) == int(sys.argv[2]), f"{len(rows)} results at README.md, expected {sys.argv[2]}"
for row in rows:
    assert row["Line"] == "7", f"not at the table's first row: {row}"
    assert "scope list lacks" in row["Description"], row
PY
echo "check-sarif: sarif-tools read the $doc_missing docs findings at README.md:7"

# Retired calls and files that name Klaviyo but could not be read are results too.
for fixture in retired-calls unread-files; do
  (cd "tests/scan/fixtures/$fixture" && "$BIN" scan . --format sarif) >"$WORK/$fixture.sarif" 2>/dev/null
  (cd "tests/scan/fixtures/$fixture" && "$BIN" scan . --json) >"$WORK/$fixture.json" 2>/dev/null
  want=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(len(r["unresolved"]) + len(r["errors"]) + len(r["retired"]) + len(r["unscanned"]) + sum(1 for f in r["skipped"] if f.get("names_klaviyo")))
' "$WORK/$fixture.json")
  "$VENV/bin/sarif" summary "$WORK/$fixture.sarif" >"$WORK/$fixture.txt"
  got=$(awk '/^(error|warning|note): [0-9]+$/ { sum += $2 } END { print sum + 0 }' "$WORK/$fixture.txt")
  [ "$want" -gt 0 ] || { echo "check-sarif: $fixture reported nothing" >&2; exit 1; }
  if [ "$got" -ne "$want" ]; then
    echo "check-sarif: $fixture: sarif summary counts $got results; the scan reported $want" >&2; exit 1
  fi
  python3 - "$WORK/$fixture.sarif" <<'PY'
import json, sys
rules = {r["ruleId"] for r in json.load(open(sys.argv[1]))["runs"][0]["results"]}
assert rules & {"retired-call", "unread-file"}, rules
PY
  echo "check-sarif: $fixture: sarif-tools read $got results (retired calls, unread files), as the scan reported"
done
