"""`evaluate.py --scoring can-ai-code`: can-ai-code's evaluate.py rules, run for
real in the sandbox on answers written to exercise each rule.

Every expected number is derived by hand from upstream
(the-crypt-keeper/can-ai-code): evaluate.py's evaluation() and
sbox/sandbox.py's extract_function_info() and FunctionSandbox, cited as
`evaluate.py:N` and `sandbox.py:N`; sbox/eval.python.tpl is the wrapper each
call runs in. The default scoring's numbers for the same answers are checked
too, where they differ.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import output_path, records, stage, write_records

SUITE = """
Tally:
  Signature: "tally(words, start)"
  Input: "words, a list of strings; start, a number"
  Output: "a dict from each word to start plus the times it occurs"
  Checks:
    name: {assert: "f.name", eq: "tally"}
    arg0: {assert: "f.args[0].name", eq: "words"}
    arg1: {assert: "f.args[1].name", eq: "start"}
    counts:
      assert: "f.call(['a', 'b', 'a', 'c', 'd', 'd'], 0)"
      eq: {"a": 2, "b": 1, "c": 1, "d": 2}
      weight: 4
    offset: {assert: "f.call(['x'], 5)", eq: {"x": 6}}
Squares:
  Signature: "squares(n)"
  Input: "n, a positive integer"
  Output: "the list of the squares of 1 to n"
  Checks:
    name: {assert: "f.name", eq: "squares"}
    arg0: {assert: "f.args[0].name", eq: "n"}
    five: {assert: "f.call(5)", eq: [1, 4, 9, 16, 25], weight: 10}
    three: {assert: "f.call(3)", eq: [1, 4, 9], weight: 4}
Negate:
  Signature: "negate(flag)"
  Input: "flag, a boolean"
  Output: "not flag"
  Checks:
    name: {assert: "f.name", eq: "negate"}
    call: {assert: "f.call(True)", eq: false}
