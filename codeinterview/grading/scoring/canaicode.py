"""can-ai-code's scoring (`evaluate.py --scoring can-ai-code`): its evaluate.py
rules, reproduced so that our numbers compare with its leaderboard.

Upstream is the-crypt-keeper/can-ai-code: evaluate.py (evaluation(), lines
10-108), sbox/sandbox.py (extract_function_info() lines 12-41, FunctionSandbox
lines 99-146) and the wrapper sbox/eval.python.tpl. Comments cite those
lines. In short:

- `f.name` and `f.args` are read from the code's text with upstream's regular
  expressions, so an answer that does not load still earns its name checks;
- each `f.call(...)` runs the whole answer afresh (here: one sandbox job per
  call) and returns the value as JSON carries it, or upstream's error object
  ({"error": ..., "exc_type": ...}) instead of raising;
- each check expression is evaluated here, on the host, as upstream does (only
  the names, attributes and syntax its checks use: SAFE_NODES and the rest);
- list and dict results earn partial credit per element, floored to whole
  weight units; an answer passes when it earns every unit.

Kept out on purpose (an upstream bug): upstream binds `f` to the *first*
function the answer defines (sandbox.py:108), so a helper written first is
graded instead of the asked function. We bind the function the Signature
names when the text defines it, and the first one only when it does not.
"""

from __future__ import annotations

import ast
import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ...errors import UserError
from ...questions import Check, Question
from ...records.schema import CheckReason, Status
from ...records.values import bounded, bounded_text
from ...sandbox.types import CheckSpec, Job, JobResult, Limits, Sandbox, SandboxUnavailable
from ..checks import ungraded
from ..compare import approx_equal, unordered_equal

# sandbox.py:13-18, verbatim: how upstream finds functions in the text.
FUNCTION_RE = {
    "python": re.compile(r"def\s+(.*)\s*\((.*)\)(.*):", re.MULTILINE),
    "javascript": re.compile(r"function\**\s+(\S*)\s*\((.*)\)(.*){", re.MULTILINE),
}
JS_ARROW_RE = re.compile(r"\s+(\S*)\s*=\s*\((.*)\)(.*)\s*=>\s*{", re.MULTILINE)
# The patterns backtrack cubically on a long line that does not match: lines
# past this are left out of the search (no signature is that long; a model's
# degenerate output can be).
LINE_CHARS = 1000

TIMEOUT_OBJECT = {"error": "timeout!"}  # what sbox/timeout.sh prints for a call past its limit
KILLED_EXIT = 137                       # a process killed for memory: no "###" line, exit 137


@dataclass(frozen=True)
class TextFunction:
    """One function as upstream reads it from the text (extract_function_info)."""

    name: str
    args: tuple[str, ...]


@dataclass(frozen=True)
class Arg:
    """FunctionArg (sandbox.py:94-97): what `f.args[i]` is."""

    name: str
    type: None = None


def text_functions(language: str, code: str) -> list[TextFunction]:
    """sandbox.py:22-41: every regex match, JavaScript arrows only when no
    `function` matched; an argument is its text up to ':' (a default stays:
    `b=5` is named "b=5")."""
    code = "\n".join(line for line in code.split("\n") if len(line) <= LINE_CHARS)
    matches = FUNCTION_RE[language].findall(code)
    if not matches and language == "javascript":
        matches = JS_ARROW_RE.findall(code)
    return [TextFunction(m[0], tuple(a.strip().split(":")[0] for a in m[1].split(",") if a))
            for m in matches]


def bind(functions: list[TextFunction], wanted: str) -> TextFunction | None:
    """The function the Signature names; else upstream's first (sandbox.py:108)."""
    for fn in functions:
        if fn.name.strip() == wanted:
            return fn
    return functions[0] if functions else None


def call_expression(language: str, args: tuple[Any, ...]) -> str:
    """The check the sandbox evaluates for one upstream call. Upstream writes the
    arguments as JSON into the call's text (build_args, sandbox.py:114-127): in
    Python that text is the call, so true/false/null arguments raise NameError
    there as they do upstream; JavaScript reads JSON as its own syntax."""
    text = ",".join(json.dumps(a) for a in args)  # a value JSON cannot write raises, as upstream
    if language == "python":
        return f"f.call({text})"
    return f"f.call(*{json.loads('[' + text + ']')!r})"


