"""--lint's analyzers beside ruff and mypy, each on a crafted answer that trips
it and on one that does not: real jedi (signature, hallucination) and
Debian's eslint, run as the feedback loop runs them (a process each, on the
code as text: nothing here runs an answer)."""

import dataclasses

import pytest

from codeinterview.analyzers import ANALYZERS, lint, parse_linters
from codeinterview.errors import UserError

pytestmark = pytest.mark.fast

SIGNATURE_TRIPS = '''import re
from collections import Counter

def words(s):
    parts = re.split(r",", s, maxsplits=1)
    ordered = sorted(parts, reversed=True)
    pattern = re.compile()
    counts = Counter(s, "x")
    return "-".join(ordered, parts), pattern, counts
'''

SIGNATURE_FINE = '''import heapq
import itertools
import json
import re
from collections import Counter, defaultdict

def helper(a, b=1):
    return a + b

def words(s, *rest, **options):
    parts = re.split(r",", s, maxsplit=1)
    text = json.dumps(parts, indent=2, sort_keys=True)
    top = Counter(s).most_common(2)
    groups = defaultdict(list)
    groups["a"].append(1)
    pairs = list(itertools.combinations(parts, 2))
    heapq.heappush(parts, "x")
    print(*parts, sep=", ")
    ordered = "".join(sorted(s, key=str.lower, reverse=True))
    with open(s, encoding="utf-8") as handle:
        handle.read()
    re.sub("a", "b", s, **options)
    return text, top, pairs, ordered, helper(1, 2, 3)
'''

HALLUCINATED = '''import re
import os.path
import numpy.linalgs
from os import pathx, sep
from collections import Counter

def check(s):
    if re.matches("a", s) or os.path.exist(s):
        return "abc".startwith("a")
    return Counter(s).most_commons(1), {}.iteritems(), sep
'''

REAL = '''import argparse
import pathlib
import os
import os.path
import numpy.linalg
import not_on_this_host.sub
from os import path, sep
from collections import Counter

class Box:
    def __init__(self):
        self.items = []

def check(s, thing):
    box = Box()
    box.items.append(s)
    ns = argparse.Namespace(x=1)
    return (os.path.exists(s), path.join(s, sep), "abc".startswith("a"), Counter(s).most_common(1),
            thing.anything, ns.x, box.items, numpy.linalg.norm, s.upper(),
            pathlib.Path(s).with_suffix(".x").exists())  # jedi knows only PurePath there
'''


def test_signature_finds_calls_that_do_not_bind_to_the_real_signature():
    findings = lint(["signature"], SIGNATURE_TRIPS, "python")
    assert [(f["tool"], f["code"], f["line"]) for f in findings] == [
        ("signature", "unexpected-keyword", 5), ("signature", "unexpected-keyword", 6),
        ("signature", "missing-argument", 7), ("signature", "too-many-arguments", 8),
        ("signature", "too-many-arguments", 9)]
    assert findings[0]["message"] == ("re.split() got an unexpected keyword argument 'maxsplits' "
                                      "(did you mean 'maxsplit'?); its signature: "
                                      "re.split(pattern, string, maxsplit=..., flags=...)")
    assert "(did you mean 'reverse'?)" in findings[1]["message"]
    assert findings[2]["message"].startswith("re.compile() missing a required argument: 'pattern'")
    assert findings[4]["message"].startswith("str.join() too many positional arguments")


def test_signature_accepts_calls_that_bind_and_leaves_the_answers_own_functions_alone():
    # helper(1, 2, 3) is wrong, but the answer's own function: the sandbox runs it anyway
    assert lint(["signature"], SIGNATURE_FINE, "python") == []


def test_hallucination_names_what_does_not_exist_and_the_closest_real_names():
    findings = lint(["hallucination"], HALLUCINATED, "python")
    assert [(f["code"], f["line"], f["message"]) for f in findings] == [
        ("unknown-module", 3, "module 'numpy' has no submodule 'linalgs' (did you mean 'linalg'?)"),
        ("unknown-name", 4, "module 'os' has no name 'pathx' (did you mean 'path', 'fspath' or 'pathsep'?)"),
        ("unknown-attribute", 8, "module 're' has no attribute 'matches' (did you mean 'match', 'Match' or "
                                 "'fullmatch'?)"),
        ("unknown-attribute", 8, "module 'os.path' has no attribute 'exist' (did you mean 'exists' or 'lexists'?)"),
        ("unknown-attribute", 9, "'str' object has no attribute 'startwith' (did you mean 'startswith'?)"),
        ("unknown-attribute", 10, "'Counter' object has no attribute 'most_commons' (did you mean 'most_common'?)"),
        ("unknown-attribute", 10, "'dict' object has no attribute 'iteritems' (did you mean 'items'?)")]
    assert {f["tool"] for f in findings} == {"hallucination"}


def test_hallucination_accepts_real_names_and_what_it_cannot_know():
    # unknown objects (a parameter), attributes made at run time (argparse.Namespace), the
    # answer's own classes, objects whose class jedi knows in part (a stub's Self: PurePath
    # for Path), and a top-level module the host lacks (the sandbox may have it)
    assert lint(["hallucination"], REAL, "python") == []


def test_eslint_finds_undefined_names_against_nodes_real_globals():
    script = "function add(a, b) {\n  const total = a + b;\n  return totl + structuredClone(b) + require('x').y;\n}\n"
    assert lint(["eslint"], script, "javascript") == [
        {"tool": "eslint", "code": "no-undef", "line": 3, "column": 10, "message": "'totl' is not defined."}]
    # ES module syntax and recent syntax (class fields, ??) read as such
    module = "export class Box {\n  #items = [];\n  size() { return this.#items.length ?? missing; }\n}\n"
    assert [(f["line"], f["message"]) for f in lint(["eslint"], module, "javascript")] == \
        [(3, "'missing' is not defined.")]
    fine = "function add(a, b) {\n  return [a, b].at(-1) + Math.max(a, b) + globalThis.x + BigInt(1);\n}\n"
    assert lint(["eslint"], fine, "javascript") == []
    # names made global by assignment (legal in a script, as the sandbox runs answers) are not
    # reported; a name only read still is
    implicit = "function f(t) {\n  for (m in t) { s = t[m]; }\n  return s + m + q;\n}\n"
    assert [f["message"] for f in lint(["eslint"], implicit, "javascript")] == ["'q' is not defined."]
    # a parse error is the sandbox's to report (node's own parser), not eslint's
    assert lint(["eslint"], "function add(a, b) {\n  return a +;\n}\n", "javascript") == []


def test_each_analyzer_applies_to_its_language_only():
    assert lint(["signature", "hallucination"], "function f() { return re.matches; }", "javascript") == []
    assert lint(["eslint"], "x = undefined_name\n", "python") == []


def test_a_missing_program_is_a_user_error_saying_how_to_install_it(monkeypatch):
    assert parse_linters("signature,hallucination,eslint") == ["signature", "hallucination", "eslint"]
    missing = dataclasses.replace(ANALYZERS.get("eslint"), needs="no-such-eslint")
    monkeypatch.setattr(ANALYZERS, "get", lambda name, get=ANALYZERS.get: missing if name == "eslint" else get(name))
    with pytest.raises(UserError, match=r"--lint eslint: no-such-eslint is not installed; "
                                        r"install it with: apt-get install eslint"):
        parse_linters("eslint")
