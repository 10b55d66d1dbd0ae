"""The one registry helper every extension point uses: name -> lazily imported object.

    LANGUAGES: Registry[Language] = Registry("language", __name__, aliases_of=lambda l: l.aliases)
    LANGUAGES.add("python", ".python:LANGUAGE")
    LANGUAGES.get("py")        # python's LANGUAGE (an alias: the modules are imported once to learn theirs)

An entry names its object as "module:attribute" (a module relative to the
registry's package; "module" alone is the module itself); nothing is imported
until the entry is used. An unknown name is a UserError listing the known
ones; an entry whose optional package is missing is a UserError saying which
`pip install 'codeinterview[EXTRA]'` brings it, whether the package is
imported with the module or later, inside `with REGISTRY.requires(name):`
(a backend importing its SDK in its constructor). Both exit 2 from a stage.
`codeinterview.extensions` lists every registry, for the docs and the test
that checks them.
"""

from __future__ import annotations

import importlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Generic, Iterable, Iterator, TypeVar

from .errors import UserError

T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    name: str
    target: str                 # "module:attribute", the module relative to the registry's package
    extra: str | None = None    # the pip extra with its optional dependencies, if any
    summary: str = ""


def install_hint(extra: str | None) -> str:
    return f"pip install 'codeinterview[{extra}]'" if extra else "reinstall codeinterview"


@dataclass
class Registry(Generic[T]):
    kind: str                   # what an entry is, in messages: "language", "executor", ...
    package: str                # the package that relative targets are imported from
    flag: str | None = None     # the flag that names an entry, in messages: "--executor"
    # aliases the objects declare themselves (a language's `aliases`): looked up, loading every
    # entry, only when a name is neither registered nor a registered alias
    aliases_of: Callable[[T], Iterable[str]] | None = field(default=None, repr=False)
    entries: dict[str, Entry] = field(default_factory=dict)
    _aliases: dict[str, str] = field(default_factory=dict, repr=False)
    _loaded: dict[str, T] = field(default_factory=dict, repr=False)
    _declared: bool = field(default=False, repr=False)  # the objects' own aliases are in _aliases

    def add(self, name: str, target: str, *, extra: str | None = None, summary: str = "",
            ) -> None:
        if name in self.entries:
            raise ValueError(f"{self.kind} '{name}' is registered twice")
        self.entries[name] = Entry(name, target, extra, summary)
        self._aliases[name.lower()] = name
        self._declared = False

    def names(self) -> list[str]:
        return list(self.entries)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._resolve(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def canonical(self, name: str) -> str:
        """The entry's own name for a name or alias; unknown is a UserError listing the known."""
        found = self._resolve(name)
        if found is None:
            where = f"{self.flag} {name}: " if self.flag else ""
            raise UserError(f"{where}unknown {self.kind} '{name}'; known: {', '.join(self.entries)}")
        return found

    def _resolve(self, name: str) -> str | None:
        word = str(name).lower()
        if word not in self._aliases and self.aliases_of is not None and not self._declared:
            self._declared = True
            for entry in list(self.entries):
                try:
                    declared = self.aliases_of(self.get(entry))
                except UserError:  # its optional package is missing: it says so when asked for by name
                    continue
                for alias in declared:
                    self._aliases.setdefault(alias.lower(), entry)
        return self._aliases.get(word)

    def entry(self, name: str) -> Entry:
        return self.entries[self.canonical(name)]

    def get(self, name: str) -> T:
        """The entry's object, imported on first use."""
        entry = self.entry(name)
        if entry.name not in self._loaded:
            self._loaded[entry.name] = self._import(entry)
        return self._loaded[entry.name]

    @contextmanager
    def requires(self, name: str) -> Iterator[None]:
        """Inside, a missing third-party package is entry `name`'s install message:

            with EXECUTORS.requires(self.name):
                import openai
        """
        entry = self.entry(name)
        try:
            yield
        except ModuleNotFoundError as exc:
            raise self._missing(entry, exc) from None

    def _missing(self, entry: Entry, exc: ModuleNotFoundError) -> Exception:
        missing = exc.name or "?"
        if missing.split(".")[0] == self.package.split(".")[0]:
            return exc  # a module of the project itself is missing: a bug, not an install problem
        return UserError(f"{self.kind} '{entry.name}' needs the Python package '{missing}', which is not "
                         f"installed: {install_hint(entry.extra)}")

    def _import(self, entry: Entry) -> T:
        module_name, _, attribute = entry.target.partition(":")
        try:
            module = importlib.import_module(module_name, self.package)
        except ModuleNotFoundError as exc:
            error = self._missing(entry, exc)
            if error is exc:
                raise
            raise error from None
        return getattr(module, attribute) if attribute else module  # type: ignore[return-value]