class NotJSON(TypeError):
    """A value upstream's json.dumps refuses (eval.python.tpl's last line)."""


def json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):  # true, null, 1, 1.5 as json.dumps writes them
        return json.dumps(key)
    raise NotJSON(type(key).__name__)


def json_value(value: Any, language: str) -> Any:
    """A returned value as upstream reads it back: through JSON (tuples become
    lists, dict keys strings; a JavaScript Set writes as {})."""
    if isinstance(value, (list, tuple)):
        return [json_value(v, language) for v in value]
    if isinstance(value, dict):
        return {json_key(k): json_value(v, language) for k, v in value.items()}
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (set, frozenset)) and language == "javascript":
        return {}
    raise NotJSON(type(value).__name__)


def error_object(error_type: str | None, message: str | None) -> dict[str, Any]:
    """The wrapper's `except` (eval.python.tpl:7-8): {'error': str(e), 'exc_type': ...}."""
    message = message or ""
    prefix = f"{error_type}: "
    return {"error": message[len(prefix):] if message.startswith(prefix) else message,
            "exc_type": error_type}


def killed(code: int) -> dict[str, Any]:
    """No "###" line and a non-zero exit (sandbox.py:137-140)."""
    return {"error": f"non-zero result code {code}", "output": ""}


def upstream_value(result: JobResult, name: str, language: str) -> Any:
    """What upstream's f.call returns, from the sandbox's report of one call job."""
    if result.status in ("syntax_error", "runtime_error"):  # loading raised, inside the wrapper's try
        error = result.error or {}
        return error_object(error.get("type"), error.get("message"))
    if result.status == "timeout":
        return dict(TIMEOUT_OBJECT)
    if result.status == "oom":
        return killed(KILLED_EXIT)
    if result.status == "no_function":  # upstream calls the name: it is not defined
        return error_object("NameError", f"name '{name}' is not defined")
    outcome = result.checks[0]
    if outcome.timeout:
        return dict(TIMEOUT_OBJECT)
    if outcome.oom:
        return killed(KILLED_EXIT)
    if outcome.error is not None:
        return error_object(outcome.error_type, outcome.error)
    try:
        return json_value(outcome.value, language)
    except NotJSON:  # json.dumps raised outside the wrapper's try: exit 1
        return killed(1)


def is_error_object(value: Any) -> bool:
    return isinstance(value, dict) and "error" in value and set(value) <= {"error", "exc_type", "output"}


MAX_CALLS = 256  # sandbox jobs per answer (can-ai-code's questions make one call per check)


@dataclass
class Calls:
    """Runs upstream's calls, each its own sandbox job (a fresh interpreter,
    as each upstream call is a fresh `docker exec`), and keeps what they showed."""

    sandbox: Sandbox
    language: str
    code: str
    limits: Limits
    results: list[JobResult] = field(default_factory=list)

    def run(self, name: str, args: tuple[Any, ...]) -> Any:
        if len(self.results) >= MAX_CALLS:  # a question's assert looping over f.call: not a benchmark
            raise UserError(f"--scoring can-ai-code: an answer's checks made more than {MAX_CALLS} "
                            "calls (one sandbox job each); is an assert calling f.call in a loop?")
        expr = call_expression(self.language, args)
        job = Job(language=self.language, code=self.code, kind="function", function=name.strip(),
                  checks=[CheckSpec("call", expr)], limits=self.limits)
        result = self.sandbox.run(job)  # SandboxUnavailable propagates: never the answer's fault
        self.results.append(result)
        return upstream_value(result, name, self.language)


class UpstreamF:
    """`f` as upstream's check expressions see it (FunctionSandbox)."""

    def __init__(self, fn: TextFunction, calls: Calls):
        self.name = fn.name
        self.args = [Arg(a) for a in fn.args]
        self._calls = calls

    def call(self, *args: Any, **_kwargs: Any) -> Any:
        return self._calls.run(self.name, args)


