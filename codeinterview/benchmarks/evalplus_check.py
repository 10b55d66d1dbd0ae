# codeinterview: EvalPlus differential test. This file is not imported on the
# host: its text ends the program of a HumanEval+ answer in the sandbox,
# followed by a call _ci_evalplus("<data>", "<entry_point>"). It follows
# evalplus 0.3.1 (evalplus/eval/__init__.py: unsafe_execute, untrusted_check):
# expected outputs and their times from the canonical solution; per input,
# find_zero's oracle |poly(xs, out)| <= atol, else exact equality, else (when
# atol is on) the same type, the same length and np.allclose(out, exp,
# rtol=1e-7, atol=atol). Each input has its own time limit, max(floor,
# factor x the reference's time on it), and each set (base, plus) the
# budget evalplus gives its process. The program's header may set
# _ci_input_limit = (factor, floor); evalplus's defaults are (4.0, 1.0).


def _ci_evalplus(data_b64, entry):
    import base64
    import copy
    import json
    import math
    import signal
    import sys
    import time
    import zlib

    data = json.loads(zlib.decompress(base64.b64decode(data_b64)))
    factor, floor = globals().get("_ci_input_limit", (4.0, 1.0))
    reference = {"__name__": "reference"}
    exec(compile(data["reference"], "reference.py", "exec"), reference)
    ref, cand = reference[entry], globals()[entry]
    state = {"atol": 0.0, "first": None, "timeout": False, "budget_s": 0.0}

    class InputTimeout(Exception):  # evalplus's TimeoutException: an answer may catch it, as there
        pass

    InputTimeout.__qualname__ = "InputTimeout"  # as tracebacks name it

    def on_alarm(signum, frame):
        raise InputTimeout()

    def poly(xs, x):  # _special_oracle._poly
        return sum([c * math.pow(x, i) for i, c in enumerate(xs)])

    def is_floats(x):  # an empty list is not "all floats"
        if isinstance(x, float):
            return True
        return isinstance(x, (list, tuple)) and len(x) > 0 and all(isinstance(i, float) for i in x)

    def allclose(out, exp, atol):
        # np.allclose(out, exp, rtol=1e-7, atol=atol) on numbers and nested sequences of
        # the same shape (numpy would broadcast other shapes; no answer here relies on it):
        # |out - exp| <= atol + 1e-7 * |exp|, NaN never close, inf close only to itself
        if isinstance(exp, (list, tuple)) or isinstance(out, (list, tuple)):
            return (isinstance(exp, (list, tuple)) and isinstance(out, (list, tuple))
                    and len(out) == len(exp) and all(allclose(o, e, atol) for o, e in zip(out, exp)))
        if not all(isinstance(v, (int, float)) for v in (out, exp)):
            return False  # numpy raises on strings, None and the like: the input fails
        if math.isnan(out) or math.isnan(exp):
            return False
        if math.isinf(out) or math.isinf(exp):
            return out == exp
        return abs(out - exp) <= atol + 1e-7 * abs(exp)

    def judge(args, out, exp):
        if entry == "find_zero":  # evalplus's special oracle; the rest of the checks are skipped
            assert abs(poly(*args, out)) <= state["atol"]
            return
        exact = out == exp
        if state["atol"] == 0 and is_floats(exp):
            state["atol"] = 1e-6  # from the first float output on, for the rest of the set
        if not exact and state["atol"] != 0:
            assert type(out) is type(exp)  # evalplus: type(out) == type(exp)
            if isinstance(exp, (list, tuple)):
                assert len(out) == len(exp)
            assert allclose(out, exp, state["atol"])
        else:
            assert exact

    def run(name, inputs, stop_at_first):
        expected, limits = [], []
        for inp in inputs:
            args = copy.deepcopy(inp)
            start = time.perf_counter()
            expected.append(ref(*args))
            limits.append(max(floor, factor * (time.perf_counter() - start)))
        # evalplus kills a set's process after min(60, sum of the limits) + 1 s, joined 1 s later
        budget = min(60.0, sum(limits)) + 2.0
        state["budget_s"] += budget
        state["atol"], passed, start_set = data["atol"], 0, time.perf_counter()  # per set, as in evalplus
        for index, (inp, exp, limit) in enumerate(zip(inputs, expected, limits)):
            args, out = copy.deepcopy(inp), None
            left = budget - (time.perf_counter() - start_set)
            try:
                if left <= 0:
                    raise InputTimeout()
                signal.signal(signal.SIGALRM, on_alarm)
                signal.setitimer(signal.ITIMER_REAL, min(limit, left))
                try:
                    out = cand(*args)
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            except BaseException as exc:  # evalplus counts any exception as a failed input
                if isinstance(exc, InputTimeout):
                    exc = InputTimeout("%s input %d ran over its limit of %.2f s: %s"
                                       % (name, index, min(limit, max(left, 0)), json.dumps(inp)[:300]))
                    state["timeout"] = state["first"] is None
                state["first"] = state["first"] or exc
                if stop_at_first or isinstance(exc, InputTimeout):  # out of time: stop, as evalplus does
                    return [passed, index + 1, len(inputs)]
                continue
            try:
                judge(args, out, exp)
                passed += 1
            except BaseException:
                state["first"] = state["first"] or AssertionError(
                    "%s input %d: %s: expected %.300r, got %.300r" % (name, index, json.dumps(inp)[:300], exp, out))
                if stop_at_first:
                    return [passed, index + 1, len(inputs)]
        return [passed, len(inputs), len(inputs)]

    def report(base, plus):  # written after each set, so a program stopped in plus still shows base
        summary = {"base": base, "plus": plus, "timeout": state["timeout"], "budget_s": round(state["budget_s"], 3)}
        sys.stderr.write("codeinterview-evalplus %s\n" % json.dumps(summary))
        sys.stderr.flush()

    base = run("base", data["base"], False)
    plus = [0, 0, len(data["plus"])]
    if base[0] == base[2]:
        report(base, plus)
        plus = run("plus", data["plus"], True)
    report(base, plus)
    if state["first"] is not None:
        raise state["first"]
