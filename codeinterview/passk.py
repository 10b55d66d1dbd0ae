"""pass@k: the unbiased estimator of Chen et al. (2021), as openai/human-eval and
evalplus compute it.

With n samples of a question of which c pass, pass@k = 1 - C(n-c, k) / C(n, k)
(defined for k <= n). A run's pass@k is the mean over its questions, reported
only for the k every question reaches. sandbox_error answers are not samples:
they were never graded.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .records import Status

KS = (1, 10, 100)


def pass_at_k(n: int, c: int, k: int) -> float:
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"pass@k needs 0 <= c <= n and 1 <= k <= n (n={n}, c={c}, k={k})")
    if n - c < k:
        return 1.0
    # the product form of human-eval: no huge binomials
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def tally(records: Iterable[dict[str, Any]]) -> dict[tuple[str, str, str], tuple[int, int]]:
    """(suite, name, language) -> (n graded samples, c passed)."""
    counts: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in records:
        if r.get("status") in (None, Status.SANDBOX_ERROR):
            continue
        entry = counts[(str(r.get("suite")), str(r.get("name")), str(r.get("language")))]
        entry[0] += 1
        entry[1] += r.get("status") == Status.PASS
    return {key: (n, c) for key, (n, c) in counts.items()}


def run_pass_at_k(counts: Iterable[tuple[int, int]], ks: Iterable[int] = KS) -> dict[str, float]:
    """{'pass@1': ..., 'pass@10': ...}: the mean over questions, for each k <= every n."""
    counts = list(counts)
    if not counts:
        return {}
    smallest = min(n for n, _ in counts)
    return {f"pass@{k}": round(sum(pass_at_k(n, c, k) for n, c in counts) / len(counts), 6)
            for k in ks if k <= smallest}


def summary(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Per run (all questions), per suite and language, and per question."""
    counts = tally(records)
    groups: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for (suite, _, language), nc in counts.items():
        groups[f"{suite}/{language}"].append(nc)
    return {
        "run": {"questions": len(counts), **run_pass_at_k(counts.values())},
        "suites": {g: {"questions": len(v), **run_pass_at_k(v)} for g, v in sorted(groups.items())},
        "questions": [{"suite": s, "name": q, "language": lang, "n": n, "c": c,
                       **{f"pass@{k}": round(pass_at_k(n, c, k), 6) for k in KS if k <= n}}
                      for (s, q, lang), (n, c) in sorted(counts.items())],
    }


def write_summary(eval_path: str | Path, records: Iterable[dict[str, Any]]) -> tuple[Path, dict[str, Any]]:
    """eval_X.ndjson -> eval_X.passk.json beside it."""
    eval_path = Path(eval_path)
    result = summary(records)
    path = eval_path.with_name(eval_path.stem + ".passk.json")
    path.write_text(json.dumps(result, indent=1) + "\n")
    return path, result


def describe(result: dict[str, Any]) -> str:
    """One line per suite/language for the terminal."""
    lines = []
    for group, values in result["suites"].items():
        scores = ", ".join(f"{k} {v:.4f}" for k, v in values.items() if k.startswith("pass@"))
        lines.append(f"{group}: {values['questions']} questions, {scores}")
    return "\n".join(lines)
