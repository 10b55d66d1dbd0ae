"""Where the repository's data folders are (the scripts run from a checkout)."""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# Derived output names go here; CODEINTERVIEW_RESULTS moves them (one folder per experiment).
RESULTS_DIR = Path(os.environ.get("CODEINTERVIEW_RESULTS") or REPO_ROOT / "results")
