"""What the four stage scripts share: error handling, logging, output names."""

from __future__ import annotations

import hashlib
import logging
import re
import sys
from pathlib import Path
from typing import Callable

from .errors import EXIT_INFRASTRUCTURE, EXIT_USER_ERROR, InfrastructureError, UserError
from .paths import results_dir


def run_main(main: Callable[[list[str] | None], int | None], argv: list[str] | None = None) -> int:
    """Run a stage's main(): a user mistake is one line on stderr and exit 2, an
    infrastructure failure one line and exit 3, a bug a traceback (exit 1)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    try:
        return main(argv) or 0
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except InfrastructureError as exc:
        print(f"error (infrastructure): {exc}; re-run the same command to resume", file=sys.stderr)
        return EXIT_INFRASTRUCTURE
    except KeyboardInterrupt:
        print("interrupted; re-run the same command to resume", file=sys.stderr)
        return 130


MAX_NAME = 180


def slug(*parts: str | None) -> str:
    """A file-name-safe name from the parts given (None and '' skipped). A long
    one is cut in the middle, never at its end (the run's fingerprint), and a
    hash of the whole marks the cut, so two long names never become one."""
    text = re.sub(r"[^A-Za-z0-9._+=-]+", "-", "_".join(p for p in parts if p)).strip("-")
    if len(text) > MAX_NAME:
        digest = hashlib.sha256(text.encode()).hexdigest()[:8]
        text = f"{text[:MAX_NAME - 50]}-{digest}-{text[-40:]}"
    return text


def default_output(stage: str, *parts: str | None) -> Path:
    return results_dir() / f"{slug(stage, *parts)}.ndjson"


def derive_output(input_path: str, stage: str, *parts: str | None) -> Path:
    """results/<stage>_<rest of the input's name>[_parts].ndjson, compressed
    (.ndjson.gz) when the input is."""
    name = Path(input_path).name
    compressed = name.endswith(".gz")
    stem = re.sub(r"(\.ndjson|\.jsonl|\.json)?(\.gz)?$", "", name)
    stem = re.sub(r"^(prepare|interview|eval)_", "", stem)
    return results_dir() / f"{slug(stage, stem, *parts)}.ndjson{'.gz' if compressed else ''}"
