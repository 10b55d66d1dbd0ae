#!/usr/bin/env bash
# Lint and type-check the project's own code with the tools of the `lint`
# extra (pinned in pyproject.toml, configured there too): ruff over the whole
# tree (codeinterview, sandbox/runner, tests, bench, the stage scripts) and
# mypy over codeinterview and sandbox/runner. Needs no Docker engine, no
# server, no model. Exits non-zero when either tool has findings.
#   bash scripts/lint.sh            # after scripts/setup.sh with EXTRAS=lint (or test)
set -uo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
if ! "$PY" -m ruff --version >/dev/null 2>&1 || ! "$PY" -m mypy --version >/dev/null 2>&1; then
  echo "lint.sh: ruff and mypy are missing from .venv; install them with:" >&2
  echo "  .venv/bin/python -m pip install -e '.[lint]'" >&2
  exit 2
fi

status=0
echo "==> ruff check"
"$PY" -m ruff check --output-format concise . || status=1
echo "==> mypy"
"$PY" -m mypy || status=1
exit $status
