"""Prompt templates: Jinja inside a small YAML file in prompts/.

A template is either a chat template (a list of messages, each content a Jinja
string) or a text template (one Jinja string, for completion models). A text
template may also name a `prefix`: code the model is expected to continue
(for example the function's first line); it ends the prompt, and extraction
stitches it back onto an answer that continues it without repeating it.

Rendering is strict: an unknown variable is an error naming the template.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from .errors import UserError, load_named_yaml
from .paths import REPO_ROOT

PROMPTS_DIR = REPO_ROOT / "prompts"
DEFAULT_TEMPLATE = "chat-simple"
# Question fields every template may use; optional ones render as None.
QUESTION_VARIABLES = ("Signature", "Input", "Output", "Fact", "Description", "Prompt")
EXTRA_VARIABLES = ("language", "name", "function_name", "args", "suite", "question")
LANGUAGE_NAMES = {"python": "Python", "javascript": "JavaScript"}

_env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                          autoescape=False)
_env.filters["language_name"] = lambda lang: LANGUAGE_NAMES.get(lang, lang)


@dataclass
class Template:
    name: str
    path: Path
    kind: str                                   # "chat" or "text"
    messages: list[tuple[str, jinja2.Template]]  # chat
    text: jinja2.Template | None                 # text
    prefix: jinja2.Template | None               # text: code the model continues

    def render(self, variables: dict[str, Any]) -> tuple[list[dict[str, str]] | str, str | None]:
        """Return (prompt, code_prefix) for one question in one language."""
        try:
            if self.kind == "chat":
                return [{"role": role, "content": body.render(variables).strip()}
                        for role, body in self.messages], None
            assert self.text is not None  # kind "text": load_template always compiles one
            prefix = self.prefix.render(variables) if self.prefix else None
            return self.text.render(variables) + (prefix or ""), prefix
        except jinja2.UndefinedError as exc:
            raise UserError(f"{self.path}: {exc.message} while rendering question "
                            f"'{variables.get('name')}' ({variables.get('language')})") from None


def load_template(name_or_path: str, extra_variables: tuple[str, ...] = ()) -> Template:
    """`extra_variables` widens the allowed names beyond the question's (the
    feedback templates also see the verdict); unknown names stay errors."""
    path, spec = load_named_yaml(name_or_path, PROMPTS_DIR, "template")
    if not isinstance(spec, dict) or spec.get("kind") not in ("chat", "text"):
        raise UserError(f"{path}: a template needs 'kind: chat' (with messages) or 'kind: text' (with text)")
    compile_ = lambda source, where: _compile(source, path, where, extra_variables)  # noqa: E731
    if spec["kind"] == "chat":
        messages = spec.get("messages")
        if not isinstance(messages, list) or not messages:
            raise UserError(f"{path}: 'messages' must be a list of {{role, content}}")
        compiled = []
        for i, message in enumerate(messages):
            if not isinstance(message, dict) or message.get("role") not in ("system", "user", "assistant"):
                raise UserError(f"{path}: messages[{i}] needs role system, user or assistant and content")
            compiled.append((message["role"], compile_(str(message.get("content", "")), f"messages[{i}]")))
        return Template(path.stem, path, "chat", compiled, None, None)
    if "text" not in spec:
        raise UserError(f"{path}: a text template needs 'text'")
    prefix = compile_(str(spec["prefix"]), "prefix") if spec.get("prefix") else None
    return Template(path.stem, path, "text", [], compile_(str(spec["text"]), "text"), prefix)


def _compile(source: str, path: Path, where: str, extra_variables: tuple[str, ...] = ()) -> jinja2.Template:
    try:
        ast = _env.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        raise UserError(f"{path}: {where}, line {exc.lineno}: {exc.message}") from None
    allowed = QUESTION_VARIABLES + EXTRA_VARIABLES + tuple(extra_variables)
    unknown = jinja2.meta.find_undeclared_variables(ast) - set(allowed)
    if unknown:
        raise UserError(f"{path}: {where} uses unknown variable(s) {', '.join(sorted(unknown))}; "
                        f"available: {', '.join(allowed)}")
    return _env.from_string(source)


def template_variables(question_fields: dict[str, Any], name: str, suite: str, language: str,
                       function_name: str, args: list[str]) -> dict[str, Any]:
    variables = {field: question_fields.get(field) for field in QUESTION_VARIABLES}
    for field, value in variables.items():  # per-language fields (a program question's Prompt)
        if isinstance(value, dict) and language in value:
            variables[field] = value[language]
    variables.update(language=language, name=name, suite=suite, function_name=function_name,
                     args=args, question=question_fields)
    return variables
