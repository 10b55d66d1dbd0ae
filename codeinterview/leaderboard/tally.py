"""The leaderboard's cells, folded from eval records one at a time (no I/O).

Every record lands in one Cell: a question in one language for one leaderboard
row (model, template, parameter set). A Cell holds sums and counts only, so
memory grows with questions x languages x rows, never with the number of
records or samples. Any slice of the leaderboard (a suite, a language, all) is
the sum of its cells; the tables below are built from those sums.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ..records import Status
from .budget import BudgetCurves

GROUP = ["model", "template", "params"]
ERROR, PASS = Status.SANDBOX_ERROR, Status.PASS  # an infrastructure failure is counted apart, never scored

Row = tuple[str, str, str]
CellKey = tuple[Row, str, Any, Any]  # (row, suite, name, language)


# --- what a record says ---

def model_label(record: dict[str, Any]) -> str:
    """A feedback run is its own leaderboard row: the model plus its loop."""
    model = record.get("model") or "?"
    policy = record.get("feedback")
    if not (isinstance(policy, dict) and policy.get("max_attempts")):
        return model
    # each knob that changes what the loop can reach makes its own row; the
    # linear loop's label is unchanged from before these knobs existed
    loop = [str(policy["max_attempts"]), str(policy.get("reveal", "visible"))]
    if policy.get("search") and policy["search"] != "linear":
        loop.append(f"{policy['search']} x{policy.get('n_candidates', 1)}")
    repairer = policy.get("feedback_model")
    if isinstance(repairer, dict) and repairer.get("model"):
        loop.append(f"repairs by {repairer['model']}")
    if policy.get("review"):
        loop.append("reviewed")
    return f"{model} +feedback({', '.join(loop)})"


def row_key(record: dict[str, Any]) -> Row:
    return model_label(record), record.get("template") or "?", record.get("params_name") or "?"


class PromptKind(str, Enum):
    """How a row's model was asked: a chat, a text to complete, or a hole to fill."""
    CHAT = "chat"
    COMPLETION = "completion"
    FIM = "fim"
    UNKNOWN = "?"

    __str__ = str.__str__


def prompt_kind(record: dict[str, Any]) -> PromptKind:
    """From the prompt prepare wrote: chat messages, a completion text, or a
    text with the code after the hole (code_suffix). can-ai-code records carry
    no prompt: there the template's name decides, when it says."""
    prompt = record.get("prompt")
    if record.get("code_suffix") is not None:
        return PromptKind.FIM
    if isinstance(prompt, list):
        return PromptKind.CHAT
    if isinstance(prompt, str):
        return PromptKind.COMPLETION
    template = str(record.get("template") or "").lower()
    for kind, words in ((PromptKind.FIM, ("fim",)), (PromptKind.COMPLETION, ("completion",)),
                        (PromptKind.CHAT, ("chat", "instruct"))):
        if any(word in template for word in words):
            return kind
    return PromptKind.UNKNOWN


REFERENCE_METRICS = ("levenshtein", "bleu", "sequence_ratio", "identifier_share")


def reference_metrics(record: dict[str, Any]) -> dict[str, float]:
    """The similarity to the reference evaluate measured (none without a reference)."""
    metrics = record.get("reference_metrics")
    if not isinstance(metrics, dict):
        return {}
    return {name: float(metrics[name]) for name in REFERENCE_METRICS
            if isinstance(metrics.get(name), (int, float)) and not isinstance(metrics.get(name), bool)}


def tokens(record: dict[str, Any]) -> int | None:
    """Prompt plus completion tokens, None where the backend reported neither."""
    usage = record.get("usage") or {}
    values = [usage.get("prompt_tokens"), usage.get("completion_tokens")]
    return None if all(v is None for v in values) else sum(v or 0 for v in values)


def attempt_history(record: dict[str, Any]) -> list[tuple[Any, int]]:
    """(status, tokens) per attempt; a plain answer is one attempt."""
    attempts = record.get("attempts_graded")
    if not isinstance(attempts, list) or not attempts:
        return [(record.get("status"), 0)]
    return [(a.get("status"), _usage_tokens(a)) for a in attempts]


def _usage_tokens(attempt: dict[str, Any]) -> int:
    """Every count in an attempt's usage (prompt, completion, and any other a backend adds)."""
    return sum(int(v) for v in (attempt.get("usage") or {}).values() if isinstance(v, (int, float)))


# --- the counters ---

def _add_at(values: list, k: int, amount) -> None:
    values.extend([0] * (k + 1 - len(values)))
    values[k] += amount


@dataclass(slots=True)
class Attempts:
    """Feedback answers, per attempt k (0-based): asked, tokens spent, and how
    many answers passed for the first time at k."""
    answers: int = 0
    asked: list[int] = field(default_factory=list)
    tokens: list[float] = field(default_factory=list)
    first_pass: list[int] = field(default_factory=list)

    def add(self, history: list[tuple[Any, int]]) -> None:
        self.answers += 1
        for k, (_, spent) in enumerate(history):
            _add_at(self.asked, k, 1)
            _add_at(self.tokens, k, spent)
        first = next((k for k, (status, _) in enumerate(history) if status == PASS), None)
        if first is not None:
            _add_at(self.first_pass, first, 1)

    def merge(self, other: Attempts) -> None:
        self.answers += other.answers
        for name in ("asked", "tokens", "first_pass"):
            for k, value in enumerate(getattr(other, name)):
                _add_at(getattr(self, name), k, value)


