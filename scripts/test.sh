#!/usr/bin/env bash
# Set up a fresh machine for the tests and run them all: the real Docker
# engine, real servers on 127.0.0.1, tiny local models, headless Chromium.
# Lints and type-checks first (scripts/lint.sh). Extra pytest arguments pass
# through; `-m fast` runs only the tier that needs no Docker, server or model.
#   --full   the dataset tier grades every task of each public benchmark
#            (CODEINTERVIEW_FULL_DATASETS=1), not the fixed per-commit sample
#   --tiers  (CI) pytest once per tier: fast, the rest, dataset; each timed,
#            every test exactly once, a tier with no tests is no failure
# With CODEINTERVIEW_TIMES=FILE each step appends "name seconds" to FILE.
set -euo pipefail
cd "$(dirname "$0")/.."

TIERS=0
ARGS=()
for arg in "$@"; do
  case "$arg" in
    --full) export CODEINTERVIEW_FULL_DATASETS=1 ;;
    --tiers) TIERS=1 ;;
    *) ARGS+=("$arg") ;;
  esac
done
FAST_ONLY=0
if [[ " ${ARGS[*]-} " == *" -m fast "* ]]; then FAST_ONLY=1; fi

# timed NAME CMD...: run CMD, print and record its wall time; returns CMD's exit status
# (CMD runs without set -e: a function given here returns its own failures)
timed() {
  local name=$1 start=$SECONDS rc=0
  shift
  "$@" || rc=$?
  echo "==> $name: $((SECONDS - start)) s (exit $rc)"
  if [ -n "${CODEINTERVIEW_TIMES:-}" ]; then echo "$name $((SECONDS - start)) $rc" >>"$CODEINTERVIEW_TIMES"; fi
  return $rc
}

# Debian packages the tests drive as a user would: chromium for the
# leaderboard site's browser test (through playwright; never a downloaded
# browser), eslint for the --lint eslint analyzer, tmux for --review in a real
# terminal; and mmdebstrap, which builds the sandbox images' root filesystems.
# Skipped when all are already installed.
setup_machine() {
  if [ ! -x /usr/bin/chromium ] || ! command -v eslint >/dev/null || ! command -v tmux >/dev/null \
      || ! command -v mmdebstrap >/dev/null; then
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get update -q || return
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium eslint tmux mmdebstrap || return
  fi
  # codeinterview alone first: enough to build the sandbox images
  NO_IMAGE=1 bash scripts/setup.sh
}
timed setup setup_machine
# Every sandbox image family the tests use (base, cpp, go, java, rust), built once
# here, so that no test pays a cold build; the fast tier needs none. They build in
# the background (downloads and dpkg, mostly) while the test extra installs
# (llama-cpp-python's compile, mostly), lint and, with --tiers, the fast tier run.
IMAGES_LOG=$(mktemp)
build_images() { timed images .venv/bin/python -m codeinterview.sandbox build --all >"$IMAGES_LOG" 2>&1; }
wait_images() {
  if [ -n "$IMAGES_PID" ]; then
    wait "$IMAGES_PID" || { cat "$IMAGES_LOG"; echo "==> the sandbox images did not build"; exit 1; }
    cat "$IMAGES_LOG"
    IMAGES_PID=
  fi
}
IMAGES_PID=
if [ "$FAST_ONLY" = 0 ]; then
  build_images &
  IMAGES_PID=$!
fi
# llama-cpp-python compiles from source: portable flags, no multimodal part.
export CMAKE_ARGS=${CMAKE_ARGS:-"-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF"}
timed "test extra" env EXTRAS=test NO_IMAGE=1 bash scripts/setup.sh
# The project's own code first: ruff and mypy (seconds; no Docker needed).
timed lint bash scripts/lint.sh

if [ "$TIERS" = 0 ]; then
  wait_images
  exec .venv/bin/python -m pytest ${ARGS[@]+"${ARGS[@]}"}
fi
# pytest exits 5 when a tier selects no test: no failure
tier() {
  local name=$1 marker=$2 rc=0
  timed "$name" .venv/bin/python -m pytest -m "$marker" ${ARGS[@]+"${ARGS[@]}"} || rc=$?
  if [ "$rc" = 5 ]; then rc=0; fi
  return $rc
}
FAILED=()
tier "fast tier" "fast" || FAILED+=("fast tier")
wait_images
tier "the rest" "not fast and not dataset" || FAILED+=("the rest")
tier "dataset tier" "dataset and not fast" || FAILED+=("dataset tier")
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "==> failed: ${FAILED[*]}"
  exit 1
fi
