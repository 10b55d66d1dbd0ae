"""Static analysis of an answer's code, for the feedback loop (--lint NAME,...).

The analyzers read the code as text and never run it, so they run on the
host (in parallel with each other, and with the sandbox when the caller
starts them beside it); the answer itself runs only in the sandbox. Each
applies to one language and is skipped for the others. One module each:

    ruff           Python: syntax errors, undefined names, misplaced break/return (crash rules)
    mypy           Python: type errors, in unannotated functions too
    signature      Python: calls to the standard library's and installed packages' functions
                   checked against their real signatures (jedi): an unknown or missing argument
    hallucination  Python: modules, functions and attributes that do not exist (`re.matches`,
                   `import numpy.linalgs`), with the closest real names
    eslint         JavaScript: undefined names (eslint's no-undef, against the globals of the
                   host's node); syntax needs none here: the sandbox loads every answer with
                   node's own parser, so a syntax error already comes back with its line
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ..errors import UserError
from ..registry import Registry
from .base import Analyzer, Finding

# name (--lint) -> its module's ANALYZER, which says what tool it needs and how to install it
ANALYZERS: Registry[Analyzer] = Registry("analyzer", __name__, flag="--lint")
ANALYZERS.add("ruff", ".ruff:ANALYZER")
ANALYZERS.add("mypy", ".mypy:ANALYZER")
ANALYZERS.add("signature", ".signature:ANALYZER")
ANALYZERS.add("hallucination", ".hallucination:ANALYZER")
ANALYZERS.add("eslint", ".eslint:ANALYZER")
MAX_FINDINGS = 10

__all__ = ["ANALYZERS", "Analyzer", "Finding", "lint", "parse_linters"]


def parse_linters(spec: str | list[str] | None) -> list[str]:
    """`ruff,mypy` (or a list) -> the names, checked to exist and to be installed."""
    names = spec.split(",") if isinstance(spec, str) else list(spec or [])
    names = [n.strip() for n in names if n.strip()]
    for name in names:
        if name not in ANALYZERS:
            raise UserError(f"--lint {name}: unknown analyzer; choose from {', '.join(ANALYZERS)}")
        analyzer = ANALYZERS.get(name)
        if not analyzer.installed():
            raise UserError(f"--lint {name}: {analyzer.needs} is not installed; "
                            f"install it with: {analyzer.install}")
    return names


def lint(names: list[str], code: str | None, language: str, preamble: str = "") -> list[Finding]:
    """Findings of the named analyzers that apply to `language`, first by line.

    `preamble` is what runs before the code (a benchmark's prompt, with its
    imports): analyzed with it, so that names it defines are not reported,
    while findings in it are dropped and lines count from the code's first."""
    analyzers = [a for a in map(ANALYZERS.get, names) if a.language == language]
    if not code or not analyzers:
        return []
    shift = preamble.count("\n")
    with ThreadPoolExecutor(len(analyzers), thread_name_prefix="lint") as pool:  # each runs a subprocess
        reports = list(pool.map(lambda a: a.run(preamble + code), analyzers))
    findings: list[Finding] = [{**f, "line": f["line"] - shift}  # type: ignore[typeddict-item]
                               for report in reports for f in report if f["line"] > shift]
    findings.sort(key=lambda f: (f["line"], f["column"]))
    return findings[:MAX_FINDINGS]
