"""Values an answer produced, made safe and bounded for a record (being written)."""

from __future__ import annotations

import json
from typing import Any


def to_json_line(record: dict[str, Any]) -> str:
    """One ndjson line (no newline) for a record."""
    return json.dumps(record, ensure_ascii=False)
