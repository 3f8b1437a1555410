#!/usr/bin/env bash
# Installs what the browser test (tests/browser) needs: Debian's headless-capable
# Chromium and the matching chromedriver. Idempotent: does nothing when both
# are already there. Called from scripts/test.sh.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver

if [ ! -x "$CHROMIUM" ] || [ ! -x "$CHROMEDRIVER" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
  elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "error: installing chromium and chromium-driver needs root, and sudo is not available" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the package lists only when apt does not know the packages yet.
  if ! apt-cache show chromium chromium-driver >/dev/null 2>&1; then
    "${SUDO[@]}" apt-get update -qq
  fi
  if ! "${SUDO[@]}" apt-get install -y -qq chromium chromium-driver; then
    # Stale lists (a 404 on a superseded version): refresh once and retry.
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" apt-get install -y -qq chromium chromium-driver
  fi
fi

"$CHROMIUM" --version 2>/dev/null  # its wrapper script warns on stderr
"$CHROMEDRIVER" --version