@dataclass(slots=True)
class Cell:
    """Sums over the answers of one question, language and leaderboard row
    (or, merged, of any set of those)."""
    answers: int = 0        # every record, sandbox errors included
    errors: int = 0         # sandbox errors: never graded
    scored: int = 0         # answers - errors
    samples: int = 0        # pass@k's n: scored answers that have a status
    passes: int = 0         # answers that passed every check (pass@k's c)
    passed: float = 0       # weighted checks passed, over scored answers
    total: float = 0        # weighted checks, over scored answers
    tokens: float = 0
    tokens_n: int = 0       # answers whose backend reported tokens
    latency: float = 0
    latency_n: int = 0
    first_pass: int = 0     # passed at the first attempt
    final_pass: int = 0     # passed at some attempt
    max_attempts: int = 0   # the feedback policy's limit, or the most attempts made
    runs: dict[str, list[float]] = field(default_factory=dict)  # run -> [passed, total]
    attempts: Attempts | None = None  # feedback answers only
    metrics: dict[str, list[float]] | None = None  # reference metric -> [sum, count]

    def add(self, record: dict[str, Any], run: str) -> None:
        self.answers += 1
        status = record.get("status")
        if status == ERROR:
            self.errors += 1
            return
        passed, total = record.get("passed") or 0, record.get("total") or 0
        self.scored += 1
        self.samples += status is not None
        self.passes += status == PASS
        self.passed += passed
        self.total += total
        per_run = self.runs.setdefault(run, [0, 0])
        per_run[0] += passed
        per_run[1] += total
        spent, latency = tokens(record), record.get("latency_s")
        if spent is not None:
            self.tokens += spent
            self.tokens_n += 1
        if latency is not None:
            self.latency += latency
            self.latency_n += 1
        self._add_attempts(record)
        for name, value in reference_metrics(record).items():
            self._add_metric(name, value, 1)

    def _add_attempts(self, record: dict[str, Any]) -> None:
        history = attempt_history(record)
        self.first_pass += history[0][0] == PASS
        self.final_pass += any(status == PASS for status, _ in history)
        policy = record.get("feedback")
        policy = policy if isinstance(policy, dict) else {}
        self.max_attempts = max(self.max_attempts, policy.get("max_attempts") or 0, len(history))
        if isinstance(record.get("attempts_graded"), list):
            self.attempts = self.attempts or Attempts()
            self.attempts.add(history)

    def merge(self, other: Cell) -> Cell:
        for name in ("answers", "errors", "scored", "samples", "passes", "passed", "total", "tokens",
                     "tokens_n", "latency", "latency_n", "first_pass", "final_pass"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.max_attempts = max(self.max_attempts, other.max_attempts)
        for run, (passed, total) in other.runs.items():
            mine = self.runs.setdefault(run, [0, 0])
            mine[0] += passed
            mine[1] += total
        if other.attempts is not None:
            self.attempts = self.attempts or Attempts()
            self.attempts.merge(other.attempts)
        for name, (total, count) in (other.metrics or {}).items():
            self._add_metric(name, total, count)
        return self

    def _add_metric(self, name: str, total: float, count: float) -> None:
        if self.metrics is None:
            self.metrics = {}
        mine = self.metrics.setdefault(name, [0.0, 0])
        mine[0] += total
        mine[1] += count

    @property
    def kind(self) -> str:
        """pass: every answer passed every check; fail: no check passed; error: never graded."""
        if not self.scored:
            return "error"
        if self.passes == self.scored:
            return "pass"
        return "fail" if self.passed == 0 else "partial"


def combine(cells: Iterable[Cell]) -> Cell:
    total = Cell()
    for cell in cells:
        total.merge(cell)
    return total


class Tally:
    """All records of a report, folded into cells as they stream past."""

    def __init__(self) -> None:
        self.cells: dict[CellKey, Cell] = {}
        self.runs: set[str] = set()
        self.kinds: dict[Row, PromptKind] = {}  # one template, one kind
        self.models: dict[Row, str] = {}        # the model as records name it (no feedback suffix)
        self.budget = BudgetCurves()             # feedback rows: pass rate per model call spent

    def add(self, record: dict[str, Any], run: str) -> None:
        row = row_key(record)
        key = (row, record.get("suite") or "?", record.get("name"), record.get("language"))
        cell = self.cells.get(key)
        if cell is None:
            cell = self.cells[key] = Cell()
        if row not in self.kinds:
            self.kinds[row] = prompt_kind(record)
            self.models[row] = record.get("model") or "?"
        cell.add(record, run)
        self.budget.add(row, record)
        self.runs.add(run)

    def select(self, suite: str | None = None, language: str | None = None) -> dict[CellKey, Cell]:
        """The cells of one suite and/or language (None: all)."""
        return {key: cell for key, cell in self.cells.items()
                if suite in (None, key[1]) and language in (None, key[3])}

    def suites(self) -> list[str]:
        return sorted({key[1] for key in self.cells})

    def languages(self, cells: Iterable[CellKey] | None = None) -> list[str]:
        return sorted({key[3] for key in (self.cells if cells is None else cells) if key[3] is not None})
