"""Pass rate and tokens per model call spent, folded from feedback records.

A linear loop spends n_candidates calls an attempt, a tree search one call a
node, so "attempt k" does not compare them; calls do. For each budget b (1 ..
the most calls any answer made): the share of answers that passed within b
calls, and the tokens an answer spent on average within b calls (an answer that
stopped earlier, passing or out of ideas, spent what it spent). Folds one record
at a time; memory grows with the budget, never with the number of records.

Reads eval records (their `attempts_graded`, graded afresh) where present,
else an interview record's own `attempts`; a plain answer is one call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..records import Status


def calls(record: dict[str, Any]) -> list[tuple[bool, int]]:
    """(passed, tokens) per model call of one record, in the order they were made."""
    attempts = record.get("attempts") if isinstance(record.get("attempts"), list) else None
    graded = record.get("attempts_graded") if isinstance(record.get("attempts_graded"), list) else None
    if not attempts and not graded:
        return [(record.get("status") == Status.PASS, _tokens(record.get("usage")))]
    out: list[tuple[bool, int]] = []
    for i, attempt in enumerate(graded or attempts or []):
        own = (attempts or [])[i] if attempts and i < len(attempts) else attempt
        candidates = own.get("candidates") or []
        status = attempt.get("status")
        if candidates:  # best-of-n: n calls, the attempt's outcome known after the last
            out += [(False, _tokens(c.get("usage"))) for c in candidates[:-1]]
            out.append((status == Status.PASS, _tokens(candidates[-1].get("usage"))))
        else:
            out.append((status == Status.PASS, _tokens(attempt.get("usage"))))
    return out


def _tokens(usage: Any) -> int:
    return sum(int(v) for v in (usage or {}).values() if isinstance(v, (int, float)))


@dataclass
class BudgetCurve:
    answers: int = 0
    first_pass: list[int] = field(default_factory=list)   # [b]: answers whose first pass took b+1 calls
    spent: list[int] = field(default_factory=list)        # [b]: tokens of the (b+1)th calls, all answers

    def add(self, record: dict[str, Any]) -> None:
        history = calls(record)
        self.answers += 1
        for b, (passed, tokens) in enumerate(history):
            _grow(self.spent, b)
            self.spent[b] += tokens
            if passed and not any(p for p, _ in history[:b]):
                _grow(self.first_pass, b)
                self.first_pass[b] += 1

    def merge(self, other: BudgetCurve) -> None:
        self.answers += other.answers
        for name in ("first_pass", "spent"):
            mine, theirs = getattr(self, name), getattr(other, name)
            for b, value in enumerate(theirs):
                _grow(mine, b)
                mine[b] += value

    def rows(self) -> list[dict[str, Any]]:
        """One row per budget b: answers passed within b calls, their share, and the
        mean tokens spent within b calls."""
        out, passed, tokens = [], 0, 0
        for b in range(len(self.spent)):
            passed += self.first_pass[b] if b < len(self.first_pass) else 0
            tokens += self.spent[b]
            out.append({"calls": b + 1, "answers": self.answers, "passed": passed,
                        "pass_pct": round(100 * passed / self.answers, 1) if self.answers else 0.0,
                        "tokens_per_answer": round(tokens / self.answers, 1) if self.answers else 0.0})
        return out


def _grow(values: list[int], index: int) -> None:
    values.extend([0] * (index + 1 - len(values)))


@dataclass
class BudgetCurves:
    """One curve per leaderboard row (e.g. aggregate.row_key), feedback records only."""
    curves: dict[tuple[str, ...], BudgetCurve] = field(default_factory=dict)

    def add(self, row: tuple[str, ...], record: dict[str, Any]) -> None:
        if isinstance(record.get("attempts"), list) and record["attempts"]:
            self.curves.setdefault(row, BudgetCurve()).add(record)

    def merge(self, other: BudgetCurves) -> None:
        for row, curve in other.curves.items():
            self.curves.setdefault(row, BudgetCurve()).merge(curve)

    def rows(self, group: list[str]) -> list[dict[str, Any]]:
        """Flat rows: the row's `group` columns, then the curve's columns."""
        return [{**dict(zip(group, row)), **point} for row, curve in sorted(self.curves.items())
                for point in curve.rows()]
