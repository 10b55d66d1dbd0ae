"""Hostile values: whatever an answer returns or prints is graded right (on the
host, on the decoded value) and stored bounded, and never crashes a stage.

Three layers: the storage rules (codeinterview/records/values.py), values crossing the
real sandbox in both languages, and evaluate.py end to end on hostile answers.
"""

from __future__ import annotations

import functools
import json
import math
import time
from pathlib import Path

import pytest

pytest.register_assert_rewrite("conftest_sandbox")
from codeinterview.grading.checks import compare  # noqa: E402
from codeinterview.questions import Check  # noqa: E402
from codeinterview.sandbox import Limits  # noqa: E402
from codeinterview.sandbox.types import CheckOutcome  # noqa: E402
from codeinterview.records.values import bounded, bounded_text, int_summary, to_json_line  # noqa: E402

from conftest_sandbox import assert_honest_passes, job  # noqa: E402
from helpers import output_path, records, stage  # noqa: E402

PY, JS = "python", "javascript"
FACT_2000 = math.factorial(2000)
# Roomier than the hostile corpus's limits: one job here runs many value-heavy checks.
VALUE_LIMITS = Limits(timeout_s=40.0, check_timeout_s=8.0, memory_mb=384, cpus=1.0, pids=32,
                      output_bytes=4096)


def strict_loads(line: str):
    """json.loads that refuses the NaN/Infinity tokens (not JSON) and invalid UTF-8."""
    def refuse(token):
        raise AssertionError(f"non-JSON token {token} in {line[:200]}")
    line.encode("utf-8")  # raises on a lone surrogate
    return json.loads(line, parse_constant=refuse)


def nested(depth: int) -> list:
    return functools.reduce(lambda inner, _: [inner], range(depth), [])


def depth_of(value) -> tuple[int, object]:
    """How many single-item lists wrap the innermost value, and that value."""
    n = 0
    while isinstance(value, list) and value:
        value, n = value[0], n + 1
    return n, value


# ------------------------------------------------------------ storage rules


def test_bounded_summarises_huge_ints_without_decimal_conversion():
    assert bounded(10 ** 100000) == "<int: 100001 digits, 1000000000...0000000000>"
    assert bounded(-(10 ** 5000) + 1) == "<int: 5000 digits, -9999999999...9999999999>"
    summary = bounded(FACT_2000)
    assert summary.startswith("<int: 5736 digits, 3316275092...") and summary.endswith("0000000000>")
    assert bounded(12345) == 12345 and bounded(10 ** 999) == 10 ** 999  # small ints stay exact
    assert bounded(True) is True and bounded(None) is None
    start = time.monotonic()
    assert int_summary((1 << 48_000_000) + 12345).startswith("<int: about 14449440 digits")
    assert time.monotonic() - start < 5  # the exact count would take tens of seconds


def test_bounded_text_floats_bytes_and_objects():
    assert [bounded(v) for v in (float("nan"), float("inf"), float("-inf"), 1.5)] == \
        ["<float: nan>", "<float: inf>", "<float: -inf>", 1.5]
    cut = bounded("ab" * 1_000_000)
    assert cut.startswith("abab") and cut.endswith("[... 1998000 more characters not shown]")
    assert bounded("\ud800x") == "\\ud800x"  # a lone surrogate cannot be written as UTF-8
    assert bounded(b"\x00\xff") == "<bytes: 2 bytes, b'\\x00\\xff'>"
    assert bounded(b"x" * 10 ** 6).startswith("<bytes: 1000000 bytes, b'xxx")
    assert bounded(1 + 2j) == "<complex: (1+2j)>"

    class NoRepr:
        def __repr__(self):
            raise RuntimeError("no")

    assert bounded(NoRepr()) == "<NoRepr: unrepresentable: RuntimeError>"
    assert bounded_text("x" * 100_000, 10) == "xxxxxxxxxx[... 99990 more characters not shown]"


