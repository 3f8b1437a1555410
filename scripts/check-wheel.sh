#!/usr/bin/env bash
# Builds the `scopelink` wheel with maturin (pyproject.toml, `bindings = "bin"`),
# installs it into a fresh venv with no Rust on PATH, and uses it as users will:
# `scopelink --version`, `scopelink link get_profiles`, a scan of a fixture with
# `--check` (passing and failing), the Action's `install: pip` path on the local
# wheel, and an MCP `initialize` + `tools/list` over stdio with the official
# Python SDK. Prints the wheel's size, the time to install it from the file and
# the time for `pipx run` (and `uvx`) of the local wheel to print a link.
#
# Installs maturin, pipx and mcp into ${SCOPELINK_TOOLS:-~/.cache/scopelink-tools}/venv
# if missing. The wheel is built from the release profile, so a release build
# made earlier in the same run is reused.
set -euo pipefail
cd "$(dirname "$0")/.."

MATURIN_VERSION=1.16.0
PIPX_VERSION=1.18.16
MCP_VERSION=2.3.0
PRE_COMMIT_VERSION=4.7.0
UV_VERSION=0.13.10
CHECK=check-wheel
. scripts/tools-venv.sh
need maturin "$MATURIN_VERSION"
need pipx "$PIPX_VERSION"
need mcp "$MCP_VERSION"
need pre-commit "$PRE_COMMIT_VERSION"
need uv "$UV_VERSION"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)

start=$(date +%s.%N)
"$VENV/bin/maturin" build --release --locked --quiet --out "$WORK/dist" >"$WORK/build.log" 2>&1 \
  || { cat "$WORK/build.log" >&2; echo "check-wheel: maturin build failed" >&2; exit 1; }
build_s=$(python3 -c "import time; print(f'{time.time() - $start:.1f}')")
WHEEL=$(ls "$WORK"/dist/scopelink-"$VERSION"-*.whl)
[ -f "$WHEEL" ] || { echo "check-wheel: no wheel for version $VERSION in $WORK/dist" >&2; exit 1; }

# What the wheel says of itself: name, version from Cargo.toml, MIT, the README.
python3 - "$WHEEL" "$VERSION" <<'PY'
import sys, zipfile
wheel, version = sys.argv[1], sys.argv[2]
names = zipfile.ZipFile(wheel).namelist()
meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
assert "Name: scopelink" in meta, meta[:400]
assert f"Version: {version}" in meta, meta[:400]
assert "License-Expression: MIT" in meta or "License: MIT" in meta, meta[:600]
assert "Scopelink" in meta and "Run and test" in meta, "the README is not the long description"
assert any(n.endswith(".data/scripts/scopelink") for n in names), names
assert any(n.endswith("licenses/LICENSE") or n.endswith("/LICENSE") for n in names), names
PY

# A fresh venv, and a PATH without cargo, rustc or ~/.cargo/bin.
python3 -m venv "$WORK/venv"
BARE_PATH="/usr/local/bin:/usr/bin:/bin"
CLEAN_PATH="$WORK/venv/bin:$BARE_PATH"
for tool in cargo rustc scopelink; do
  if PATH=$BARE_PATH command -v "$tool" >/dev/null; then
    echo "check-wheel: $tool is on the bare PATH ($(PATH=$BARE_PATH command -v $tool)); the check needs a PATH without Rust or another scopelink" >&2; exit 1
  fi
done
start=$(date +%s.%N)
PATH=$CLEAN_PATH PIP_DISABLE_PIP_VERSION_CHECK=1 "$WORK/venv/bin/pip" install --quiet --no-index "$WHEEL"
install_s=$(python3 -c "import time; print(f'{time.time() - $start:.2f}')")
run() { env -i PATH="$CLEAN_PATH" HOME="$WORK" "$@"; }

version_line=$(run scopelink --version)
[ "$version_line" = "scopelink $VERSION" ] || { echo "check-wheel: --version printed '$version_line'" >&2; exit 1; }
link=$(run scopelink link get_profiles)
[ "$link" = "https://www.klaviyo.com/create-private-api-key?scopes=profiles:read" ] \
  || { echo "check-wheel: link get_profiles printed '$link'" >&2; exit 1; }

