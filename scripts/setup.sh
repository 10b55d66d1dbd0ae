#!/usr/bin/env bash
# Set up a fresh machine: a virtual environment with codeinterview (plus any
# extras named in $EXTRAS, e.g. EXTRAS=test,openai) and the sandbox image.
# Safe to re-run: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
EXTRAS=${EXTRAS:-}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
echo "==> installing codeinterview${EXTRAS:+ [$EXTRAS]}"
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".${EXTRAS:+[$EXTRAS]}"

# (NO_IMAGE=1: the fast tier, which needs no Docker engine)
if [ "${NO_IMAGE:-0}" != 1 ]; then
  echo "==> sandbox image"
  .venv/bin/python -m codeinterview.sandbox build
fi
