"""The sandbox grades honest and broken answers right, in Python and JavaScript."""

import threading

import pytest

pytest.register_assert_rewrite("conftest_sandbox")
from conftest_sandbox import HONEST, assert_honest_passes, job  # noqa: E402


LANGS = ["python", "javascript"]

VALUES = {
    "python": "def shape(n):\n    return {'list': [[1, 2], [3]], 'none': None, 'f': 1.5, 'n': n, 's': 'é'}\n",
    "javascript": "function shape(n) {\n  return {list: [[1, 2], [3]], none: null, f: 1.5, n: n, s: 'é'};\n}\n",
}


@pytest.mark.parametrize("lang", LANGS)
def test_honest_answer_values_cross_right(pool, lang):
    res = pool.run(job(lang, VALUES[lang], [("v", "f.call(3)"), ("eq", "f.call(0)['none'] is None")],
                       function="shape"))
    assert res.status == "ok"
    assert res.function == {"name": "shape", "args": ["n"], "fallback": False}
    assert res.checks[0].value == {"list": [[1, 2], [3]], "none": None, "f": 1.5, "n": 3, "s": "é"}
    assert res.checks[1].value is True


@pytest.mark.parametrize("lang", LANGS)
def test_name_and_args(pool, lang):
    code = {"python": "def helper(x):\n    return x\n\ndef add(a, b=2, *rest):\n    return a + b\n",
            "javascript": "function helper(x) { return x; }\nconst add = (a, b = 2, ...rest) => a + b;\n"}[lang]
    res = pool.run(job(lang, code, [("name", "f.name"), ("args", "[a.name for a in f.args]"),
                                    ("n", "len(f.args)"), ("call", "f.call(1)")], function="add"))
    assert res.status == "ok"
    assert [c.value for c in res.checks] == ["add", ["a", "b", "rest"], 3, 3]


def test_js_parameter_forms(pool):
    code = ("function a(x, {p, q} = {}, [r, s], y = (1, 2)) { return 1; }\n"
            "const b = async z => z * 2;\n"
            "var c = function (m, n /* comment */) { return m; };\n")
    checks = [("a", "f.call(0)")]
    for name, expected in (("a", ["x", "{p, q}", "[r, s]", "y"]), ("b", ["z"]), ("c", ["m", "n"])):
        res = pool.run(job("javascript", code, checks + [("args", "[x.name for x in f.args]")],
                           function=name))
        assert res.checks[1].value == expected, name
    assert pool.run(job("javascript", code, [("v", "f.call(21)")], function="b")).checks[0].value == 42


@pytest.mark.parametrize("lang", LANGS)
def test_misnamed_function_falls_back_for_partial_credit(pool, lang):
    code = HONEST[lang].replace("fib", "fibonacci")
    res = pool.run(job(lang, code, [("v10", "f.call(10)"), ("name", "f.name")], function="potato"))
    assert res.status == "no_function"
    assert res.function["fallback"] is True and res.function["name"] == "fibonacci"
    assert [c.value for c in res.checks] == [55, "fibonacci"]


@pytest.mark.parametrize("lang,code", [("python", "x = 1\n"), ("javascript", "const x = 1;\n")])
def test_no_function_at_all(pool, lang, code):
    res = pool.run(job(lang, code, [("v", "f.call(1)")], function="fib"))
    assert res.status == "no_function" and res.function is None and res.checks == []


def test_named_function_wins_over_first_defined(pool):
    code = "def helper(n):\n    return -1\n\ndef fib(n):\n    return 8\n\ndef later(n):\n    return -2\n"
    res = pool.run(job("python", code, [("v", "f.call(6)")], function="fib"))
    assert res.status == "ok" and res.checks[0].value == 8


@pytest.mark.parametrize("lang,code,line", [
    ("python", "def f(x):\n    return x +\n", 2),
    ("javascript", "function f(x) {\n  return x +;\n}\n", 2),
])
def test_syntax_error_has_line(pool, lang, code, line):
    res = pool.run(job(lang, code, [("v", "f.call(1)")]))
    assert res.status == "syntax_error"
    assert res.error["line"] == line and "SyntaxError" in res.error["message"]
    assert res.checks == []