FIXTURE=$PWD/tests/scan/fixtures/python-raw
needed=$(cd "$FIXTURE" && run scopelink scan . --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')
(cd "$FIXTURE" && run scopelink scan . --check "$needed" >/dev/null 2>&1) \
  || { echo "check-wheel: the fixture's own link did not pass --check" >&2; exit 1; }
status=0
(cd "$FIXTURE" && run scopelink scan . --check "profiles:read" >/dev/null 2>&1) || status=$?
[ "$status" -eq 1 ] || { echo "check-wheel: --check with a lacking scope list exited $status, not 1" >&2; exit 1; }

# The Action with `install: pip`, on the local wheel: pipx installs it (pipx's own
# shared pip comes from PyPI) and hands on the binary.
ACTION_SCRIPT=$(python3 - <<'PY'
import re, sys
text = open("action.yml").read()
steps = text.split("\n    - ")
install = next(s for s in steps if "id: install" in s)
print(install.split("run: |\n", 1)[1])
PY
)
mkdir -p "$WORK/action-bin" "$WORK/action-home"
printf '#!/bin/sh\nexec "%s" -m pipx "$@"\n' "$VENV/bin/python" >"$WORK/action-bin/pipx"
chmod +x "$WORK/action-bin/pipx"
: >"$WORK/github-output"
env -i PATH="$WORK/action-bin:$BARE_PATH" HOME="$WORK/action-home" \
  PIPX_HOME="$WORK/action-home/pipx" PIPX_BIN_DIR="$WORK/action-home/bin" \
  PIP_DISABLE_PIP_VERSION_CHECK=1 \
  INSTALL="pip" PIP_SPEC="$WHEEL" BINARY="scopelink" GITHUB_OUTPUT="$WORK/github-output" \
  bash -c "$ACTION_SCRIPT" >"$WORK/action.log" 2>&1 \
  || { cat "$WORK/action.log" >&2; echo "check-wheel: the Action's pip install failed" >&2; exit 1; }
installed=$(sed -n 's/^binary=//p' "$WORK/github-output")
[ -x "$installed" ] || { cat "$WORK/github-output" >&2; echo "check-wheel: the Action gave no installed binary" >&2; exit 1; }
[ "$(env -i PATH="$CLEAN_PATH" "$installed" --version)" = "scopelink $VERSION" ] \
  || { echo "check-wheel: the Action's binary is not scopelink $VERSION" >&2; exit 1; }

# MCP over stdio, with the official Python SDK, on the installed binary.
"$VENV/bin/python" - "$WORK/venv/bin/scopelink" "$WORK" <<'PY'
import sys
import anyio
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

binary, workdir = sys.argv[1], sys.argv[2]

async def main() -> None:
    server = StdioServerParameters(command=binary, args=["mcp"], cwd=workdir, env={"PATH": "/usr/bin:/bin"})
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            assert init.server_info.name == "scopelink", init.server_info
            tools = await session.list_tools()
            names = sorted(tool.name for tool in tools.tools)
            assert names == ["klaviyo_audit_link", "klaviyo_link", "klaviyo_scan", "klaviyo_search_operations"], names
            print(f"check-wheel: MCP over stdio: initialize ({init.server_info.name} {init.server_info.version}), tools/list: {', '.join(names)}")

anyio.run(main)
PY

# The python pre-commit hooks (deploy/pre-commit-python/, published as its own repository),
# installed by pre-commit from the local wheel with no Rust on PATH: the first run
# writes the README's block (and so fails, as pre-commit does when a hook changes a
# file), the second passes.
MIRROR=$WORK/mirror
cp -r deploy/pre-commit-python "$MIRROR"
git -C "$MIRROR" init -q
git -C "$MIRROR" add -A
git -C "$MIRROR" -c user.email=ci@example.com -c user.name=ci commit -qm hooks
PROJECT=$WORK/project
mkdir -p "$PROJECT/src"
printf 'import requests\nrequests.post("https://a.klaviyo.com/api/profiles", json={})\n' >"$PROJECT/src/sync.py"
printf '# Acme\n\n<!-- scopelink:begin -->\n<!-- scopelink:end -->\n' >"$PROJECT/README.md"
cat >"$PROJECT/.pre-commit-config.yaml" <<YAML
repos:
  - repo: $MIRROR
    rev: $(git -C "$MIRROR" rev-parse HEAD)
    hooks:
      - id: scopelink-update-docs
        args: [src, --update-docs, README.md]
      - id: scopelink-scan
        args: [src, --check-docs, README.md]
YAML
git -C "$PROJECT" init -q
git -C "$PROJECT" add -A
git -C "$PROJECT" -c user.email=ci@example.com -c user.name=ci commit -qm project
pre_commit() {
  (cd "$PROJECT" && env -i PATH="$BARE_PATH" HOME="$WORK/pre-commit-home" \
    PRE_COMMIT_HOME="$WORK/pre-commit-cache" PIP_FIND_LINKS="$WORK/dist" PIP_DISABLE_PIP_VERSION_CHECK=1 \
    "$VENV/bin/pre-commit" run --all-files)
}
status=0
pre_commit >"$WORK/pre-commit-1.log" 2>&1 || status=$?
grep -q "files were modified by this hook" "$WORK/pre-commit-1.log" && [ "$status" -eq 1 ] \
  || { cat "$WORK/pre-commit-1.log" >&2; echo "check-wheel: the update hook did not write the block (exit $status)" >&2; exit 1; }
grep -q '| `profiles:write` | Profiles: Full | `create_profile` |' "$PROJECT/README.md" \
  || { cat "$PROJECT/README.md" >&2; echo "check-wheel: the README's block is not what the code needs" >&2; exit 1; }
pre_commit >"$WORK/pre-commit-2.log" 2>&1 \
  || { cat "$WORK/pre-commit-2.log" >&2; echo "check-wheel: the hooks fail on a fresh block" >&2; exit 1; }
echo "check-wheel: pre-commit's python hooks installed the wheel and wrote, then passed, the README's block"

# `pipx run` of the local wheel, timed to its printed link (a fresh pipx home each run).
start=$(date +%s.%N)
pipx_link=$(env -i PATH="$BARE_PATH" HOME="$WORK/pipx-home" PIPX_HOME="$WORK/pipx-home/pipx" \
  PIP_DISABLE_PIP_VERSION_CHECK=1 \
  "$VENV/bin/python" -m pipx run --spec "$WHEEL" scopelink link get_profiles 2>"$WORK/pipx.log") \
  || { cat "$WORK/pipx.log" >&2; echo "check-wheel: pipx run failed" >&2; exit 1; }
pipx_s=$(python3 -c "import time; print(f'{time.time() - $start:.2f}')")
[ "$pipx_link" = "$link" ] || { echo "check-wheel: pipx run printed '$pipx_link'" >&2; exit 1; }

# `uvx` of the local wheel, as the MCP snippets run it (`uvx scopelink mcp`).
start=$(date +%s.%N)
uvx_link=$(env -i PATH="$BARE_PATH" HOME="$WORK/uv-home" UV_CACHE_DIR="$WORK/uv-cache" UV_OFFLINE=1 \
  "$VENV/bin/uvx" --from "$WHEEL" scopelink link get_profiles 2>"$WORK/uvx.log") \
  || { cat "$WORK/uvx.log" >&2; echo "check-wheel: uvx failed" >&2; exit 1; }
uvx_s=$(python3 -c "import time; print(f'{time.time() - $start:.2f}')")
[ "$uvx_link" = "$link" ] || { echo "check-wheel: uvx printed '$uvx_link'" >&2; exit 1; }

size=$(stat -c %s "$WHEEL")
echo "check-wheel: $(basename "$WHEEL"): $(python3 -c "print(f'{$size / 1048576:.1f}')") MiB"
echo "check-wheel: maturin build ${build_s} s (reusing the release build when there is one); install from the file ${install_s} s; pipx run of the local wheel to a printed link ${pipx_s} s; uvx ${uvx_s} s"
echo "check-wheel: passed"
