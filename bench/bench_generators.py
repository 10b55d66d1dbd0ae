"""Generated questions: how fast each generator draws, how big its questions
are, and (with --sandbox) how long its references take to grade in the Docker
sandbox through the real stages, per generator over its default grid.

    python bench/bench_generators.py [--instances 3] [--seed 0] [--sandbox]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from codeinterview import generators  # noqa: E402
from codeinterview.generators.grid import generate_question, parse_grid  # noqa: E402


def stage(*args: str) -> Path:
    proc = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True, check=True)
    return Path(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sandbox", action="store_true", help="also grade the references in the sandbox")
    args = parser.parse_args()
    print("| generator | levels | questions | ms/question | KiB/question (max) | checks/question | "
          "hidden | grading s (py+js) |")
    print("|---|---|---|---|---|---|---|---|")
    for name in generators.names():
        gen, levels = generators.get(name), list(parse_grid(name).levels())
        start, sizes, checks, hidden = time.perf_counter(), [], 0, 0
        for level in levels:
            for index in range(args.instances):
                fields = generate_question(gen, level, args.seed, index)
                sizes.append(len(json.dumps(fields)))
                checks += len(fields["Checks"])
                hidden += sum(c.get("visible") is False for c in fields["Checks"].values())
        count = len(levels) * args.instances
        elapsed = 1000 * (time.perf_counter() - start) / count
        graded = "-"
        if args.sandbox:
            with tempfile.TemporaryDirectory() as tmp:
                t = time.perf_counter()
                prepared = stage("prepare.py", "--generate", name, "--instances", str(args.instances),
                                 "--seed", str(args.seed), "--output", f"{tmp}/p.ndjson")
                answers = stage("interview.py", "--input", str(prepared), "--output", f"{tmp}/i.ndjson")
                evals = stage("evaluate.py", "--input", str(answers), "--output", f"{tmp}/e.ndjson")
                rows = [json.loads(line) for line in evals.read_text().splitlines()]
                passed = sum(r["status"] == "pass" for r in rows)
                graded = f"{time.perf_counter() - t:.1f} ({passed}/{len(rows)} pass)"
        print(f"| {name} | {len(levels)} | {count} | {elapsed:.1f} | {sum(sizes) / count / 1024:.1f} "
              f"({max(sizes) / 1024:.1f}) | {checks / count:.1f} | {hidden / count:.1f} | {graded} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
