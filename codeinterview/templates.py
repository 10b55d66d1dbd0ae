"""Prompt templates: Jinja inside a small YAML file in prompts/.

A template is either a chat template (a list of messages, each content a Jinja
string) or a text template (one Jinja string, for completion models). A text
template may also name a `prefix`: code the model is expected to continue
(for example the function's first line); it ends the prompt, and extraction
stitches it back onto an answer that continues it without repeating it.

A fill-in-the-middle template (`kind: fim`) is one Jinja string in a code
model's FIM vocabulary, seeing `prefix` and `suffix`: the code before and
after the hole (a FIM question's Prompt and Suffix). The model's answer is the
middle; extraction stitches prefix + middle + suffix.

Rendering is strict: an unknown variable is an error naming the template.

can-ai-code's own template files load by path as they are: a `.txt` file is
one Jinja string (a text template: the prompt exactly as upstream's prepare.py
rendered it for its completion runtimes), a `.json` file a list of
{role, content} messages whose contents are Jinja (a chat template). They see
the same variables as ours and render as upstream's jinja2 defaults do: an
absent question field prints as nothing, a trailing newline is dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from . import languages
from .exercises.files import render
from .errors import UserError, load_named_yaml
from .paths import named_yaml

DEFAULT_TEMPLATE = "chat-simple"
EXERCISE_TEMPLATE = "exercise-chat"  # prepare's default for exercise questions
# Question fields every template may use; optional ones render as None.
QUESTION_VARIABLES = ("Signature", "Input", "Output", "Fact", "Description", "Prompt",
                      "Instructions", "Solution", "Support", "Shown")  # the last four: exercises
EXTRA_VARIABLES = ("language", "name", "function_name", "args", "suite", "question")
FIM_VARIABLES = ("prefix", "suffix")  # fim templates only


def language_name(language: str) -> str:
    """`{{ language | language_name }}`: "C++" for cpp (Language.display)."""
    return languages.get(language).display if languages.is_known(language) else language


def line_comment(language: str) -> str:
    """`{{ language | comment }}`: the language's line comment, "#" or "//"."""
    return languages.get(language).comment


def required(value: Any, what: str) -> Any:
    """`{{ Prompt | required("...") }}`: a missing value is an error saying what was needed."""
    if value is None or value == "":
        raise jinja2.UndefinedError(what)
    return value


_env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                          autoescape=False)
def files(mapping: dict[str, str], language: str, only: list[str] | None = None) -> str:
    """`{{ Solution | files(language) }}`: an exercise's files as an answer gives them back
    (the path alone on a line, then the whole file fenced); `only`: just these paths."""
    return render({path: text for path, text in mapping.items() if only is None or path in only}, language)


_env.filters.update(language_name=language_name, comment=line_comment, required=required, files=files)
# upstream rendered with jinja2.Template(text): None prints as "", no trailing newline
_upstream_env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False,
                                   finalize=lambda value: "" if value is None else value)
_upstream_env.filters.update(_env.filters)
UPSTREAM_SUFFIXES = (".txt", ".json")


@dataclass
class Template:
    name: str
    path: Path
    kind: str                                   # "chat", "text" or "fim"
    messages: list[tuple[str, jinja2.Template]]  # chat
    text: jinja2.Template | None                 # text, fim
    prefix: jinja2.Template | None               # text: code the model continues

    def render(self, variables: dict[str, Any]) -> tuple[list[dict[str, str]] | str, str | None]:
        """Return (prompt, code_prefix) for one question in one language."""
        try:
            if self.kind == "chat":
                return [{"role": role, "content": body.render(variables).strip()}
                        for role, body in self.messages], None
            assert self.text is not None  # kind "text" or "fim": load_template always compiles one
            if self.kind == "fim":
                before, after = self._fim_parts(variables)
                return self.text.render({**variables, "prefix": before, "suffix": after}), before
            prefix = self.prefix.render(variables) if self.prefix else None
            return self.text.render(variables) + (prefix or ""), prefix
        except jinja2.UndefinedError as exc:
            raise UserError(f"{self.path}: {exc.message} while rendering question "
                            f"'{variables.get('name')}' ({variables.get('language')})") from None

    def code_suffix(self, variables: dict[str, Any]) -> str | None:
        """The code after the hole, for a FIM template (None for the others)."""
        return self._fim_parts(variables)[1] if self.kind == "fim" else None

    def _fim_parts(self, variables: dict[str, Any]) -> tuple[str, str]:
        suffix = (variables["question"].get("Suffix") or {}).get(variables["language"])
        if not isinstance(variables.get("Prompt"), str) or not isinstance(suffix, str):
            raise UserError(f"{self.path}: a fill-in-the-middle template needs questions with a Prompt "
                            f"and a Suffix (a FIM suite, e.g. --interview humaneval-fim:single=PATH); "
                            f"question '{variables.get('name')}' ({variables.get('language')}) has none")
        return variables["Prompt"], suffix


