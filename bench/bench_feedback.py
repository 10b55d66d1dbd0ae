"""Linear feedback vs tree search on HumanEval, per model call spent.

    python bench/bench_feedback.py [--limit 20] [--budget 10] [--n-candidates 2] [--concurrency 2]

The model is the tests' scripted one (tests/scripted_server.py) behind a real
OpenAI-compatible server on 127.0.0.1; answers are graded in the Docker
sandbox by interview.py's feedback executor, run as a user runs it. Tasks
cycle through four kinds of model behaviour:

  right     answers the canonical solution at once
  fixable   answers `return None` first, the canonical solution once told it fails
  stuck     greedy, answers `return None` whatever it is told; sampled hotter it
            sometimes raises NotImplementedError instead, which it repairs once told
  hopeless  answers `return None` or raises, whatever it is told

Both runs get the same budget of model calls (--max-attempts); the table gives,
per budget b, the share of tasks passed within b calls and the tokens a task
spent within b calls on average (codeinterview.leaderboard.budget).
HumanEval is read from $CODEINTERVIEW_DATASETS (default ../shared/datasets).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from codeinterview.records import read_records  # noqa: E402
from codeinterview.leaderboard.budget import BudgetCurve  # noqa: E402
from scripted_server import ScriptedModel, Step  # noqa: E402

DEFAULT_DATA = (Path(os.environ.get("CODEINTERVIEW_DATASETS", ROOT.parent / "shared" / "datasets"))
                / "humaneval" / "HumanEval.jsonl.gz")
KINDS = ("right", "fixable", "stuck", "hopeless")


def script(record: dict) -> tuple[str, list[Step]]:
    """(kind, steps) for one prepared HumanEval record."""
    question = record["question"]
    prompt, right = question["Prompt"]["python"], question["Reference"]["python"]
    none, crash = prompt + "    return None\n", prompt + "    raise NotImplementedError('todo')\n"
    kind = KINDS[int(record["name"].split("/")[-1]) % len(KINDS)]
    steps = {"right": [Step(right)],
             "fixable": [Step(none, "tests"), Step(right)],       # "fails the tests" / "while the tests ran"
             "stuck": [Step([none, crash], "NotImplementedError"), Step(right)],
             "hopeless": [Step([none, crash])]}[kind]
    return kind, steps


def run(name: str, prompts: Path, server: ScriptedModel, out: Path, args, *search: str) -> tuple[Path, float]:
    command = [sys.executable, str(ROOT / "interview.py"), "--input", str(prompts), "--output", str(out),
               "--executor", "feedback", "--inner", "openai", "--model", "scripted", "--base-url",
               server.base_url, "--params", "greedy", "--max-attempts", str(args.budget),
               "--concurrency", str(args.concurrency), *search]
    start = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"interview.py ({name}) exited {done.returncode}:\n{done.stderr[-3000:]}")
    return out, time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, help="first N tasks only")
    parser.add_argument("--budget", type=int, default=10, help="model calls per task (default 10)")
    parser.add_argument("--n-candidates", type=int, default=2, help="tree: candidates per expansion")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--dataset", default=str(DEFAULT_DATA))
    parser.add_argument("--keep", help="write the prompts and both interview files to this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-feedback-") as tmp_dir:
        tmp = Path(args.keep or tmp_dir)
        tmp.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(ROOT / "prepare.py"), "--interview", f"humaneval={args.dataset}",
                        "--languages", "python", "--template", "program-chat", "--output",
                        str(tmp / "all.ndjson")], cwd=ROOT, check=True, capture_output=True)
        # the scripted model tells tasks apart by function name: of tasks sharing one, the first
        lines, kinds, steps = [], {}, {}
        for line in (tmp / "all.ndjson").read_text().splitlines():
            record = json.loads(line)
            function = record["question"]["Signature"].split("(")[0]
            if (function, "python") not in steps and len(lines) < (args.limit or len(kinds) + 1):
                lines.append(line)
                kinds[record["name"]], steps[(function, "python")] = script(record)
        prompts = tmp / "prompts.ndjson"
        prompts.write_text("\n".join(lines) + "\n")
        print(f"{len(lines)} HumanEval tasks: " + ", ".join(f"{sum(k == kind for k in kinds.values())} {kind}"
                                                           for kind in KINDS))
        curves, seconds = {}, {}
        with ScriptedModel(steps) as server:
            for name, search in (("linear", ()), ("tree", ("--search", "tree", "--n-candidates",
                                                           str(args.n_candidates)))):
                out, seconds[name] = run(name, prompts, server, tmp / f"{name}.ndjson", args, *search)
                curves[name] = BudgetCurve()
                for record in read_records(out):
                    curves[name].add(record)
        print(f"budget {args.budget} calls; tree: {args.n_candidates} candidates per expansion; "
              f"wall: linear {seconds['linear']:.0f} s, tree {seconds['tree']:.0f} s")
        print(f"{'calls':>5} | {'linear pass':>11} {'tokens':>7} | {'tree pass':>10} {'tokens':>7}")
        rows = {name: curve.rows() for name, curve in curves.items()}
        for b in range(args.budget):
            cells = []
            for name in ("linear", "tree"):
                row = rows[name][min(b, len(rows[name]) - 1)]   # past its last call an answer spends nothing
                cells.append(f"{row['pass_pct']:>10.1f}% {row['tokens_per_answer']:>7.0f}")
            print(f"{b + 1:>5} | {cells[0]} | {cells[1]}")


if __name__ == "__main__":
    main()
