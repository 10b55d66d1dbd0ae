"""The leaderboard's tables on a terminal: the columns that matter, as many as
the width allows (the markdown, the CSV and the site keep every column).

The row (model, template, parameter set) and its overall score with interval
are always shown (in the feedback tables, the attempt or the calls spent and
the pass rate); then, while they fit, the per-suite scores, pass@1 and vs
top, then the other columns in table order. What is left out is dropped from
the least important up; when even the kept columns are too wide, the longest
model, template and parameter names are cut, marked with '…'. No I/O.
"""

from __future__ import annotations

import shutil
import textwrap

import pandas as pd
from tabulate import tabulate

from .display import OVERALL, SUITE_HEADERS, VERSUS
from .tally import GROUP

FORMAT = "simple_outline"
# never left out: the row and its score; in the feedback tables, the attempt or calls spent and the pass rate
KEPT = [*GROUP, OVERALL, "attempt", "passed after attempt", "calls", "passed within"]
SHORTEST = 8               # a name is cut to no fewer characters than this


def width() -> int | None:
    """The width to fit: COLUMNS when set, else the terminal's; None when standard
    output is not a terminal and COLUMNS is unset (a file or a pipe takes every column)."""
    return shutil.get_terminal_size(fallback=(0, 0)).columns or None


def render(shown: pd.DataFrame) -> str:
    # disable_numparse: print the cells as display() wrote them ("1.000", not "1"), as the HTML does
    return tabulate(shown, headers="keys", tablefmt=FORMAT, showindex=False, disable_numparse=True)


def by_importance(shown: pd.DataFrame) -> list[str]:
    """The columns, most important first: the row and its overall score, per suite,
    pass@1, vs top, then the rest in table order."""
    first = [*KEPT, *shown.attrs.get(SUITE_HEADERS, []), "pass@1", VERSUS]
    first = [c for c in dict.fromkeys(first) if c in shown.columns]
    return first + [c for c in shown.columns if c not in first]


def _wide(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def _cut(frame: pd.DataFrame, column: str, limit: int) -> None:
    frame[column] = [v if len(v) <= limit else v[:limit - 1] + "…" for v in frame[column].astype(str)]


def fit(shown: pd.DataFrame, columns: int | None) -> tuple[str, list[str]]:
    """(the table as printed in `columns` characters, the columns left out); None: every column."""
    text = render(shown)
    if columns is None or _wide(text) <= columns:
        return text, []
    # a name may take a quarter of the width before a score column has to go
    frame = shown.copy()
    cap = max(SHORTEST, columns // 4)
    for column in (c for c in GROUP if c in frame):
        _cut(frame, column, max(cap, len(column)))
    order = by_importance(shown)
    keep = list(order)
    text = render(frame)
    while _wide(text) > columns and len(keep) > len([c for c in order if c in KEPT]):
        keep.pop()
        frame = frame[[c for c in shown.columns if c in keep]]
        text = render(frame)
    frame = frame.copy()
    # room left over: the cut names take it back, longest first
    for column in sorted((c for c in GROUP if c in frame), key=lambda c: -shown[c].astype(str).str.len().max()):
        spare = columns - _wide(text)
        if spare > 0 and shown[column].astype(str).str.len().max() > cap:
            frame[column] = shown[column]
            _cut(frame, column, max(cap, len(column)) + spare)
            text = render(frame)
    # still too wide: cut the longest name, then the next, down to SHORTEST characters (or the header's)
    while _wide(text) > columns and len(frame):
        floors = {c: max(SHORTEST, len(c)) for c in GROUP if c in frame}
        lengths = {c: int(frame[c].astype(str).str.len().max()) for c in floors}
        cuttable = [c for c in floors if lengths[c] > floors[c]]
        if not cuttable:
            break
        longest = max(cuttable, key=lambda c: lengths[c])
        _cut(frame, longest, max(floors[longest], lengths[longest] - (_wide(text) - columns)))
        text = render(frame)
    return text, [c for c in shown.columns if c not in keep]


def wrap(text: str, columns: int | None) -> str:
    """Prose (the notes under a table) wrapped to `columns`, line by line."""
    if columns is None:
        return text
    return "\n".join(textwrap.fill(line, columns) if line else line for line in text.split("\n"))
