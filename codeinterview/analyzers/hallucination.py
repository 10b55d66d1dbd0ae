"""hallucination: modules, functions and attributes that do not exist.

Read by jedi against the real standard library and installed packages:
  - `import numpy.linalgs`, `from os import pathx`: a submodule or name the
    module lacks (a top-level module the host lacks is not reported: it may
    be installed in the sandbox);
  - `re.matches`, `os.path.exist`, `"a".startwith`, `Counter(s).most_commons`:
    an attribute that a module, a class of the standard library, or an object
    of a built-in type or just built from a standard class lacks (objects of
    other packages may gain attributes at run time; other objects' classes
    jedi may know only in part: not reported).
Each finding names the closest real names (difflib over what jedi lists).
"""

from __future__ import annotations

import ast
import re
from typing import Any

from .base import Analyzer, Finding, finding
from .jedi_source import Source, closest, did_you_mean, command, parse, stdlib

NAME = "hallucination"
# literals jedi does not infer, by the type they build
LITERALS = {ast.List: "list", ast.ListComp: "list", ast.Dict: "dict", ast.DictComp: "dict", ast.Set: "set",
            ast.SetComp: "set", ast.Tuple: "tuple", ast.JoinedStr: "str"}


def findings(source: Source) -> list[Finding]:
    out: list[Finding] = []
    assert source.tree is not None
    for node in ast.walk(source.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                out += _module(source, alias.name, alias.lineno, source.column(alias.lineno, alias.col_offset))
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            out += _from_import(source, node)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            out += _attribute(source, node)
    return out


def _module(source: Source, dotted: str, line: int, column: int) -> list[Finding]:
    """The first part of a dotted module name that does not resolve, past the top level."""
    if source.lines[line - 1][column:column + len(dotted)] != dotted:
        return []  # spaces inside the dotted name: positions unknown
    start = column
    parents: list[Any] = []  # the modules (jedi's) that the name so far resolves to
    for part in dotted.split("."):
        end = start + len(part)
        found = source.infer(line, end)
        if not found:
            if not parents:
                return []
            parent = dotted[:start - column - 1]
            names = closest(part, [n for p in parents for n in source.module_names(p)])
            return [finding(NAME, "unknown-module", line, start + 1,
                            f"module '{parent}' has no submodule '{part}'{did_you_mean(names)}")]
        start, parents = end + 1, [d for d in found if d.type == "module"]
    return []


def _from_import(source: Source, node: ast.ImportFrom) -> list[Finding]:
    assert node.module is not None
    text = source.lines[node.lineno - 1]
    at = re.compile(r"from\s+").match(text, source.column(node.lineno, node.col_offset))
    if not at:
        return []
    problems = _module(source, node.module, node.lineno, at.end())
    modules = [d for d in source.infer(node.lineno, at.end() + len(node.module)) if d.type == "module"]
    if problems or not modules:
        return problems  # the module itself is wrong, or not on the host
    out = []
    for alias in node.names:
        if alias.name == "*":
            continue
        start = source.column(alias.lineno, alias.col_offset)
        if not source.infer(alias.lineno, start + len(alias.name)):
            names = closest(alias.name, [n for m in modules for n in source.module_names(m)])
            out.append(finding(NAME, "unknown-name", alias.lineno, start + 1,
                               f"module '{node.module}' has no name '{alias.name}'{did_you_mean(names)}"))
    return out


def _attribute(source: Source, node: ast.Attribute) -> list[Finding]:
    line, end = source.end(node)
    start = end - len(node.attr)
    if source.infer(line, end):
        return []
    owner = _owner(source, node.value)  # cheap, so first: the completion below costs tenths of a second
    if owner is None:
        return []
    names = source.names_at(line, start)  # inherited and re-exported names too
    if not names or node.attr in names or "__getattr__" in names:  # unknown, or attributes made at run time
        return []
    return [finding(NAME, "unknown-attribute", line, start + 1,
                    f"{owner} has no attribute '{node.attr}'{did_you_mean(closest(node.attr, names))}")]


def _owner(source: Source, value: ast.expr) -> str | None:
    """How Python's own AttributeError names the object: "module 're'", "'str' object",
    "type object 'Counter'"; None when it is not one whose attributes are all known."""
    if isinstance(value, ast.Constant):
        return f"'{type(value.value).__name__}' object"
    if type(value) in LITERALS:
        return f"'{LITERALS[type(value)]}' object"
    definitions = source.infer(*source.end(value))
    if not definitions or not all(source.external(d) for d in definitions):
        return None
    kinds = {d.type for d in definitions}
    if kinds == {"module"}:
        return f"module '{ast.unparse(value)}'"
    if not all(map(stdlib, definitions)):
        return None
    name = definitions[0].name
    if kinds == {"class"}:
        return f"type object '{name}'"
    # An instance's class is exact for the built-in types and right after its constructor;
    # elsewhere jedi may know only a base class (a stub's method returning Self gives
    # PurePath for Path): not reported.
    if kinds == {"instance"} and (all(d.module_name == "builtins" for d in definitions)
                                  or _constructed(source, value)):
        return f"'{name}' object"
    return None


def _constructed(source: Source, value: ast.expr) -> bool:
    """`Counter(s)`: a call of a class itself."""
    if not isinstance(value, ast.Call):
        return False
    called = source.infer(*source.end(value.func))
    return bool(called) and all(d.type == "class" for d in called)


ANALYZER = Analyzer(NAME, "python", command(NAME), parse, needs="jedi", install="pip install 'codeinterview[lint]'")
