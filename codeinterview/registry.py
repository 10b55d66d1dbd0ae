"""The one registry helper every extension point uses: name -> lazily imported object.

    LANGUAGES: Registry[Language] = Registry("language", __name__)
    LANGUAGES.add("python", ".python:LANGUAGE", aliases=("py",))
    LANGUAGES.get("py")        # imports codeinterview.languages.python, returns LANGUAGE

An entry names its object as "module:attribute" (a module relative to the
registry's package); nothing is imported until the entry is used. An unknown
name is a UserError listing the known ones; an entry whose optional package is
missing is a UserError saying which `pip install codeinterview[EXTRA]` brings
it. Both exit 2 from a stage. `codeinterview.extensions` lists every registry,
for the docs and the test that checks them.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Generic, Iterator, TypeVar

from .errors import UserError

T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    name: str
    target: str                 # "module:attribute", the module relative to the registry's package
    extra: str | None = None    # the pip extra with its optional dependencies, if any
    summary: str = ""
    aliases: tuple[str, ...] = ()


def install_hint(extra: str | None) -> str:
    return f"pip install 'codeinterview[{extra}]'" if extra else "reinstall codeinterview"


@dataclass
class Registry(Generic[T]):
    kind: str                   # what an entry is, in messages: "language", "executor", ...
    package: str                # the package that relative targets are imported from
    flag: str | None = None     # the flag that names an entry, in messages: "--executor"
    entries: dict[str, Entry] = field(default_factory=dict)
    _aliases: dict[str, str] = field(default_factory=dict, repr=False)
    _loaded: dict[str, T] = field(default_factory=dict, repr=False)

    def add(self, name: str, target: str, *, extra: str | None = None, summary: str = "",
            aliases: tuple[str, ...] = ()) -> None:
        if name in self.entries:
            raise ValueError(f"{self.kind} '{name}' is registered twice")
        self.entries[name] = Entry(name, target, extra, summary, tuple(aliases))
        for word in (name, *aliases):
            self._aliases[word.lower()] = name

    def names(self) -> list[str]:
        return list(self.entries)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._aliases

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def canonical(self, name: str) -> str:
        """The entry's own name for a name or alias; unknown is a UserError listing the known."""
        found = self._aliases.get(str(name).lower())
        if found is None:
            where = f"{self.flag} {name}: " if self.flag else ""
            raise UserError(f"{where}unknown {self.kind} '{name}'; known: {', '.join(self.entries)}")
        return found

    def entry(self, name: str) -> Entry:
        return self.entries[self.canonical(name)]

    def get(self, name: str) -> T:
        """The entry's object, imported on first use."""
        entry = self.entry(name)
        if entry.name not in self._loaded:
            self._loaded[entry.name] = self._import(entry)
        return self._loaded[entry.name]

    def items(self) -> list[tuple[str, T]]:
        """Every entry imported (for listings); an entry whose extra is missing raises."""
        return [(name, self.get(name)) for name in self.entries]

    def _import(self, entry: Entry) -> T:
        module_name, _, attribute = entry.target.partition(":")
        try:
            module = importlib.import_module(module_name, self.package)
        except ModuleNotFoundError as exc:
            missing = exc.name or "?"
            if missing.startswith("codeinterview"):
                raise  # our own module is missing: a bug, not an install problem
            where = f"{self.flag} {entry.name}" if self.flag else f"{self.kind} '{entry.name}'"
            raise UserError(f"{where} needs the Python package '{missing}', which is not installed: "
                            f"{install_hint(entry.extra)}") from None
        return getattr(module, attribute) if attribute else module  # type: ignore[return-value]