def load_template(name_or_path: str, extra_variables: tuple[str, ...] = ()) -> Template:
    """`extra_variables` widens the allowed names beyond the question's (the
    feedback templates also see the verdict); unknown names stay errors."""
    if Path(name_or_path).suffix in UPSTREAM_SUFFIXES:
        return _load_upstream(Path(name_or_path), extra_variables)
    found = named_yaml("prompts", name_or_path, "template")
    path, spec = load_named_yaml(str(found), found.parent, "template")
    if not isinstance(spec, dict) or spec.get("kind") not in ("chat", "text", "fim"):
        raise UserError(f"{path}: a template needs 'kind: chat' (with messages), 'kind: text' (with text) "
                        f"or 'kind: fim' (with text using prefix and suffix)")
    compile_ = lambda source, where: _compile(source, path, where, extra_variables)  # noqa: E731
    if spec["kind"] == "chat":
        return Template(path.stem, path, "chat", _messages(spec.get("messages"), path, compile_), None, None)
    if "text" not in spec:
        raise UserError(f"{path}: a {spec['kind']} template needs 'text'")
    if spec["kind"] == "fim":  # the code around the hole: variables of its own
        text = _compile(str(spec["text"]), path, "text", extra_variables + FIM_VARIABLES)
        return Template(path.stem, path, "fim", [], text, None)
    prefix = compile_(str(spec["prefix"]), "prefix") if spec.get("prefix") else None
    return Template(path.stem, path, "text", [], compile_(str(spec["text"]), "text"), prefix)


def _messages(messages: Any, path: Path, compile_) -> list[tuple[str, jinja2.Template]]:
    if not isinstance(messages, list) or not messages:
        raise UserError(f"{path}: 'messages' must be a list of {{role, content}}")
    compiled = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("system", "user", "assistant"):
            raise UserError(f"{path}: messages[{i}] needs role system, user or assistant and content")
        compiled.append((message["role"], compile_(str(message.get("content", "")), f"messages[{i}]")))
    return compiled


def _load_upstream(path: Path, extra_variables: tuple[str, ...]) -> Template:
    """A can-ai-code prompts/*.txt or prompts/*.json file, named by its stem as upstream names it."""
    if not path.is_file():
        raise UserError(f"template '{path}' not found")
    source = path.read_text(encoding="utf-8")
    compile_ = lambda text, where: _compile(text, path, where, extra_variables, _upstream_env)  # noqa: E731
    if path.suffix == ".txt":
        return Template(path.stem, path, "text", [], compile_(source, "text"), None)
    try:
        messages = json.loads(source)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    return Template(path.stem, path, "chat", _messages(messages, path, compile_), None, None)


def _compile(source: str, path: Path, where: str, extra_variables: tuple[str, ...] = (),
             env: jinja2.Environment = _env) -> jinja2.Template:
    try:
        ast = env.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        raise UserError(f"{path}: {where}, line {exc.lineno}: {exc.message}") from None
    allowed = QUESTION_VARIABLES + EXTRA_VARIABLES + tuple(extra_variables)
    unknown = jinja2.meta.find_undeclared_variables(ast) - set(allowed)
    if unknown:
        raise UserError(f"{path}: {where} uses unknown variable(s) {', '.join(sorted(unknown))}; "
                        f"available: {', '.join(allowed)}")
    return env.from_string(source)


def template_variables(question_fields: dict[str, Any], name: str, suite: str, language: str,
                       function_name: str, args: list[str]) -> dict[str, Any]:
    variables = {field: question_fields.get(field) for field in QUESTION_VARIABLES}
    for field, value in variables.items():  # per-language fields (a program question's Prompt)
        if isinstance(value, dict) and language in value:
            variables[field] = value[language]
    variables.update(language=language, name=name, suite=suite, function_name=function_name,
                     args=args, question=question_fields)
    return variables
