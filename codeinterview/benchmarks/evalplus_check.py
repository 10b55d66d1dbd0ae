# codeinterview: EvalPlus-style differential test. This file is not imported
# on the host: its text ends the program of a HumanEval+ answer in the sandbox,
# followed by a call _ci_evalplus("<data>", "<entry_point>"). It follows the
# evalplus release's unsafe_execute: expected outputs from the canonical
# solution, exact equality, else the dataset's atol (1e-6 for float outputs)
# the way np.testing.assert_allclose(out, exp, atol=atol) judges, and the
# release's find_zero oracle as released (broken: see the README).


def _ci_evalplus(data_b64, entry):
    import base64
    import copy
    import json
    import math
    import sys
    import zlib

    data = json.loads(zlib.decompress(base64.b64decode(data_b64)))
    reference = {"__name__": "reference"}
    exec(compile(data["reference"], "reference.py", "exec"), reference)
    ref, cand = reference[entry], globals()[entry]
    state = {"atol": data["atol"], "first": None}

    def poly(xs, x):
        return sum(c * math.pow(x, i) for i, c in enumerate(xs))

    def is_floats(x):
        if isinstance(x, float):
            return True
        return isinstance(x, (list, tuple)) and all(isinstance(i, float) for i in x)

    def allclose(out, exp, atol):
        # np.testing.assert_allclose: |out - exp| <= atol + 1e-7 * |exp|, NaN equals NaN
        if isinstance(exp, (list, tuple)) or isinstance(out, (list, tuple)):
            return (isinstance(exp, (list, tuple)) and isinstance(out, (list, tuple))
                    and len(out) == len(exp) and all(allclose(o, e, atol) for o, e in zip(out, exp)))
        if not all(isinstance(v, (int, float)) for v in (out, exp)):
            return False
        if math.isnan(out) or math.isnan(exp):
            return math.isnan(out) and math.isnan(exp)
        if math.isinf(out) or math.isinf(exp):
            return out == exp
        return abs(out - exp) <= atol + 1e-7 * abs(exp)

    def judge(inp, exp):
        out = cand(*copy.deepcopy(inp))
        exact = out == exp
        if entry == "find_zero":
            assert poly(*out, inp) <= state["atol"]  # as released: raises for every float answer
        if state["atol"] == 0 and is_floats(exp):
            state["atol"] = 1e-6
        if not exact and state["atol"] != 0:
            ok = allclose(out, exp, state["atol"])
        else:
            ok = bool(exact)
        if not ok:
            raise AssertionError("input %s: expected %.300r, got %.300r" % (json.dumps(inp)[:300], exp, out))

    def run(name, inputs, stop_at_first):
        expected = [ref(*copy.deepcopy(inp)) for inp in inputs]
        state["atol"] = data["atol"]  # evalplus checks base and plus in separate runs
        passed = 0
        for index, (inp, exp) in enumerate(zip(inputs, expected)):
            try:
                judge(inp, exp)
                passed += 1
            except BaseException as exc:  # evalplus counts any exception as a failed input
                state["first"] = state["first"] or exc
                if stop_at_first:
                    return [passed, index + 1, len(inputs)]
        return [passed, len(inputs), len(inputs)]

    base = run("base", data["base"], False)
    plus = run("plus", data["plus"], True) if base[0] == base[2] else [0, 0, len(data["plus"])]
    sys.stderr.write("codeinterview-evalplus %s\n" % json.dumps({"base": base, "plus": plus}))
    if state["first"] is not None:
        raise state["first"]
