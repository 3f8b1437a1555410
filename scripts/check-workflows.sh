#!/usr/bin/env bash
# Checks the release workflow and the Action offline: check-jsonschema against
# its built-in (vendored) GitHub schemas, and zizmor's offline audits for
# security findings (template injection, unpinned actions, excessive
# permissions, credential persistence...). Both come from PyPI as wheels and are
# installed into ${SCOPELINK_TOOLS:-~/.cache/scopelink-tools}/venv if missing.
set -euo pipefail
cd "$(dirname "$0")/.."

CHECK_JSONSCHEMA_VERSION=0.39.0
ZIZMOR_VERSION=1.33.1
CHECK=check-workflows
. scripts/tools-venv.sh
need check-jsonschema "$CHECK_JSONSCHEMA_VERSION"
need zizmor "$ZIZMOR_VERSION"

"$VENV/bin/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/*.yml
"$VENV/bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml
"$VENV/bin/zizmor" --offline --no-progress --persona regular .github/workflows/release.yml action.yml
echo "check-workflows: the workflows and action.yml pass check-jsonschema and zizmor"
