"""Interview questions: YAML suites in the can-ai-code format, extended.

A suite is a folder of YAML files (or one file). Each top-level key is a
question; keys starting with '.' only hold YAML anchors. A question has
Signature, Input, Output, optional Fact and Description, Checks, and our
backward-compatible extensions: Reference (a solution per language) and more
check operators (approx, unordered, raises) plus per-check `visible`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import languages
from .errors import UserError, yaml_error
from .exercises.files import render
from .exercises.model import KIND as EXERCISE, check_fields as check_exercise

# Python and JavaScript first, the others by name: the order prepare has always
# written the bundled suites' languages in (output names and run fingerprints keep it).
FIRST_LANGUAGES = ("python", "javascript")
OPERATORS = ("eq", "eq-any", "approx", "unordered", "raises")
CHECK_KEYS = {"assert", "weight", "visible", "tol", *OPERATORS}
REQUIRED_FIELDS = ("Signature", "Input", "Output", "Checks")
# Program-style questions (HumanEval style, `Kind: program`): the answer plus a
# whole test program per language, judged like the dataset's own evaluator.
PROGRAM_FIELDS = ("Signature", "Prompt", "Test")
SIGNATURE_RE = re.compile(r"^\s*([A-Za-z_$][\w$]*)\s*\((.*)\)\s*$", re.S)


@dataclass(frozen=True)
class Check:
    name: str
    expr: str                 # Python expression over f (f.name, f.args, f.call)
    op: str                   # one of OPERATORS
    expected: Any
    weight: float = 1         # int or float, never negative
    visible: bool = True
    tol: float = 1e-6

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "assert": self.expr, "op": self.op, "expected": self.expected,
                "weight": self.weight, "visible": self.visible, "tol": self.tol}


@dataclass
class Question:
    suite: str
    name: str
    fields: dict[str, Any]    # the YAML mapping as written (Checks resolved, anchors merged)
    checks: list[Check]
    source: str = ""          # "file:line", for error messages

    @property
    def signature(self) -> str:
        return self.fields["Signature"]

    @property
    def function_name(self) -> str:
        """The Signature's function ("" for an exercise, which has none)."""
        return parse_signature(self.signature, self.source)[0] if self.kind != EXERCISE else ""

    @property
    def arg_names(self) -> list[str]:
        return parse_signature(self.signature, self.source)[1] if self.kind != EXERCISE else []

    def reference(self, language: str) -> str | None:
        """The reference solution's code (an exercise's files, rendered as an answer gives them)."""
        if self.kind == EXERCISE:
            reference = self.fields.get("Reference") or {}
            return render(reference, language) if reference and language == self.fields["Language"] else None
        return (self.fields.get("Reference") or {}).get(language)

    @property
    def kind(self) -> str:
        """"function" (can-ai-code checks), "program" (a test program per language)
        or "exercise" (files graded by the language's test framework: exercises/)."""
        return self.fields.get("Kind") or "function"

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this question can be asked in: a program question's are
        those with a Test, a function question's every language whose sandbox
        can call a function (Language.function_bridge)."""
        if self.kind == "program":
            return ordered(self.fields["Test"])
        if self.kind == EXERCISE:
            return (languages.get(self.fields["Language"]).name,)
        return function_languages()


@dataclass
class Suite:
    name: str
    path: Path
    questions: list[Question] = field(default_factory=list)
    hash: str = ""


def ordered(names: Any) -> tuple[str, ...]:
    """Language names in the registry's order, Python and JavaScript first."""
    order = [*FIRST_LANGUAGES, *languages.names()]
    return tuple(sorted(dict.fromkeys(names), key=lambda name: order.index(name) if name in order else len(order)))


def all_language_names() -> tuple[str, ...]:
    return ordered(languages.names())


def function_languages() -> tuple[str, ...]:
    """The languages a function question (Checks calling f.call) can be graded in."""
    return ordered(lang.name for lang in languages.all_languages() if lang.function_bridge)


def no_function_bridge(question: str, language: str, where: str) -> UserError:
    return UserError(f"{where}: question '{question}' is a function question (Checks calling f.call), "
                     f"which cannot be graded in {languages.get(language).display}: its sandbox has no "
                     f"function bridge (function questions run in {', '.join(function_languages())}). "
                     f"Write it as a program-style question (Kind: program, with a Prompt and a Test "
                     f"program per language) or leave {language} out of --languages")


def check_language_keys(value: Any, key: str, question: str, where: str) -> None:
    """A per-language mapping (Reference, Prompt, Test): every key a registered
    language's name, every value code."""
    known = ", ".join(all_language_names())
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise UserError(f"{where}: question '{question}': {key} must map language ({known}) to code")
    for name in value:
        if str(name) in languages.names():
            continue
        hint = (f"'{name}' is another name for {languages.get(name).name}: write {languages.get(name).name}"
                if languages.is_known(name) else f"known languages: {known}")
        raise UserError(f"{where}: question '{question}': {key} has unknown language '{name}' ({hint})")


