"""What the four stage scripts share: error handling, logging, output names."""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path
from typing import Callable

from .errors import EXIT_INFRASTRUCTURE, EXIT_USER_ERROR, InfrastructureError, UserError
from .paths import RESULTS_DIR


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


def slug(*parts: str | None) -> str:
    """A file-name-safe name from the parts given (None and '' skipped)."""
    text = "_".join(p for p in parts if p)
    return re.sub(r"[^A-Za-z0-9._+=-]+", "-", text).strip("-")[:180]


def default_output(stage: str, *parts: str | None) -> Path:
    return RESULTS_DIR / f"{slug(stage, *parts)}.ndjson"


def derive_output(input_path: str, stage: str, *parts: str | None) -> Path:
    """results/<stage>_<rest of the input's name>[_parts].ndjson, compressed
    (.ndjson.gz) when the input is."""
    name = Path(input_path).name
    compressed = name.endswith(".gz")
    stem = re.sub(r"(\.ndjson|\.jsonl|\.json)?(\.gz)?$", "", name)
    stem = re.sub(r"^(prepare|interview|eval)_", "", stem)
    return RESULTS_DIR / f"{slug(stage, stem, *parts)}.ndjson{'.gz' if compressed else ''}"
