#!/usr/bin/env bash
# Set up a fresh machine for the tests and run them all: the real Docker
# engine, real servers on 127.0.0.1, tiny local models, headless Chromium.
# Lints and type-checks first (scripts/lint.sh). Extra pytest arguments pass
# through; `-m fast` runs only the tier that needs no Docker, server or model.
set -euo pipefail
cd "$(dirname "$0")/.."

# The leaderboard site's browser test drives Debian's chromium (never a
# downloaded browser) through playwright. Skipped when already installed.
if [ ! -x /usr/bin/chromium ]; then
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium
fi
# llama-cpp-python compiles from source: portable flags, no multimodal part.
export CMAKE_ARGS=${CMAKE_ARGS:-"-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF"}
EXTRAS=test bash scripts/setup.sh
# The project's own code first: ruff and mypy (seconds; no Docker needed).
bash scripts/lint.sh
exec .venv/bin/python -m pytest "$@"