"""

TALLY_PY = "def tally(words, start):\n    return {w: start + words.count(w) for w in words}\n"
PY, JS = "python", "javascript"

# (question, language, label) -> (code, can-ai-code's passed, its status, the default's passed, its status).
# Totals (evaluate.py:11, the sum of weights): Tally 1+1+1+4+1 = 8, Squares 1+1+10+4 = 16, Negate 2.
ANSWERS: dict[tuple[str, str, str], tuple[str, int, str, int, str]] = {
    # Both scorings agree on a right answer.
    ("Tally", PY, "right"): (TALLY_PY, 8, "pass", 8, "pass"),
    # Dict partial credit (evaluate.py:44-55): only the expected keys count, each
    # one unit of good/(good+errors); the credit is int(weight * ratio) (:93-95).
    # counts: a, b, c right, d wrong -> 3/4 of weight 4 = 3. offset: {"x": 6, "total": 1}
    # has the one expected key right -> 1 (the extra key costs nothing).
    # 3 + 3 + 1 = 7 of 8: FAIL (:108, PASS only when passed == total). The default
    # gives a check all or nothing: the name and args only, 3.
    ("Tally", PY, "dict_partial"): (
        "def tally(words, start):\n"
        "    counts = {w: start + words.count(w) for w in words}\n"
        "    counts['total'] = len(words)\n"
        "    if 'd' in counts:\n"
        "        counts['d'] = 0\n"
        "    return counts\n", 7, "fail", 3, "fail"),
    # f.name and f.args come from the text (sandbox.py:12-41, 107-112), so an
    # answer that does not load earns them: 3 of 8. Each call's load fails in
    # the wrapper's try (eval.python.tpl) and returns {'error', 'exc_type'},
    # not the expected dict (:45-46): 0. The default grades nothing: 0.
    ("Tally", PY, "syntax_error"): (
        "def tally(words, start):\n    return {w: start + words.count(w) for w in words\n",
        3, "fail", 0, "syntax_error"),
    ("Tally", PY, "raises_on_load"): (TALLY_PY + "raise RuntimeError('top-level code fails')\n",
                                      3, "fail", 0, "runtime_error"),
    # A load that never ends: each call prints timeout.sh's {"error": "timeout!"}.
    ("Tally", PY, "hangs_on_load"): (TALLY_PY + "while True:\n    pass\n", 3, "fail", 0, "timeout"),
    # Each call is a fresh interpreter (FunctionSandbox.call, sandbox.py:123-146:
    # a new `docker exec` per call), so state left by one call never reaches the
    # next: 8 of 8. The default loads the answer once: its second call (offset)
    # sees the first one's state and fails, 7 of 8.
    ("Tally", PY, "state_between_calls"): (
        "seen = []\n\n"
        "def tally(words, start):\n"
        "    seen.append(words)\n"
        "    if len(seen) > 1:\n"
        "        return {}\n"
        "    return {w: start + words.count(w) for w in words}\n", 8, "pass", 7, "fail"),
    # An argument's name is its text up to ':' (sandbox.py:33): a default stays,
    # "start=0" != "start" costs arg1, 7 of 8. The default reads the signature: 8.
    ("Tally", PY, "default_argument"): (
        "def tally(words, start=0):\n    return {w: start + words.count(w) for w in words}\n",
        7, "fail", 8, "pass"),
    # No `def` in the text: NO_FUNCTION (sandbox.py:107-110, evaluate.py:19-22), 0.
    # The default calls the callable the Signature names (its name reads "<lambda>"): 7.
    ("Tally", PY, "lambda"): ("tally = lambda words, start: {w: start + words.count(w) for w in words}\n",
                              0, "no_function", 7, "fail"),
    ("Tally", JS, "syntax_error"): ("function tally(words, start) {\n  return {;\n}\n", 3, "fail", 0, "syntax_error"),
    # List partial credit (evaluate.py:56-91): five, [1, 4, 9, 16, 0], has 4 of 5
    # elements right -> int(10 * 0.8) = 8; three, [1, 4, 0], 2 of 3 -> int(4 * 2/3)
    # = int(2.67) = 2 (floored, :94); with name and arg, 12 of 16.
    ("Squares", PY, "last_wrong"): ("def squares(n):\n    return [i * i for i in range(1, n)] + [0]\n",
                                    12, "fail", 2, "fail"),
    ("Squares", JS, "last_wrong"): (
        "function squares(n) {\n  const out = [];\n  for (let i = 1; i < n; i++) out.push(i * i);\n"
        "  out.push(0);\n  return out;\n}\n", 12, "fail", 2, "fail"),
    # One element short: padded at the end it would lose 1 of 5 (0.8), padded at
    # the start it loses 5 of 5; upstream keeps the alignment with MORE errors
    # (evaluate.py:76-82), so 0 of 10; three, [1, 4], likewise 0 of 4: 2 of 16.
    ("Squares", PY, "one_short"): ("def squares(n):\n    return [i * i for i in range(1, n)]\n",
                                   2, "fail", 2, "fail"),
    # A helper defined first: upstream binds f to it (sandbox.py:108), failing
    # name, arg and the calls; we bind the function the Signature names: 16.
    ("Squares", PY, "helper_first"): (
        "def square(x):\n    return x * x\n\n"
        "def squares(n):\n    return [square(i) for i in range(1, n + 1)]\n", 16, "pass", 16, "pass"),
    # A JavaScript arrow function, found by the second regex (sandbox.py:17-25).
    ("Squares", JS, "arrow"): (
        "const squares = (n) => {\n  return Array.from({length: n}, (_, i) => (i + 1) * (i + 1));\n};\n",
        16, "pass", 16, "pass"),
    # Arguments are written into the call as JSON (build_args, sandbox.py:114-127):
    # in Python `negate(true)` raises NameError, so the right answer earns only
    # its name: 1 of 2. JavaScript reads `true`: 2 of 2.
    ("Negate", PY, "right"): ("def negate(flag):\n    return not flag\n", 1, "fail", 2, "pass"),
    ("Negate", JS, "right"): ("function negate(flag) {\n  return !flag;\n}\n", 2, "pass", 2, "pass"),
}
TOTALS = {"Tally": 8, "Squares": 16, "Negate": 2}
GRADING = ("--workers", "2", "--check-timeout", "2", "--job-timeout", "8")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The answers, graded once with each scoring: {scoring: {(question, language, label): record}}."""
    tmp = tmp_path_factory.mktemp("canaicode")
    suite = tmp / "canaicode"
    suite.mkdir()
    (suite / "canaicode.yaml").write_text(SUITE)
    prompts = {(r["name"], r["language"]): r
               for r in records(output_path(stage("prepare.py", "--interview", suite,
                                                  "--output", tmp / "prepare.ndjson")))}
    rows, labels = [], {}
    for sample, ((name, language, label), (code, *_)) in enumerate(ANSWERS.items()):
        fence = "python" if language == PY else "javascript"
        rows.append({**prompts[(name, language)], "stage": "interview", "sample": sample,
                     "executor": "hand", "model": "hand", "answer": f"Here:\n\n```{fence}\n{code}```\n"})
        labels[sample] = (name, language, label)
    answers = write_records(tmp / "interview.ndjson", rows)
    out = {}
    for scoring in ("can-ai-code", "codeinterview"):
        path = output_path(stage("evaluate.py", "--input", answers, "--output", tmp / f"{scoring}.ndjson",
                                 "--scoring", scoring, *GRADING))
        out[scoring] = {labels[r["sample"]]: r for r in records(path)}
    out["paths"] = {"answers": answers, "can-ai-code": tmp / "can-ai-code.ndjson"}
    return out


def test_can_ai_code_scoring_gives_upstreams_numbers(graded):
    got = {key: (r["passed"], r["total"], r["status"]) for key, r in graded["can-ai-code"].items()}
    want = {key: (passed, TOTALS[key[0]], status) for key, (_, passed, status, _, _) in ANSWERS.items()}
    assert got == want


