"""The language registry: one module per language, one `LANGUAGES.add` line here.

    get("c++").name == "cpp"

A language's aliases are declared by its module (`Language.aliases`). An
unknown name is a UserError naming the known ones, never a fallback. Adding a
language: a module here, its runner half in sandbox/runner/langs/, and its
Debian packages (README, "Adding a language").
"""

from __future__ import annotations

from ..registry import Registry
from .base import Language

__all__ = ["LANGUAGES", "Language", "get", "all_languages", "names", "by_fence_tag", "is_known"]

LANGUAGES: Registry[Language] = Registry("language", __name__, aliases_of=lambda language: language.aliases)
LANGUAGES.add("cpp", ".cpp:LANGUAGE")
LANGUAGES.add("go", ".go:LANGUAGE")
LANGUAGES.add("java", ".java:LANGUAGE")
LANGUAGES.add("javascript", ".javascript:LANGUAGE")
LANGUAGES.add("python", ".python:LANGUAGE")
LANGUAGES.add("rust", ".rust:LANGUAGE")


def all_languages() -> list[Language]:
    return [LANGUAGES.get(name) for name in names()]


def names() -> tuple[str, ...]:
    return tuple(sorted(LANGUAGES))


def is_known(name: str) -> bool:
    return name in LANGUAGES


def get(name: str) -> Language:
    return LANGUAGES.get(name)


def by_fence_tag(tag: str) -> Language | None:
    tag = tag.lower()
    for language in all_languages():
        if tag in language.fence_tags:
            return language
    return None