def list_errors(l1: list, l2: list) -> tuple[int, float]:
    """compare_lists (evaluate.py:58-67): position by position, None past an end.
    Upstream divides by zero on two empty lists; here they agree fully."""
    n = max(len(l1), len(l2))
    bad = sum(1 for i in range(n) if (l1[i] if i < len(l1) else None) != (l2[i] if i < len(l2) else None))
    return bad, (n - bad) / n if n else 1.0


def list_ratio(expected: list, got: list) -> tuple[bool, float]:
    """evaluate.py:70-91. Lengths off by one are aligned both ways, padding the
    shorter at its end and at its start; upstream keeps the alignment with
    *more* errors (evaluate.py:80-82, 87-89), and so do we."""
    if len(expected) == len(got):
        errors, ratio = list_errors(expected, got)
    elif len(expected) > len(got):
        errors, ratio = list_errors(expected, got + [None])
        pre = list_errors(expected, [None] + got)
        if pre[0] > errors:
            errors, ratio = pre
    else:
        errors, ratio = list_errors(expected + [None], got)
        pre = list_errors([None] + expected, got)
        if pre[0] > errors:
            errors, ratio = pre
    return errors == 0, ratio


def verdict(check: Check, got: Any) -> tuple[bool, float]:
    """(passed, ratio of the weight earned) for one check, evaluate.py:36-91."""
    expected = check.expected
    if check.op == "eq-any" and expected:  # :38-40, `in` (Python ==)
        ok = got in expected
        return ok, float(ok)
    if check.op in ("eq", "eq-any"):
        if isinstance(expected, (str, int)):  # :41-43; a bool is an int
            ok = got == expected
            return ok, float(ok)
        if isinstance(expected, dict):  # :44-55: the expected keys only; extra keys cost nothing
            if not isinstance(got, dict):
                return False, 0.0
            good = sum(1 for k, v in expected.items() if got.get(k) == v)
            return good == len(expected), good / len(expected) if expected else 1.0
        if isinstance(expected, list):  # :56-91
            return list_ratio(expected, got) if isinstance(got, list) else (False, 0.0)
        # A float or null `eq` has no branch upstream (it reuses the previous
        # check's verdict, or stops with NameError): here, plain equality.
        ok = got == expected
        return ok, float(ok)
    # Our extensions (approx, unordered, raises), unknown upstream: all or nothing.
    if check.op == "approx":
        ok = approx_equal(got, expected, check.tol)
    elif check.op == "unordered":
        ok = unordered_equal(got, expected)
    else:  # raises: the call came back as upstream's error object
        ok = is_error_object(got) and "exc_type" in got and (expected is True or expected == got["exc_type"])
    return ok, float(ok)


# What a check expression may use here. Upstream evaluates it on its host
# (evaluate.py:31) and so do we, because each f.call is its own sandbox job; but
# an input record can carry its own question, so the expression is data: only
# these names and attributes (plain values' methods, upstream's f and its args),
# no dunder, no lambda, no import; builtins are this table alone.
SAFE_BUILTINS = {fn.__name__: fn for fn in (
    abs, all, any, bool, dict, enumerate, float, int, isinstance, len, list, max, min, range,
    reversed, round, set, sorted, str, sum, tuple, zip)}
SAFE_ATTRIBUTES = {"name", "args", "call", "type",  # f and f.args[i]
                   "get", "keys", "values", "items", "count", "index", "lower", "upper", "strip",
                   "split", "startswith", "endswith", "replace", "find", "join"}