def test_bounded_containers_depth_cycles_sets_keys_and_budget():
    inner_depth, inner = depth_of(bounded(nested(10_000)))
    assert inner_depth == 20 and inner == "<list: 1 items, nested too deeply>"
    cycle = [1]
    cycle.append(cycle)
    assert bounded(cycle) == [1, "<cycle>"]
    assert bounded({3, 1, 2}) == [1, 2, 3] and bounded((1, (2, 3))) == [1, [2, 3]]
    assert bounded({(1, 2): "a", 1: "b", None: "c", float("nan"): "d"}) == \
        {"(1, 2)": "a", "1": "b", "null": "c", "<float: nan>": "d"}
    big = bounded(list(range(10 ** 6)))
    assert len(json.dumps(big)) < 12_000 and big[:3] == [0, 1, 2]
    assert big[-1] == f"<... {10 ** 6 - (len(big) - 1)} more items>"
    many = bounded([10 ** 999] * 100)  # each item fine, all together over the budget
    assert len(json.dumps(many)) < 12_000 and many[-1].endswith("more items>")


def test_to_json_line_is_exact_for_what_json_carries():
    record = {"answer": "é" * 100_000, "n": 10 ** 4000, "f": 0.1, "nested": nested(50),
              "k": {"a": [1, None, True]}}
    line = to_json_line(record)
    assert "\n" not in line and strict_loads(line) == record


def test_to_json_line_never_raises_and_writes_strict_bounded_json():
    cycle = {"a": 1}
    cycle["self"] = cycle
    hostile = {"huge": 10 ** 100000, "fact": FACT_2000, "bytes": b"\x00\xff", "nan": float("nan"),
               "inf": [float("inf"), float("-inf")], "deep": nested(100_000), "set": {1, (2, 3)},
               "mega": "x" * (40 << 20), "surrogate": "\udcff", "obj": object(), "cycle": cycle,
               "complex": 1j, (1, 2): "tuple key", "fn": print, "wide": list(range(300_000))}
    line = to_json_line(hostile)
    back = strict_loads(line)
    assert len(line) < 8 << 20
    assert back["huge"] == "<int: 100001 digits, 1000000000...0000000000>"
    assert back["nan"] == "<float: nan>" and back["inf"] == ["<float: inf>", "<float: -inf>"]
    assert back["mega"].endswith("more characters not shown]") and back["surrogate"] == "\\udcff"
    assert back["cycle"] == {"a": 1, "self": "<cycle>"} and back["(1, 2)"] == "tuple key"
    assert back["wide"][-1] == f"<... {300_000 - 100_000} more items>"
    assert depth_of(back["deep"])[1] == "<list: 1 items, nested too deeply>"


def test_grading_compares_full_values_and_stores_them_bounded():
    right = compare(Check(name="c", expr="f.call(2000)", op="eq", expected=FACT_2000), _outcome(FACT_2000))
    # Same digit count, same first and last ten digits: the stored summaries are
    # equal, the values are not, and the verdict follows the values.
    wrong = compare(Check(name="c", expr="f.call(2000)", op="eq", expected=FACT_2000),
                    _outcome(FACT_2000 + 10 ** 100))
    assert right["passed"] and not wrong["passed"]
    assert right["got"] == wrong["got"] == right["expected"] == bounded(FACT_2000)
    for result in (right, wrong):
        assert len(to_json_line(result)) < 1000
    # approx against an int past the float range: a verdict, not an OverflowError
    approx = Check(name="c", expr="f.call(200)", op="approx", expected=1e300, tol=1e-9)
    assert not compare(approx, _outcome(10 ** 400))["passed"]
    assert compare(Check(name="c", expr="x", op="approx", expected=10 ** 400, tol=1e-9),
                   _outcome(10 ** 400))["passed"]
    nan = compare(Check(name="c", expr="x", op="eq", expected=0), _outcome(float("nan")))
    assert not nan["passed"] and nan["got"] == "<float: nan>"
    strict_loads(to_json_line(nan))


def _outcome(value):
    return CheckOutcome(name="c", value=value)


# ------------------------------------------------------------ through the real sandbox

