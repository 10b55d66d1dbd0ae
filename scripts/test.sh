#!/usr/bin/env bash
# Set up a fresh machine for the tests and run them all: the real Docker
# engine, real servers on 127.0.0.1, tiny local models, headless Chromium.
# Lints and type-checks first (scripts/lint.sh). Extra pytest arguments pass
# through; `-m fast` runs only the tier that needs no Docker, server or model.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests drive as a user would: chromium for the
# leaderboard site's browser test (through playwright; never a downloaded
# browser), eslint for the --lint eslint analyzer, tmux for --review in a real
# terminal. Skipped when all are already installed.
if [ ! -x /usr/bin/chromium ] || ! command -v eslint >/dev/null || ! command -v tmux >/dev/null; then
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium eslint tmux
fi
# llama-cpp-python compiles from source: portable flags, no multimodal part.
export CMAKE_ARGS=${CMAKE_ARGS:-"-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF"}
EXTRAS=test bash scripts/setup.sh
# The project's own code first: ruff and mypy (seconds; no Docker needed).
bash scripts/lint.sh
exec .venv/bin/python -m pytest "$@"
