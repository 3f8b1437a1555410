# Sourced by the checks that need Python tools from PyPI: the shared venv under
# ${SCOPELINK_TOOLS:-~/.cache/scopelink-tools}, and `need PACKAGE VERSION`, which
# installs that exact version into it when it is missing. Set CHECK (the calling
# check's name) before sourcing, for the message.
TOOLS=${SCOPELINK_TOOLS:-$HOME/.cache/scopelink-tools}
VENV=$TOOLS/venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
need() { # need PACKAGE VERSION
  if ! "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('$1') != '$2')" 2>/dev/null; then
    echo "${CHECK:-check}: installing $1 $2 into $VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "$1==$2"
  fi
}