def test_the_default_scoring_differs_where_documented(graded):
    got = {key: (r["passed"], r["status"]) for key, r in graded["codeinterview"].items()}
    want = {key: (passed, status) for key, (_, _, _, passed, status) in ANSWERS.items()}
    assert got == want


def test_per_check_credit_and_what_upstreams_calls_returned(graded):
    rows = graded["can-ai-code"]

    def checks(*key):
        return {c["name"]: c for c in rows[key]["checks"]}

    partial = checks("Tally", PY, "dict_partial")
    assert {n: (c["credit"], c["passed"]) for n, c in partial.items()} == {
        "name": (1, True), "arg0": (1, True), "arg1": (1, True), "counts": (3, False), "offset": (1, True)}
    assert partial["offset"]["got"] == {"x": 6, "total": 1}

    broken = checks("Tally", PY, "syntax_error")
    assert broken["counts"]["got"]["exc_type"] == "SyntaxError" and broken["counts"]["reason"] == "error"
    assert checks("Tally", PY, "hangs_on_load")["offset"]["got"] == {"error": "timeout!"}
    assert checks("Tally", PY, "default_argument")["arg1"]["got"] == "start=0"
    last_wrong = checks("Squares", PY, "last_wrong")
    assert (last_wrong["five"]["credit"], last_wrong["three"]["credit"]) == (8, 2)
    assert checks("Squares", PY, "one_short")["five"]["credit"] == 0
    assert checks("Negate", PY, "right")["call"]["got"] == {"error": "name 'true' is not defined",
                                                            "exc_type": "NameError"}
    helper = rows[("Squares", PY, "helper_first")]
    assert helper["function"]["name"] == "squares" and not helper["function"]["fallback"]
    # every f.call ran in its own job: Tally has two calls per answer
    assert rows[("Tally", PY, "state_between_calls")]["sandbox"]["jobs"] == 2


def test_records_name_their_scoring_and_a_resume_with_another_is_refused(graded):
    assert {r["grading"]["scoring"] for r in graded["can-ai-code"].values()} == {"can-ai-code"}
    assert {r["grading"]["scoring"] for r in graded["codeinterview"].values()} == {"codeinterview"}
    paths = graded["paths"]
    proc = stage("evaluate.py", "--input", paths["answers"], "--output", paths["can-ai-code"],
                 "--scoring", "codeinterview", *GRADING, check=False)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "grading.scoring" in proc.stderr and "usage:" not in proc.stderr
    assert len(records(Path(paths["can-ai-code"]))) == len(ANSWERS)


@pytest.mark.fast
def test_asserts_are_evaluated_on_the_host_only_with_allowed_names_and_attributes():
    from codeinterview.errors import UserError
    from codeinterview.questions import Check
    from codeinterview.grading.scoring.canaicode import SAFE_BUILTINS, checked_expression

    def check(expr: str) -> Check:
        return Check(name="c", expr=expr, op="eq", expected=None)

    # the shapes can-ai-code's suites use
    for expr in ("[a.name for a in f.args]", "len(f.args)", "isinstance(f.call(1), dict)",
                 "[n for n in range(50) if f.call(n)]", "f.call('x')['a']['mean']", "f.call(1) == 'z' * 3"):
        checked_expression(check(expr), "suite.yaml")
    # and no way out to the host's interpreter
    for expr in ("().__class__", "(x for x in []).gi_frame.f_globals", "__import__('os')",
                 "(lambda: 1)()", "'{0.__class__}'.format(1)"):
        with pytest.raises(UserError, match="does not allow"):
            checked_expression(check(expr), "suite.yaml")
    with pytest.raises(NameError):  # a name is allowed, but builtins are the table alone
        eval(checked_expression(check("open('/etc/passwd')"), "suite.yaml"), {"__builtins__": SAFE_BUILTINS})


@pytest.mark.fast
def test_an_assert_that_calls_f_past_the_cap_stops_the_run_and_is_never_graded_as_a_value():
    from codeinterview.errors import UserError
    from codeinterview.questions import Check
    from codeinterview.sandbox import JobResult, Limits
    from codeinterview.grading.scoring.canaicode import MAX_CALLS, Calls, TextFunction, UpstreamF, grade_check

    # the answer has already used up its calls: the next one is refused before any sandbox job
    calls = Calls(sandbox=None, language="python", code="def f(n):\n    return n", limits=Limits(),
                  results=[JobResult(status="ok")] * MAX_CALLS)
    f = UpstreamF(TextFunction("f", ("n",)), calls)
    loop = Check(name="loop", expr="[f.call(n) for n in range(10**9)]", op="eq", expected=[])
    with pytest.raises(UserError, match=f"more than {MAX_CALLS} calls"):
        grade_check(loop, f, "suite.yaml")