PY_HOSTILE = r'''
import math

class Loud(int):
    def __int__(self): raise RuntimeError("no")
    def bit_length(self): return 1
    def __repr__(self): raise RuntimeError("no")

class Sneaky(list):
    def __iter__(self): raise RuntimeError("no")
    def __len__(self): return 10 ** 9

class NoRepr:
    def __repr__(self): raise RuntimeError("no")

class BadExc(Exception):
    def __str__(self): raise RuntimeError("no")

class Point:
    def __init__(self, x, y): self.x, self.y = x, y
    def __repr__(self): return "Point(%d, %d)" % (self.x, self.y)

def f(kind):
    if kind == "fact": return math.factorial(2000)
    if kind == "huge": return 10 ** 100000
    if kind == "neg": return -(10 ** 5000)
    if kind == "bytes": return b"\x00\xff" * 3
    if kind == "floats": return [float("nan"), float("inf"), float("-inf"), -0.0]
    if kind == "complex": return 1 + 2j
    if kind == "set": return {1, (2, 3), frozenset({4}), None, "a"}
    if kind == "odd": return [Point(1, 2), f, NoRepr(), Loud(7), Sneaky([1, 2])]
    if kind in ("deep", "nest60"):
        v = []
        for _ in range(10000 if kind == "deep" else 60):
            v = [v]
        return v
    if kind == "cycle":
        v = [1]
        v.append(v)
        return v
    if kind == "dag":
        v = []
        for _ in range(100):
            v = [v, v]
        return v
    if kind == "mega": return "ab" * 1500000
    if kind == "surrogate": return "\ud800x"
    if kind == "bad_exc": raise BadExc()
    if kind == "too_big": return "x" * (20 << 20)
    if kind == "wide": return "\u00e9" * 3000000
'''

JS_HOSTILE = r'''
function f(kind) {
  if (kind === 'fact') { let r = 1n; for (let i = 2n; i <= 2000n; i++) r *= i; return r; }
  if (kind === 'huge') return 10n ** 100000n;
  if (kind === 'neg') return -(10n ** 5000n);
  if (kind === 'bytes') return Buffer.from([0, 255]);
  if (kind === 'floats') return [NaN, Infinity, -Infinity, -0];
  if (kind === 'odd') return [undefined, Symbol('s'), new Map([[1, 'a'], ['k', [2]]]), new Set([1, 'x']), function g(a) { return a; }];
  if (kind === 'circular') { const o = { a: 1 }; o.self = o; o.list = [o]; return o; }
  if (kind === 'getter') return { get boom() { throw new Error('no'); }, ok: 1 };
  if (kind === 'proxy') return new Proxy({}, { ownKeys() { throw new Error('trap'); } });
  if (kind === 'proto') return JSON.parse('{"__proto__": 5, "b": 2}');
  if (kind === 'deep' || kind === 'nest60') { let v = []; for (let i = 0; i < (kind === 'deep' ? 10000 : 60); i++) v = [v]; return v; }
  if (kind === 'dag') { let v = []; for (let i = 0; i < 100; i++) v = [v, v]; return v; }
  if (kind === 'sparse') return new Array(1e9);
  if (kind === 'mega') return 'ab'.repeat(1500000);
  if (kind === 'surrogate') return '\ud800x';
  if (kind === 'throw_odd') throw Object.create(null);
  if (kind === 'too_big') return 'x'.repeat(20 << 20);
  if (kind === 'wide') return '\u00e9'.repeat(9000000);
}
'''

# (check name, expression); a *_after check right after a too-large value proves
# the child's reply channel is still in step.
PY_CHECKS = ["fact", "huge", "neg", "bytes", "floats", "complex", "set", "odd", "deep", "nest60",
             "cycle", "dag", "dag_after", "mega", "surrogate", "bad_exc", "too_big", "too_big_after",
             "wide", "wide_after"]
JS_CHECKS = ["fact", "huge", "neg", "bytes", "floats", "odd", "circular", "getter", "proxy", "proto",
             "deep", "nest60", "dag", "dag_after", "sparse", "mega", "surrogate", "throw_odd",
             "too_big", "too_big_after", "wide", "wide_after"]


def run_hostile(pool, lang):
    code, names = (PY_HOSTILE, PY_CHECKS) if lang == PY else (JS_HOSTILE, JS_CHECKS)
    checks = [(n, "f.call('fact')" if n.endswith("_after") else f"f.call({n!r})") for n in names]
    res = pool.run(job(lang, code, checks, limits=VALUE_LIMITS))
    return res, {c.name: c for c in res.checks}


