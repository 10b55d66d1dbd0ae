"""The --lint analyzers on code known to be right: findings (each one a false
positive) and seconds per answer, per analyzer.

    python bench/bench_analyzers.py [--limit N] [--analyzers signature,hallucination,eslint]

Python: HumanEval's canonical solutions (prompt + solution, as the feedback
loop reads a benchmark answer: the prompt as preamble) and MBPP's reference
code; JavaScript: HumanEval-X JavaScript's canonical solutions (declaration +
solution). Each analyzer runs alone on each answer, as a process of its own,
as the feedback loop runs it. The datasets are read from
$CODEINTERVIEW_DATASETS (default ../shared/datasets).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from codeinterview.analyzers import ANALYZERS, lint  # noqa: E402

DATASETS = Path(os.environ.get("CODEINTERVIEW_DATASETS", ROOT.parent / "shared" / "datasets"))


def _jsonl(path: Path) -> Iterator[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        yield from (json.loads(line) for line in handle if line.strip())


def corpora(limit: int | None) -> dict[str, list[tuple[str, str, str]]]:
    """name -> [(task, preamble, code)] per corpus, code known to pass its tests."""
    humaneval = [(t["task_id"], t["prompt"], t["canonical_solution"])
                 for t in _jsonl(DATASETS / "humaneval" / "HumanEval.jsonl.gz")]
    mbpp = [(f"MBPP/{t['task_id']}", "", t["code"].replace("\r\n", "\n"))
            for t in _jsonl(DATASETS / "mbpp" / "mbpp.jsonl")]
    javascript = [(t["task_id"], "", t["declaration"] + t["canonical_solution"])
                  for t in _jsonl(DATASETS / "humaneval-js" / "humaneval_js.jsonl.gz")]
    return {"humaneval (python)": humaneval[:limit], "mbpp (python)": mbpp[:limit],
            "humaneval-x (javascript)": javascript[:limit]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, help="the first N tasks of each corpus (default: all)")
    parser.add_argument("--analyzers", default="signature,hallucination,eslint")
    args = parser.parse_args()
    names = [n for n in args.analyzers.split(",") if n]
    print("| corpus | analyzer | answers | findings | answers with findings | median s | max s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for corpus, tasks in corpora(args.limit).items():
        language = "javascript" if "javascript" in corpus else "python"
        for name in names:
            if ANALYZERS.get(name).language != language:
                continue
            seconds, findings, flagged = [], 0, []
            for task, preamble, code in tasks:
                start = time.perf_counter()
                found = lint([name], code, language, preamble)
                seconds.append(time.perf_counter() - start)
                findings += len(found)
                if found:
                    flagged.append(f"{task}: {found[0]['message']}")
            print(f"| {corpus} | {name} | {len(tasks)} | {findings} | {len(flagged)} | "
                  f"{statistics.median(seconds):.2f} | {max(seconds):.2f} |", flush=True)
            for line in flagged[:5]:
                print(f"    {line}", file=sys.stderr)


if __name__ == "__main__":
    main()
