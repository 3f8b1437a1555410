#!/usr/bin/env bash
# The project's one test command (README "Run and test"; CI runs exactly this).
# It installs whatever the tests need if it is missing, then runs every test:
# the Rust suites (engine, HTTP API, CLI, browser, scanner, MCP), the
# deployment checks, the scanner's SARIF read back by sarif-tools,
# schemathesis against the running server, and the MCP server driven by the
# official Python SDK; the wheel built, installed without Rust and used (CLI,
# the Action's pip install, pre-commit's python hooks, MCP over stdio); and the
# release workflow and action.yml checked offline (check-jsonschema, zizmor).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d ../shared/klaviyo-openapi ]; then
  echo "error: ../shared/klaviyo-openapi is missing; the tests compare against Klaviyo's specs there" >&2
  exit 1
fi

# The browser test drives the page in Debian's headless Chromium; its
# screenshots (phone and desktop width) go to test-artifacts/screenshots.
scripts/install-browser-deps.sh
export SCOPELINK_SCREENSHOTS_DIR="$PWD/test-artifacts/screenshots"

# Licences: only the allow-list in deny.toml (no GPL family) may be in the tree.
if ! cargo deny --version >/dev/null 2>&1; then
  echo "test.sh: installing cargo-deny (once; about 5 min of CPU, 25 min on a busy 2-core machine)" >&2
  cargo install --locked cargo-deny
fi
cargo deny --locked check licenses

cargo test --locked --all-targets
scripts/check-deploy.sh
scripts/check-sarif.sh
scripts/check-contract.sh
python3 scripts/check-mcp.py
scripts/check-wheel.sh
scripts/check-workflows.sh