def assert_too_large(check):
    assert check.error_type == "ValueTooLarge" and check.value is None, check
    assert not check.timeout and not check.oom, check


def assert_common(c):
    """What both languages must deliver exactly, decoded on the host."""
    assert c["fact"].value == FACT_2000 and c["fact"].error is None
    assert c["huge"].value == 10 ** 100000 and c["neg"].value == -(10 ** 5000)
    nan, inf, ninf, zero = c["floats"].value
    assert nan != nan and inf == math.inf and ninf == -math.inf and zero == 0
    assert c["nest60"].value == nested(60)
    levels, innermost = depth_of(c["deep"].value)
    assert 90 <= levels <= 101 and "nested too deeply" in innermost
    assert c["mega"].value == "ab" * 1_500_000
    assert c["surrogate"].value == "\ud800x"
    for name in ("dag", "too_big", "wide"):
        assert_too_large(c[name])
        assert c[name + "_after"].value == FACT_2000, c[name + "_after"]


def assert_stored_bounded(checks, res, expected):
    """Grade each check on the host and write the results as a record line."""
    results = [compare(Check(name=n, expr="x", op="eq", expected=e), checks[n]) for n, e in expected.items()]
    for result in results:
        assert result["passed"], result
    record = {"checks": [compare(Check(name=c.name, expr="x", op="eq", expected=0), c) for c in res.checks],
              "stdout": bounded_text(res.stdout), "stderr": bounded_text(res.stderr)}
    line = to_json_line(record)
    strict_loads(line)
    assert len(line) < 400_000, len(line)
    assert all(len(json.dumps(r["got"])) < 12_000 for r in record["checks"])
    assert json.loads(line)["checks"][1]["got"] == "<int: 100001 digits, 1000000000...0000000000>"


def test_python_hostile_values_cross_exactly(pool):
    res, c = run_hostile(pool, PY)
    assert res.status == "ok", res.status
    assert_common(c)
    assert c["bytes"].value == b"\x00\xff" * 3 and c["complex"].value == 1 + 2j
    assert c["set"].value == {1, (2, 3), frozenset({4}), None, "a"}
    point, fn, norepr, loud, sneaky = c["odd"].value
    assert point == "Point(1, 2)" and fn.startswith("<function f")
    assert norepr == "<unrepresentable NoRepr: RuntimeError>"
    assert loud == 7 and sneaky == [1, 2]  # subclasses read through the base type
    assert c["cycle"].value == [1, "<cycle>"]
    assert c["bad_exc"].error_type == "BadExc" and "unprintable" in c["bad_exc"].error
    assert_stored_bounded(c, res, {"fact": FACT_2000, "bytes": b"\x00\xff" * 3, "complex": 1 + 2j,
                                   "mega": "ab" * 1_500_000, "set": {1, (2, 3), frozenset({4}), None, "a"}})
    assert_honest_passes(pool, PY)


def test_javascript_hostile_values_cross_exactly(pool):
    res, c = run_hostile(pool, JS)
    assert res.status == "ok", res.status
    assert_common(c)
    assert c["bytes"].value == [0, 255]
    undefined, symbol, map_, set_, fn = c["odd"].value
    assert undefined is None and symbol == "Symbol(s)" and map_ == {1: "a", "k": [2]}
    assert set_ == {1, "x"} and fn.startswith("function g(a)")
    assert c["circular"].value == {"a": 1, "self": "<cycle>", "list": ["<cycle>"]}
    assert c["getter"].value == {"boom": "<getter threw Error>", "ok": 1}
    assert c["proxy"].value.startswith("<unrepresentable")
    assert c["proto"].value == {"__proto__": 5, "b": 2}
    assert_too_large(c["sparse"])
    assert c["throw_odd"].error_type == "object" and c["throw_odd"].error  # thrown, not crashed
    assert_stored_bounded(c, res, {"fact": FACT_2000, "huge": 10 ** 100000, "bytes": [0, 255],
                                   "mega": "ab" * 1_500_000})
    assert_honest_passes(pool, JS)


