"""signature: calls checked against the real signatures of what they call.

For each call whose callee jedi resolves to a function or class of the
standard library or an installed package (typeshed's stubs or the package's
own source), the call's arguments are bound to each of its signatures
(overloads: any one that binds will do) with inspect.Signature.bind, the
binding Python itself does: an unknown keyword, a missing or an extra
argument is a finding, with the signature and the nearest parameter name.
Calls with *args or **kwargs, and calls to the answer's own functions (which
the sandbox runs anyway), are not checked.
"""

from __future__ import annotations

import ast
import inspect
import re
from typing import Any

from .base import Analyzer, Finding, finding
from .jedi_source import Source, closest, did_you_mean, command, parse

NAME = "signature"
KINDS = (("unexpected keyword", "unexpected-keyword"), ("missing", "missing-argument"),
         ("too many", "too-many-arguments"), ("multiple values", "duplicate-argument"),
         ("positional only", "positional-only"))


class _Default:
    """A parameter's default, shown as `...` (what it is does not matter here)."""

    def __repr__(self) -> str:
        return "..."


DEFAULT = _Default()


def findings(source: Source) -> list[Finding]:
    out = []
    assert source.tree is not None
    for call in ast.walk(source.tree):
        if isinstance(call, ast.Call) and _plain(call):
            problem = _check(source, call)
            if problem:
                out.append(finding(NAME, *problem))
    return out


def _plain(call: ast.Call) -> bool:
    """Arguments that can be counted: no *args, no **kwargs."""
    return not any(isinstance(a, ast.Starred) for a in call.args) and all(k.arg for k in call.keywords)


def _check(source: Source, call: ast.Call) -> tuple[str, int, int, str] | None:
    definitions = [d for d in source.infer(*source.end(call.func))
                   if d.type in ("function", "class") and source.external(d)]
    signatures = [(d, s) for d in definitions for s in d.get_signatures()]
    if not signatures:
        return None
    keywords = [k.arg for k in call.keywords]
    errors = []
    for definition, signature in signatures:
        parameters = _parameters(signature, _bound(source, call))
        if parameters is None:
            return None  # a signature inspect cannot represent: no verdict rather than a wrong one
        try:
            parameters.bind(*range(len(call.args)), **dict.fromkeys(keywords))  # type: ignore[arg-type]
            return None
        except TypeError as exc:
            errors.append((definition, parameters, str(exc)))
    definition, parameters, error = errors[0]
    name = re.sub(r"^builtins\.", "", definition.full_name or definition.name)
    kind = next((code for words, code in KINDS if words in error.replace("-", " ")), "bad-call")
    hint = ""
    if kind == "unexpected-keyword":
        unknown = re.search(r"'(\w+)'", error)
        names = [p for _, s, _ in errors for p in s.parameters]
        hint = did_you_mean(closest(unknown.group(1), names)[:1]) if unknown else ""
    return kind, call.lineno, call.col_offset + 1, f"{name}() {error}{hint}; its signature: {name}{parameters}"


def _bound(source: Source, call: ast.Call) -> bool:
    """A method called on an instance (or a module's function): `self` is already given."""
    if not isinstance(call.func, ast.Attribute):
        return False
    return not any(d.type == "class" for d in source.infer(*source.end(call.func.value)))


def _parameters(signature: Any, bound: bool) -> inspect.Signature | None:
    params = list(signature.params)
    if bound and params and params[0].name == "self":  # some stubs' methods keep it
        params = params[1:]
    try:
        return inspect.Signature([inspect.Parameter(p.name, p.kind,
                                                    default=DEFAULT if _has_default(p) else inspect.Parameter.empty)
                                  for p in params])
    except (ValueError, TypeError):
        return None


def _has_default(param: Any) -> bool:
    if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
        return False
    return bool(param.infer_default()) or "=" in param.to_string().split(":")[0]


ANALYZER = Analyzer(NAME, "python", command(NAME), parse, needs="jedi", install="pip install 'codeinterview[lint]'")