def parse_signature(signature: str, where: str = "") -> tuple[str, list[str]]:
    match = SIGNATURE_RE.match(str(signature))
    if not match:
        raise UserError(f"{where}: Signature {signature!r} is not of the form name(arg, ...)")
    args = [a.strip().split("=")[0].strip() for a in match.group(2).split(",") if a.strip()]
    return match.group(1), args


def parse_questions(text: str, file: Path, suite: str) -> list[Question]:
    try:
        data = yaml.safe_load(text)
        lines = _top_level_lines(text)
    except yaml.YAMLError as exc:
        raise yaml_error(file, exc) from None
    except ValueError as exc:  # e.g. an integer past Python's 4300-digit conversion limit
        raise UserError(f"{file}: a value cannot be read: {exc}") from None
    if data is None:
        return []
    if not isinstance(data, dict):
        raise UserError(f"{file}: a question file must be a mapping of QuestionName: {{...}}")
    questions = []
    for name, fields in data.items():
        if str(name).startswith("."):
            continue  # anchors only
        where = f"{file}:{lines.get(str(name), 0)}"
        questions.append(question_from_fields(str(name), fields, suite, where))
    return questions


def question_from_fields(name: str, fields: Any, suite: str, where: str) -> Question:
    if not isinstance(fields, dict):
        raise UserError(f"{where}: question '{name}' must be a mapping with {', '.join(REQUIRED_FIELDS)}")
    if fields.get("Kind", "function") == "program":
        return program_question(name, fields, suite, where)
    if fields.get("Kind") == EXERCISE:
        check_exercise(name, fields, where)
        return Question(suite=suite, name=name, fields=dict(fields), checks=[], source=where)
    missing = [f for f in REQUIRED_FIELDS if f not in fields]
    if missing:
        raise UserError(f"{where}: question '{name}' is missing field(s) {', '.join(missing)}")
    parse_signature(fields["Signature"], f"{where}: question '{name}'")
    for key in ("Reference", "Prompt"):
        if fields.get(key) is not None and (key == "Reference" or isinstance(fields[key], dict)):
            check_language_keys(fields[key], key, name, where)
            unbridged = [lang for lang in fields[key] if not languages.get(lang).function_bridge]
            if unbridged:
                raise no_function_bridge(name, unbridged[0], where)
    checks = parse_checks(fields["Checks"], f"{where}: question '{name}'")
    return Question(suite=suite, name=name, fields=dict(fields), checks=checks, source=where)


def program_question(name: str, fields: dict[str, Any], suite: str, where: str) -> Question:
    missing = [f for f in PROGRAM_FIELDS if f not in fields]
    if missing:
        raise UserError(f"{where}: program question '{name}' is missing field(s) {', '.join(missing)}")
    parse_signature(fields["Signature"], f"{where}: question '{name}'")
    for key in ("Prompt", "Test", "Reference"):
        if key in fields:
            check_language_keys(fields[key], key, name, where)
    if not fields["Test"]:
        raise UserError(f"{where}: question '{name}': Test needs a test program for at least one language")
    return Question(suite=suite, name=name, fields=dict(fields), checks=[], source=where)


def parse_checks(raw: Any, where: str) -> list[Check]:
    if not isinstance(raw, dict) or not raw:
        raise UserError(f"{where}: Checks must be a non-empty mapping of check_name: {{assert, eq}}")
    checks = []
    for check_name, spec in raw.items():
        here = f"{where}, check '{check_name}'"
        if not isinstance(spec, dict) or "assert" not in spec:
            raise UserError(f"{here}: a check needs an 'assert' expression and one of {', '.join(OPERATORS)}")
        unknown = set(spec) - CHECK_KEYS
        if unknown:
            raise UserError(f"{here}: unknown key(s) {', '.join(sorted(unknown))}; "
                            f"allowed: {', '.join(sorted(CHECK_KEYS))}")
        ops = [op for op in OPERATORS if op in spec]
        if len(ops) != 1:
            raise UserError(f"{here}: needs exactly one operator of {', '.join(OPERATORS)}, got {ops or 'none'}")
        op = ops[0]
        expected = spec[op]
        if op in ("eq-any", "unordered") and not isinstance(expected, list):
            raise UserError(f"{here}: '{op}' needs a list")
        try:
            compile(str(spec["assert"]), "<assert>", "eval")
        except SyntaxError as exc:
            raise UserError(f"{here}: assert is not a Python expression: {exc.msg}") from None
        weight = spec.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
            raise UserError(f"{here}: weight must be a non-negative number")
        checks.append(Check(name=str(check_name), expr=str(spec["assert"]), op=op, expected=expected,
                            weight=weight, visible=bool(spec.get("visible", True)),
                            tol=float(spec.get("tol", 1e-6))))
    return checks


def _top_level_lines(text: str) -> dict[str, int]:
    """1-based line of each top-level key, so errors can point into the file."""
    node = yaml.compose(text)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
