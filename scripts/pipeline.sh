#!/usr/bin/env bash
# The main job: the whole pipeline on the bundled suites (junior-dev and
# senior-dev, Python and JavaScript), then the leaderboard.
#
# With no model configured it interviews the reference executor (every
# reference answer must pass every check). To interview a model, set e.g.
#   CODEINTERVIEW_EXECUTOR=openai CODEINTERVIEW_MODEL=gpt-4o-mini OPENAI_API_KEY=...
# (CODEINTERVIEW_PARAMS, CODEINTERVIEW_TEMPLATE, CODEINTERVIEW_WORKERS and
# CODEINTERVIEW_INTERVIEW override the defaults below; CODEINTERVIEW_LANGUAGES
# narrows the languages, by default every language the questions are written in.)
set -euo pipefail
cd "$(dirname "$0")/.."

EXECUTOR=${CODEINTERVIEW_EXECUTOR:-reference}
case "$EXECUTOR" in
  openai|langchain|transformers|llamacpp) EXTRAS=$EXECUTOR ;;
  *) EXTRAS= ;;
esac
EXTRAS=$EXTRAS bash scripts/setup.sh
PY=.venv/bin/python

MODEL_ARGS=()
[ -n "${CODEINTERVIEW_MODEL:-}" ] && MODEL_ARGS=(--model "$CODEINTERVIEW_MODEL")
LANGUAGE_ARGS=()
[ -n "${CODEINTERVIEW_LANGUAGES:-}" ] && LANGUAGE_ARGS=(--languages "$CODEINTERVIEW_LANGUAGES")
prepared=$($PY prepare.py --interview "${CODEINTERVIEW_INTERVIEW:-junior-dev,senior-dev}" \
  "${LANGUAGE_ARGS[@]}" --template "${CODEINTERVIEW_TEMPLATE:-chat-simple}" | tail -n 1)
answers=$($PY interview.py --input "$prepared" --executor "$EXECUTOR" "${MODEL_ARGS[@]}" \
  --params "${CODEINTERVIEW_PARAMS:-greedy}" | tail -n 1)
graded=$($PY evaluate.py --input "$answers" --workers "${CODEINTERVIEW_WORKERS:-2}" | tail -n 1)
$PY report.py "$graded"

if [ "$EXECUTOR" = reference ]; then
  # The self-test: a reference answer that fails a check is a bug in the suite.
  $PY - "$graded" <<'PY'
import json, sys
bad = [r for r in map(json.loads, open(sys.argv[1])) if r["status"] != "pass"]
for r in bad:
    failed = [c["name"] for c in r["checks"] if not c["passed"]]
    print(f"reference answer failed: {r['suite']}/{r['name']} ({r['language']}): {r['status']} {failed}")
sys.exit(1 if bad else 0)
PY
  echo "every reference answer passed every check"
fi
