"""The language registry: every module of this package that defines LANGUAGE.

    get("c++").name == "cpp"

An unknown name is a UserError naming the known ones, never a fallback.
Adding a language: a module here, its runner half in sandbox/runner/langs/,
and its Debian packages (README, "Adding a language").
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from ..errors import UserError
from .base import Language

__all__ = ["Language", "get", "all_languages", "names", "by_fence_tag", "is_known"]


@lru_cache(maxsize=1)
def _registry() -> dict[str, Language]:
    found: dict[str, Language] = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name == "base" or module.name.startswith("_"):
            continue
        language = getattr(importlib.import_module(f"{__name__}.{module.name}"), "LANGUAGE", None)
        if isinstance(language, Language):
            found[language.name] = language
    return found


@lru_cache(maxsize=1)
def _lookup() -> dict[str, Language]:
    table: dict[str, Language] = {}
    for language in _registry().values():
        for word in (language.name, *language.aliases):
            table[word.lower()] = language
    return table


def all_languages() -> list[Language]:
    return sorted(_registry().values(), key=lambda language: language.name)


def names() -> tuple[str, ...]:
    return tuple(language.name for language in all_languages())


def is_known(name: str) -> bool:
    return str(name).lower() in _lookup()


def get(name: str) -> Language:
    language = _lookup().get(str(name).lower())
    if language is None:
        raise UserError(f"unknown language {name!r}; known: {', '.join(names())}")
    return language


def by_fence_tag(tag: str) -> Language | None:
    tag = tag.lower()
    for language in all_languages():
        if tag in language.fence_tags:
            return language
    return None
