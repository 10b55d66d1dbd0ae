"""The module import graph of a package, and its circles (tests/test_import_graph.py).

Every module of the package is parsed with `ast`; every import counts, those
inside functions included (a lazy import that closes a loop is still a
circle). Relative imports are resolved against the importing module, and
`from pkg import name` points at `pkg.name` when that is a module of the
package, else at `pkg`. An edge goes to the most specific module named.
"""

from __future__ import annotations

import ast
from pathlib import Path


def package_modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for the package folder `root` (a package's own name for its __init__)."""
    root = Path(root)
    modules: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _resolve_from(module: str, is_package: bool, level: int, target: str | None) -> str:
    if level == 0:
        return target or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([target] if target else [])])


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports (anywhere in its body)."""
    modules = package_modules(root)
    graph: dict[str, set[str]] = {name: set() for name in modules}

    def inside(name: str) -> str | None:
        """The most specific module of the package that `name` is or lies in."""
        while name:
            if name in modules:
                return name
            name = name.rpartition(".")[0]
        return None

    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve_from(module, is_package, node.level, node.module)
                for alias in node.names:
                    full = f"{base}.{alias.name}" if base else alias.name
                    targets.append(full if full in modules else base)
            for target in targets:
                found = inside(target)
                if found is not None and found != module:
                    graph[module].add(found)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted, sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    for start in sorted(graph):
        if start in index:
            continue
        # iterative Tarjan: (node, iterator over its successors)
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in graph:
                    continue
                if succ not in index:
                    index[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(graph[succ]))))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def describe(graph: dict[str, set[str]], component: list[str]) -> str:
    """One circle as its modules and the edges inside it, for a failure message."""
    members = set(component)
    edges = [f"  {a} -> {b}" for a in component for b in sorted(graph[a]) if b in members]
    return f"circle of {len(component)}: {', '.join(component)}\n" + "\n".join(edges)
