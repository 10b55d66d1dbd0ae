"""Grade HumanEval+ with several samples per task in the sandbox, and the same
programs bare on the host; print answers per second and the ratio.

    python bench/bench_humanevalplus.py [--samples 10] [--workers 2] [--limit N] [--dataset PATH]

Answers per task: the canonical solution (3 copies, each made distinct by a
comment so none reuses the reference run), mutations of it (operator swaps,
one per sample) and one `return None`. Sandbox: grade_answer, as evaluate.py
grades, including the reference runs that set the relative timeouts. Bare: the
identical program texts as `python3` subprocesses on this host, as many at
once as there are workers, judged by the same rule (agreement is printed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from codeinterview.benchmarks import load_benchmark  # noqa: E402
from codeinterview.grading.program import RelativeTimeout, assemble, judge, program_text  # noqa: E402
from codeinterview.grading.answer import grade_answer  # noqa: E402
from codeinterview.sandbox import Job, Limits, open_sandbox  # noqa: E402

DEFAULT_DATA = (Path(os.environ.get("CODEINTERVIEW_DATASETS", ROOT.parent / "shared" / "datasets"))
                / "humanevalplus" / "HumanEvalPlus.jsonl.gz")
MUTATIONS = [("<=", "<"), (">=", ">"), ("<", "<="), (">", ">="), ("==", "!="), ("+ 1", "+ 2"),
             ("- 1", "- 2"), (" + ", " - "), ("True", "False"), ("[::-1]", ""), ("return ", "return not ")]


def answers(question, samples: int) -> list[str]:
    """Completions (bodies continuing the prompt)."""
    prompt = question.fields["Prompt"]["python"]
    body = question.reference("python")[len(prompt):]
    applicable = [(a, b) for a, b in MUTATIONS if a in body] or [("return ", "return None and ")]
    out = []
    for i in range(samples):
        if i < 3:
            out.append(body + f"\n# sample {i}\n")
        elif i == samples - 1:
            out.append("    return None\n")
        else:
            a, b = applicable[i % len(applicable)]
            out.append(body.replace(a, b, 1))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, help="first N tasks only")
    parser.add_argument("--dataset", default=str(DEFAULT_DATA))
    args = parser.parse_args()
    questions = load_benchmark(f"humanevalplus={args.dataset}").questions[:args.limit]
    cases = [(q, a) for q in questions for a in answers(q, args.samples)]
    limits, timing = Limits(), RelativeTimeout()
    print(f"{len(cases)} answers ({len(questions)} tasks x {args.samples}), {args.workers} workers")

    with open_sandbox(workers=args.workers) as sandbox:
        sandbox.run(Job("python", "pass", kind="program"))  # start a worker before timing
        start = time.monotonic()
        with ThreadPoolExecutor(args.workers) as pool:
            graded = list(pool.map(lambda c: grade_answer(sandbox, c[0], "python", c[1],
                                                          c[0].fields["Prompt"]["python"], limits, timing), cases))
        sandbox_s = time.monotonic() - start
    statuses = [g["status"] for g in graded]

    def bare(index: int, case, tmp: Path) -> str:
        question, completion = case
        token = "bench-done"
        body = assemble(question, "python", question.fields["Prompt"]["python"] + completion)
        path = tmp / f"prog{index}.py"
        path.write_text(program_text(body, question.fields["Test"]["python"], "python", token))
        try:
            # no site-packages (-S), like the sandbox's python
            proc = subprocess.run([sys.executable, "-I", "-S", str(path)], capture_output=True, text=True, cwd=tmp,
                                  timeout=graded[index]["timing"]["limit_s"])
        except subprocess.TimeoutExpired:
            return "timeout"
        return judge("python", SimpleNamespace(status="ok", exit_code=proc.returncode, stdout=proc.stdout,
                                               stderr=proc.stderr, error=None), token)[0]

    with tempfile.TemporaryDirectory() as tmp:
        start = time.monotonic()
        with ThreadPoolExecutor(args.workers) as pool:
            bare_statuses = list(pool.map(lambda ic: bare(ic[0], ic[1], Path(tmp)), enumerate(cases)))
        bare_s = time.monotonic() - start

    agree = sum((a == "pass") == (b == "pass") for a, b in zip(statuses, bare_statuses))
    print(f"sandbox: {sandbox_s:7.1f} s  {len(cases) / sandbox_s:6.2f} answers/s  "
          f"(pass {statuses.count('pass')}, incl. {len(questions)} reference runs for the timeouts)")
    print(f"bare:    {bare_s:7.1f} s  {len(cases) / bare_s:6.2f} answers/s  (pass {bare_statuses.count('pass')})")
    print(f"ratio sandbox/bare wall time: {sandbox_s / bare_s:.2f}x; verdicts agree on {agree}/{len(cases)}")


if __name__ == "__main__":
    main()