SAFE_NODES = (ast.Expression, ast.Constant, ast.Name, ast.Load, ast.Store, ast.List, ast.Tuple,
              ast.Dict, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
              ast.comprehension, ast.Subscript, ast.Slice, ast.Attribute, ast.Call, ast.keyword,
              ast.Starred, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.BinOp, ast.IfExp,
              ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


def checked_expression(check: Check, where: str) -> Any:
    """The check's expression compiled, once its every node is allowed (a UserError if not)."""
    compiled, refused = _compile_allowed(check.expr)
    if refused:
        raise UserError(f"{where}, check '{check.name}': --scoring can-ai-code evaluates asserts "
                        f"outside the sandbox and does not allow {refused} in {check.expr!r}")
    return compiled


@functools.lru_cache(maxsize=4096)
def _compile_allowed(expr: str) -> tuple[Any, str | None]:
    """(code, None), or (None, what is not allowed): once per distinct assert,
    not once per answer."""
    tree = ast.parse(expr, mode="eval")
    for node in ast.walk(tree):
        bad = (not isinstance(node, SAFE_NODES)
               or isinstance(node, ast.Attribute) and node.attr not in SAFE_ATTRIBUTES
               or isinstance(node, ast.Name) and node.id.startswith("_"))
        if bad:
            return None, f".{node.attr}" if isinstance(node, ast.Attribute) else type(node).__name__
    return compile(tree, "<assert>", "eval"), None


def grade_check(check: Check, f: UpstreamF, where: str) -> dict[str, Any]:
    """One check, evaluate.py:29-35 and 93-95: the expression is evaluated here
    with upstream's `f` (the values it sees are plain data decoded from the
    sandbox), an exception becomes its message."""
    code = checked_expression(check, where)
    try:
        got = eval(code, {"__builtins__": SAFE_BUILTINS, "f": f})  # noqa: S307 - allowed nodes only
    except (SandboxUnavailable, UserError):  # the sandbox's failure, or the question's: never a value
        raise
    except Exception as exc:  # noqa: BLE001 - upstream: test_value = str(e)
        got = str(exc)
    ok, ratio = verdict(check, got)
    credit = int(check.weight * ratio)  # :94, floored to whole units
    error = got.get("error") if is_error_object(got) else None
    reason = None if ok else (CheckReason.TIMEOUT if got == TIMEOUT_OBJECT else
                              CheckReason.ERROR if error is not None else CheckReason.WRONG)
    return {"name": check.name, "assert": check.expr, "op": check.op, "expected": bounded(check.expected),
            "got": bounded(got), "passed": bool(ok), "weight": check.weight, "credit": credit,
            "visible": check.visible, "error": bounded_text(str(error)) if error is not None else None,
            "reason": reason.value if reason else None}


def grade_canaicode(sandbox: Sandbox, question: Question, language: str, code: str,
                    limits: Limits) -> dict[str, Any]:
    """The eval fields for one extracted answer, as can-ai-code's evaluation()."""
    if language not in FUNCTION_RE:  # upstream's own two languages, nothing else to replicate
        raise UserError(f"{question.source or question.name}: can-ai-code scoring grades Python and "
                        f"JavaScript only (upstream's languages), not {language}")
    fn = bind(text_functions(language, code), question.function_name)
    if fn is None or fn.name == "":  # evaluate.py:19-22
        return {"code": code, **ungraded(Status.NO_FUNCTION, question.checks, "no function found in the code")}
    calls = Calls(sandbox, language, code, limits)
    f = UpstreamF(fn, calls)
    try:
        results = [grade_check(check, f, question.source or question.name) for check in question.checks]
    except SandboxUnavailable as exc:
        return {"code": code, **ungraded(Status.SANDBOX_ERROR, question.checks, str(exc))}
    total = sum(c.weight for c in question.checks)  # :11
    passed = sum(r["credit"] for r in results)
    load_error = next((r.error for r in calls.results if r.status in ("syntax_error", "runtime_error")), None)
    return {"code": code, "checks": results,
            "status": Status.PASS if passed == total else Status.FAIL,  # :108
            "passed": passed, "total": total, "score": round(passed / total, 4) if total else 0.0,
            "function": {"name": fn.name, "args": list(fn.args), "fallback": fn.name.strip() != question.function_name},
            "error": bounded(load_error),
            "stdout": bounded_text("".join(r.stdout for r in calls.results)),
            "stderr": bounded_text("".join(r.stderr for r in calls.results)),
            "sandbox": {"duration_s": round(sum(r.duration_s for r in calls.results), 4),
                        "replaced": any(r.replaced for r in calls.results), "jobs": len(calls.results)}}