# ------------------------------------------------------------ evaluate.py end to end

SUITE = r'''
BigFactorial:
  Signature: "factorial(n)"
  Input: "an integer n >= 0"
  Output: "n! exactly (JavaScript: a BigInt)"
  Checks:
    small:
      assert: "f.call(5)"
      eq: 120
    exact_2000:
      assert: "f.call(2000) == __import__('math').factorial(2000)"
      eq: true
    mod_2000:
      assert: "f.call(2000) % 1000000007"
      eq: MOD_2000
    near_float_max:
      assert: "f.call(170)"
      approx: 7.257415615307994e+306
      tol: 1.0e-9

Special:
  Signature: "special(kind)"
  Input: "a string naming a value"
  Output: "that value"
  Checks:
    nan:
      assert: "(lambda v: isinstance(v, float) and v != v)(f.call('nan'))"
      eq: true
    inf:
      assert: "f.call('inf') == float('inf')"
      eq: true
    bytes:
      assert: "(lambda v: v == b'\\x00\\xff' or v == [0, 255])(f.call('bytes'))"
      eq: true
    deep:
      assert: "f.call('deep') == __import__('functools').reduce(lambda a, _: [a], range(60), [])"
      eq: true
    text:
      assert: "f.call('text')"
      eq: "abc"
    big_string:
      assert: "(lambda v: isinstance(v, str) and len(v) == 1000000 and v[:4])(f.call('big_string'))"
      eq: "abab"
    odd:
      assert: "f.call('odd')"
      eq: null
'''

ANSWERS = {
    ("BigFactorial", PY, "right"): "import math\n\ndef factorial(n):\n    return math.factorial(n)\n",
    ("BigFactorial", PY, "wrong"): "def factorial(n):\n    return 10 ** 100000\n",
    ("BigFactorial", JS, "right"):
        "function factorial(n) {\n  let r = 1n;\n  for (let i = 2n; i <= BigInt(n); i++) r *= i;\n  return r;\n}\n",
    ("BigFactorial", JS, "wrong"): "function factorial(n) {\n  return 10n ** 100000n;\n}\n",
    ("Special", PY, "right"): r'''
import functools
import sys

def special(kind):
    sys.stdout.buffer.write(b"\xff\xfe chatty, not UTF-8 " * 100000)
    sys.stdout.flush()
    if kind == "nan":
        return float("nan")
    if kind == "inf":
        return float("inf")
    if kind == "bytes":
        return b"\x00\xff"
    if kind == "deep":
        return functools.reduce(lambda a, _: [a], range(60), [])
    if kind == "text":
        return "abc"
    if kind == "big_string":
        return "ab" * 500000
    return None
''',
    ("Special", PY, "wrong"): r'''
import sys

class Thing:
    pass

def special(kind):
    sys.stdout.buffer.write(b"\xff\xfe junk " * 300000)
    sys.stdout.flush()
    deep = []
    for _ in range(5000):
        deep = [deep]
    cycle = [1]
    cycle.append(cycle)
    return {"nan": complex(1, 2), "inf": float("-inf"), "bytes": object(), "deep": deep,
            "text": "\ud800" * 10 + "x" * 3000000, "big_string": b"\x00" * 1000000,
            "odd": [{frozenset({1}), (2, Thing)}, Thing(), special, cycle, 10 ** 50000]}[kind]
''',
    ("Special", JS, "right"): r'''
function special(kind) {
  process.stdout.write(Buffer.alloc(1 << 20, 0xff));
  if (kind === 'nan') return NaN;
  if (kind === 'inf') return Infinity;
  if (kind === 'bytes') return Buffer.from([0, 255]);
  if (kind === 'deep') { let v = []; for (let i = 0; i < 60; i++) v = [v]; return v; }
  if (kind === 'text') return 'abc';
  if (kind === 'big_string') return 'ab'.repeat(500000);
  return undefined;
}
''',
    ("Special", JS, "wrong"): r'''
function special(kind) {
  process.stdout.write(Buffer.alloc(3 << 20, 0xfe));
  const circ = { a: 1 };
  circ.self = circ;
  let deep = [];
  for (let i = 0; i < 5000; i++) deep = [deep];
  const values = { nan: 10n ** 100000n, inf: Symbol('inf'), bytes: new Map([[1, 'a'], [{}, circ]]), deep,
                   text: '\ud800'.repeat(10) + 'x'.repeat(3000000), big_string: undefined,
                   odd: [circ, () => 1, new Set([circ]), -(10n ** 60000n)] };
  return values[kind];
}
''',
}

