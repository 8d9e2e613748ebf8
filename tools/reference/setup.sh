#!/usr/bin/env bash
# Create .venv-ref, a virtual environment holding the reference 903 validator
# (csc-validator-be-903), kept apart from carestat's own .venv because it pins old pandas/numpy.
# Usage: tools/reference/setup.sh [VERSION]   (run from anywhere; default version 0.1.17)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="${CARESTAT_REF_VENV:-$ROOT/.venv-ref}"
VERSION="${1:-${CARESTAT_REF_VERSION:-0.1.17}}"
PYTHON="${PYTHON:-python3}"

if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c \
    "import importlib.metadata as m, sys; sys.exit(m.version('csc-validator-be-903') != '$VERSION')" \
    2>/dev/null; then
  echo "reference validator $VERSION already installed in $VENV"
  exit 0
fi
"$PYTHON" -m venv "$VENV"
# The environment ignores itself, so it never shows up in git status.
echo '*' > "$VENV/.gitignore"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# Let pip resolve the reference's own old pins (pandas<2, numpy<1.25) against this Python.
"$VENV/bin/python" -m pip install --quiet "csc-validator-be-903==$VERSION"
"$VENV/bin/python" -c "import lac_validator, pandas; print('reference validator', '$VERSION', 'with pandas', pandas.__version__, 'in $VENV')"