@pytest.mark.parametrize("lang,code", [
    ("python", "raise ValueError('boom at load')\ndef f(x):\n    return x\n"),
    ("javascript", "throw new Error('boom at load');\nfunction f(x) { return x; }\n"),
])
def test_exception_at_load_is_runtime_error(pool, lang, code):
    res = pool.run(job(lang, code, [("v", "f.call(1)")]))
    assert res.status == "runtime_error"
    assert "boom at load" in res.error["message"]


@pytest.mark.parametrize("lang,code,etype", [
    ("python", "def f(x):\n    return 1 / x\n", "ZeroDivisionError"),
    ("javascript", "function f(x) {\n  if (x === 0) throw new TypeError('zero');\n  return 1 / x;\n}\n", "TypeError"),
])
def test_raising_check_reports_error_and_others_still_run(pool, lang, code, etype):
    res = pool.run(job(lang, code, [("bad", "f.call(0)"), ("good", "f.call(4)")]))
    assert res.status == "ok"
    bad, good = res.checks
    assert bad.error_type == etype and etype in bad.error and bad.value is None
    assert bad.traceback and not bad.timeout
    assert good.value == 0.25 and good.error is None


def test_special_values_round_trip(pool):
    code = ("def f(x):\n    return (x, {1, 2}, {(1, 2): 'a', 3: 'b'}, float('nan'), float('-inf'), b'\\x00', "
            "{'$tuple': 1}, object())\n")
    res = pool.run(job("python", code, [("v", "f.call([1, (2, 3)])")]))
    value = res.checks[0].value
    assert value[0] == [1, (2, 3)] and value[1] == {1, 2} and value[2] == {(1, 2): "a", 3: "b"}
    assert value[3] != value[3] and value[4] == float("-inf") and value[5] == b"\x00"
    assert value[6] == {"$tuple": 1} and value[7].startswith("<object object")


def test_js_special_values(pool):
    code = "function f(x) { return [undefined, NaN, Infinity, new Set([1]), new Map([[1, 'a']]), 10n, x]; }\n"
    res = pool.run(job("javascript", code, [("v", "f.call((1, 2))")]))
    v = res.checks[0].value
    assert v[0] is None and v[1] != v[1] and v[2] == float("inf")
    assert v[3] == {1} and v[4] == {1: "a"} and v[5] == 10 and v[6] == [1, 2]


@pytest.mark.parametrize("lang,code", [
    ("python", "import sys\nprint('out')\nprint('err', file=sys.stderr)\nsys.exit(3)\n"),
    ("javascript", "console.log('out');\nconsole.error('err');\nprocess.exit(3);\n"),
])
def test_program_exit_code_and_streams(pool, lang, code):
    res = pool.run(job(lang, code, kind="program", function=None))
    assert res.status == "runtime_error"
    assert (res.exit_code, res.stdout, res.stderr) == (3, "out\n", "err\n")


def test_node_console_assert_goes_to_stderr_with_exit_zero(pool):
    res = pool.run(job("javascript", "console.assert(1 === 2, 'expected 2');\n", kind="program",
                       function=None))
    assert res.exit_code == 0 and res.status == "ok"
    assert "Assertion failed: expected 2" in res.stderr


def test_python_program_failure_traceback_hides_runner(pool):
    res = pool.run(job("python", "def g():\n    assert 1 == 2\ng()\n", kind="program", function=None))
    assert res.exit_code == 1 and "AssertionError" in res.stderr
    assert "child_py" not in res.stderr and 'prog.py", line 2' in res.stderr


def test_python_program_syntax_error(pool):
    res = pool.run(job("python", "print('never')\ndef f(:\n", kind="program", function=None))
    assert res.status == "syntax_error" and res.error["line"] == 2 and res.stdout == ""


def test_parallel_jobs_from_many_threads(pool):
    results = {}

    def work(i):
        lang = "python" if i % 2 else "javascript"
        results[i] = pool.run(job(lang, HONEST[lang], [("v", "f.call(%d)" % i)], function="fib"))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    fibs = [0, 1, 1, 2, 3, 5, 8, 13]
    assert [results[i].checks[0].value for i in range(8)] == fibs


def test_pool_survives_all_of_the_above(pool):
    for lang in LANGS:
        assert_honest_passes(pool, lang)
