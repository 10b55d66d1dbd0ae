"""Value comparison: a check's expected value against what the answer returned.

The values are the decoded ones themselves, never their bounded copies
(records.values): shortening what a record stores never changes a verdict.
"""

from __future__ import annotations

import math
from typing import Any


def loose_equal(got: Any, expected: Any) -> bool:
    """Python equality, except that lists and tuples are the same sequence
    (JavaScript has no tuples; JSON turns them into lists)."""
    if isinstance(got, (list, tuple)) and isinstance(expected, (list, tuple)):
        return len(got) == len(expected) and all(map(loose_equal, got, expected))
    if isinstance(got, dict) and isinstance(expected, dict):
        return got.keys() == expected.keys() and all(loose_equal(got[k], expected[k]) for k in got)
    try:
        return bool(got == expected)
    except Exception:  # noqa: BLE001 - exotic values never equal
        return False


def approx_equal(got: Any, expected: Any, tol: float) -> bool:
    if isinstance(expected, (list, tuple)):
        return (isinstance(got, (list, tuple)) and len(got) == len(expected)
                and all(approx_equal(g, e, tol) for g, e in zip(got, expected)))
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        return False
    try:
        return math.isclose(got, expected, rel_tol=tol, abs_tol=tol)
    except OverflowError:  # an int past the float range (a huge answer): equal only exactly
        return bool(got == expected)
    except (TypeError, ValueError):  # an expected value that is not a number
        return False


def unordered_equal(got: Any, expected: list) -> bool:
    if not isinstance(got, (list, tuple)) or len(got) != len(expected):
        return False
    remaining = list(expected)
    for item in got:
        for i, candidate in enumerate(remaining):
            if loose_equal(item, candidate):
                del remaining[i]
                break
        else:
            return False
    return True