LINE_CAP = 400_000  # characters per eval record: the answer's own text plus bounded values and output


def test_evaluate_grades_hostile_answers_and_stores_them_bounded(tmp_path: Path):
    suite = tmp_path / "hostile"
    suite.mkdir()
    (suite / "hostile.yaml").write_text(SUITE.replace("MOD_2000", str(FACT_2000 % 1000000007)))
    prepared = output_path(stage("prepare.py", "--interview", suite, "--output", tmp_path / "prepare.ndjson"))
    prompts = records(prepared)
    assert sorted((r["name"], r["language"]) for r in prompts) == \
        [("BigFactorial", JS), ("BigFactorial", PY), ("Special", JS), ("Special", PY)]
    rows = []
    for sample, kind in enumerate(("right", "wrong")):
        for r in prompts:
            code = ANSWERS[(r["name"], r["language"], kind)]
            fence = "python" if r["language"] == PY else "javascript"
            rows.append({**r, "sample": sample, "stage": "interview", "executor": "hand", "model": kind,
                         "answer": f"Here it is:\n\n```{fence}\n{code}\n```\n"})
    answers = tmp_path / "interview.ndjson"
    answers.write_text("".join(to_json_line(r) + "\n" for r in rows))

    out = tmp_path / "eval.ndjson"
    proc = stage("evaluate.py", "--input", answers, "--output", out, "--workers", "2",
                 "--check-timeout", "15", "--job-timeout", "90")
    assert output_path(proc) == out  # (stage() has already checked the exit code)

    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(rows) == 8
    graded = {}
    for line in lines:
        assert len(line) < LINE_CAP, (len(line), line[:300])
        row = strict_loads(line)
        graded[(row["name"], row["language"], "right" if row["sample"] == 0 else "wrong")] = row
    assert set(graded) == set(ANSWERS)
    for (name, lang, kind), row in graded.items():
        want = "pass" if kind == "right" else "fail"
        detail = [(c["name"], c["passed"], c.get("error"), str(c["got"])[:80]) for c in row["checks"]]
        assert row["status"] == want, (name, lang, kind, detail)
        for c in row["checks"]:
            assert len(json.dumps(c["got"])) < 12_000, (name, lang, kind, c["name"])

    wrong_fact = {c["name"]: c for c in graded[("BigFactorial", PY, "wrong")]["checks"]}
    assert wrong_fact["small"]["got"] == "<int: 100001 digits, 1000000000...0000000000>"
    assert not wrong_fact["near_float_max"]["passed"] and wrong_fact["near_float_max"]["error"] is None
    js_fact = {c["name"]: c for c in graded[("BigFactorial", JS, "wrong")]["checks"]}
    assert js_fact["small"]["got"] == wrong_fact["small"]["got"]
    wrong_special = {c["name"]: c for c in graded[("Special", PY, "wrong")]["checks"]}
    assert wrong_special["text"]["got"].startswith("\\ud800" * 10 + "x")
    assert wrong_special["text"]["got"].endswith("more characters not shown]")
    right_special = graded[("Special", PY, "right")]
    assert "\ufffd" in right_special["stdout"] and len(right_special["stdout"]) < 70_000
    assert right_special["stdout"].endswith("more bytes not shown]")

    # the file reads back through the stage readers: a re-grade of it runs to the end as well
    again = stage("evaluate.py", "--input", out, "--output", tmp_path / "regrade.ndjson",
                  "--workers", "2", "--check-timeout", "15", "--job-timeout", "90")
    regraded = records(output_path(again))
    assert sorted(r["status"] for r in regraded) == sorted(r["status"] for r in graded.values())
