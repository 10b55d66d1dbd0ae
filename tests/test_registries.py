"""Every extension point is a Registry, listed in codeinterview.extensions: each
loads, each entry imports (or says which extra to install), and the README's
"Adding a ..." section of each kind says where its one registration line goes."""

from __future__ import annotations

import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO

from codeinterview.errors import UserError
from codeinterview.extensions import REGISTRIES, registry
from codeinterview.registry import Registry

pytestmark = pytest.mark.fast  # no Docker engine, no server, no model

README = (REPO / "README.md").read_text(encoding="utf-8")
INSTALL = re.compile(r"^\S+ '[^']+' needs the Python package '[\w.]+', which is not installed: "
                     r"pip install 'codeinterview\[[\w-]+\]'$")


def section(kind: str) -> str:
    """The README's "## Adding a(n) KIND ..." section, up to the next heading of its level."""
    match = re.search(rf"^## Adding an? {re.escape(kind)}\b.*?(?=^## |\Z)", README, re.M | re.S)
    assert match, f'README.md has no "## Adding a {kind}" section'
    return match.group(0)


@pytest.mark.parametrize("kind", REGISTRIES)
def test_every_entry_of_every_registry_imports_or_names_its_extra(kind):
    found = registry(kind)
    assert isinstance(found, Registry) and found.kind == kind and len(found) > 0
    for name in found:
        try:
            obj = found.get(name)
        except UserError as exc:  # only an optional package may be missing, and the message says which extra
            assert found.entry(name).extra and INSTALL.match(str(exc)), str(exc)
            continue
        own = getattr(obj, "name", None) or getattr(obj, "NAME", None)
        if isinstance(own, str):  # the object's own name, where it has one, is its registered name
            assert own == name, (kind, name, own)


@pytest.mark.parametrize("kind", REGISTRIES)
def test_the_readme_says_where_each_kind_is_registered(kind):
    module, _, attribute = REGISTRIES[kind].partition(":")
    text = section(kind)
    path = module.replace(".", "/")
    assert module in text or path in text, f"README's section for {kind} does not name {module}"
    assert f"{attribute}.add(" in text, f"README's section for {kind} does not show {attribute}.add("
    assert "one module" in text.lower(), f"README's section for {kind} does not say: one module"


def test_an_unknown_name_lists_the_known_ones():
    executors = registry("executor")
    with pytest.raises(UserError, match=r"^--executor gpt: unknown executor 'gpt'; known: reference, replay, "):
        executors.get("gpt")
    languages = registry("language")
    assert languages.get("C++") is languages.get("cpp")  # an alias the language declares
    assert "c++" in languages and "cobol" not in languages


def test_a_registry_imports_nothing_until_an_entry_is_used():
    code = ("import sys, codeinterview.extensions as e; [e.registry(k) for k in e.REGISTRIES]; "
            "print(sorted(m for m in sys.modules if m.startswith(('codeinterview.executors.', "
            "'codeinterview.benchmarks.', 'codeinterview.generators.')) and not m.endswith('.base')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_missing_package_in_a_module_or_later_is_the_install_line(tmp_path, monkeypatch):
    (tmp_path / "fake_ext").mkdir()
    (tmp_path / "fake_ext" / "__init__.py").write_text("")
    (tmp_path / "fake_ext" / "needs_it.py").write_text("import no_such_package_here\nTHING = 1\n")
    (tmp_path / "fake_ext" / "ours.py").write_text("import fake_ext.not_there\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    fake: Registry[int] = Registry("widget", "fake_ext")
    fake.add("w", ".needs_it:THING", extra="widgets")
    fake.add("ours", ".ours:X")
    with pytest.raises(UserError, match=r"^widget 'w' needs the Python package 'no_such_package_here', which is "
                                        r"not installed: pip install 'codeinterview\[widgets\]'$"):
        fake.get("w")
    with pytest.raises(UserError, match=r"pip install 'codeinterview\[widgets\]'$"):
        with fake.requires("w"):
            import no_such_package_here  # noqa: F401
    with pytest.raises(ModuleNotFoundError):  # a module of the project itself missing is a bug, not an install
        fake.get("ours")
    with pytest.raises(ValueError, match="registered twice"):
        fake.add("w", ".needs_it:THING")


def test_no_module_of_a_registry_package_is_left_unregistered():
    """Where every entry of a registry names the same attribute (LANGUAGE, ANALYZER), each module
    of its package defining it is registered: a forgotten .add line fails here, not silently."""
    checked = []
    for kind in REGISTRIES:
        found = registry(kind)
        attributes = {found.entry(name).target.partition(":")[2] for name in found}
        if len(attributes) != 1 or not next(iter(attributes)):
            continue  # entries naming different attributes (classes, functions) or modules
        attribute = attributes.pop()
        package = importlib.import_module(found.package)
        registered = {found.entry(name).target.partition(":")[0].lstrip(".") for name in found}
        defining = {module.name for module in pkgutil.iter_modules(package.__path__)
                    if (source := Path(package.__path__[0], module.name + ".py")).is_file()
                    and re.search(rf"^{attribute}\b.*=", source.read_text(encoding="utf-8"), re.M)}
        assert defining, f"{kind}: no module of {found.package} defines {attribute}"
        assert defining <= registered, f"{found.package}: {sorted(defining - registered)} define {attribute}, unregistered"
        checked.append(kind)
    assert {"language", "analyzer"} <= set(checked)
