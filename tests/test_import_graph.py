"""No import circles in codeinterview: every module's imports (those inside
functions included: a lazy import that closes a loop is still a circle) form
a graph without a strongly connected component of two or more modules."""

from __future__ import annotations

import textwrap

import pytest

from helpers import REPO
from import_graph import circles, describe, import_graph

pytestmark = pytest.mark.fast


def test_codeinterview_has_no_import_circle():
    graph = import_graph(REPO / "codeinterview")
    assert len(graph) > 50 and "codeinterview.grading.answer" in graph  # the whole package was read
    found = circles(graph)
    assert not found, "import circles in codeinterview:\n\n" + "\n\n".join(describe(graph, c) for c in found)


STAGES = {f"codeinterview.{stage}" for stage in ("prepare", "interview", "evaluate", "report")}
BELOW_THE_STAGES = ("grading", "feedback", "executors", "languages", "sandbox", "records")


def test_nothing_below_the_stages_imports_a_stage():
    """Data flows one way: stages -> grading, executors, feedback -> languages, sandbox -> records."""
    graph = import_graph(REPO / "codeinterview")
    upward = sorted(f"{module} -> {target}" for module, targets in graph.items() for target in targets
                    if target in STAGES and module.split(".")[1:2] and module.split(".")[1] in BELOW_THE_STAGES)
    assert not upward, "\n".join(upward)


def write_package(root, files: dict[str, str]):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def test_a_circle_through_a_lazy_import_is_found(tmp_path):
    pkg = write_package(tmp_path / "pkg", {
        "__init__.py": "",
        "a.py": "from .b import helper\n",
        "b.py": "def helper():\n    from pkg import c\n    return c\n",
        "c.py": "import pkg.sub.d\n",
        "sub/__init__.py": "",
        "sub/d.py": "from .. import a\n",     # relative, two levels, `from pkg import a` -> pkg.a
        "e.py": "from . import a\n",          # imports into the circle, not part of it
    })
    graph = import_graph(pkg)
    assert graph["pkg.b"] == {"pkg.c"} and graph["pkg.sub.d"] == {"pkg.a"} and graph["pkg.e"] == {"pkg.a"}
    assert circles(graph) == [["pkg.a", "pkg.b", "pkg.c", "pkg.sub.d"]]
    assert "pkg.sub.d -> pkg.a" in describe(graph, circles(graph)[0])


def test_a_package_without_a_circle_passes(tmp_path):
    pkg = write_package(tmp_path / "pkg", {
        "__init__.py": "from .a import x\n",   # the package imports its module: one way only
        "a.py": "from .b import y as x\nimport json\n",
        "b.py": "y = 1\n",
    })
    graph = import_graph(pkg)
    assert graph == {"pkg": {"pkg.a"}, "pkg.a": {"pkg.b"}, "pkg.b": set()}
    assert circles(graph) == []
