"""Where things are: the data the package ships, the current directory's own
folders that override it by name, and where outputs go.

A checkout (or its editable install) reads the top-level folders sandbox/,
interviews/, prompts/ and model_parameters/ in place; a wheel carries the same
folders as package data under codeinterview/_data/ (pyproject.toml maps them
there at build time). data_dir() is the one place that tells which.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent  # the checkout, when running from one
SHIPPED = ("sandbox", "interviews", "prompts", "model_parameters", "epochs")
# Folders of the current directory that add to or override the bundled ones by name.
OVERRIDABLE = ("interviews", "prompts", "model_parameters", "epochs")
RESULTS_ENV = "CODEINTERVIEW_RESULTS"

_results_override: Path | None = None


def data_dir(name: str) -> Path:
    """The bundled folder `name` (one of SHIPPED): the installed package's copy,
    else the checkout's top-level folder."""
    if name not in SHIPPED:
        raise ValueError(f"{name!r} is not shipped data; known: {', '.join(SHIPPED)}")
    for path in (PACKAGE_DIR / "_data" / name, REPO_ROOT / name):
        if path.is_dir():
            return path
    raise FileNotFoundError(f"the bundled folder {name}/ is missing: looked in {PACKAGE_DIR / '_data'} "
                            f"(an installed package) and {REPO_ROOT} (a checkout); reinstall codeinterview")


def search_dirs(name: str) -> list[Path]:
    """Where to look for a named suite, template or parameter set, first match
    wins: the current directory's `name/` (local wins), then the bundled one."""
    if name not in OVERRIDABLE:
        raise ValueError(f"{name!r} has no local override; known: {', '.join(OVERRIDABLE)}")
    local, bundled = Path.cwd() / name, data_dir(name)
    return [bundled] if not local.is_dir() or local.resolve() == bundled.resolve() else [local, bundled]


def find_named(folder: str, name: str, suffix: str = "") -> Path | None:
    """`folder/<name><suffix>` from search_dirs(folder), or None."""
    for directory in search_dirs(folder):
        path = directory / f"{name}{suffix}"
        if path.exists():
            return path
    return None


def named_yaml(folder: str, name_or_path: str, what: str) -> Path:
    """A YAML file given by path (it has a suffix) or by name: NAME.yaml from
    ./<folder>/ (local wins) or the bundled folder. A missing one is a
    UserError listing the names on offer."""
    from .errors import UserError

    path = Path(name_or_path)
    if path.suffix:
        if not path.is_file():
            raise UserError(f"{what} file {path} not found")
        return path
    found = find_named(folder, name_or_path, ".yaml")
    if found is None:
        known = ", ".join(known_names(folder, ".yaml"))
        raise UserError(f"{what} '{name_or_path}' not found (looked in {', '.join(map(str, search_dirs(folder)))}); "
                        f"known: {known}")
    return found


def known_names(folder: str, suffix: str = "") -> list[str]:
    """Every name search_dirs(folder) offers: files ending in `suffix`, or
    sub-folders when suffix is empty."""
    names: set[str] = set()
    for directory in search_dirs(folder):
        for path in directory.iterdir():
            if (path.is_file() and suffix and path.name.endswith(suffix)) or (not suffix and path.is_dir()):
                names.add(path.name[:len(path.name) - len(suffix)] if suffix else path.name)
    return sorted(names)


def results_dir() -> Path:
    """Where derived output names go: --results-dir, else $CODEINTERVIEW_RESULTS,
    else ./results of the current directory (read when an output is named)."""
    if _results_override is not None:
        return _results_override
    return Path(os.environ.get(RESULTS_ENV) or Path.cwd() / "results")


def set_results_dir(path: str | Path | None) -> None:
    global _results_override
    _results_override = Path(path) if path else None


class _ResultsDir(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        set_results_dir(values)
        setattr(namespace, self.dest, values)


def add_results_dir_argument(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """--results-dir on a stage's parser: sets results_dir() as it is parsed."""
    parser.add_argument("--results-dir", metavar="DIR", action=_ResultsDir,
                        help=f"folder for outputs named by default (default: ${RESULTS_ENV}, else ./results "
                             f"of the current directory)")
