"""Generated runs read as surfaces: for each generator and leaderboard row
(model, template, parameter set), the pass rate at every level of the grid
with a 95% interval, the "reach" along each knob (the highest value cleared
at a stated rate, with the range of values the intervals allow), tokens per
pass, and an HTML heatmap per knob pair. Records are streamed and folded
into per-level counts, so memory grows with levels x rows, not records.

    write_surfaces([eval files], out_dir) -> [out_dir/surfaces.md, out_dir/surfaces.html]
"""

from __future__ import annotations

import html
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..leaderboard.tally import row_key
from ..records import Status
from ..records.canaicode import read_as_ours

Z95 = 1.959963984540054  # the normal quantile of a two-sided 95% interval
CLEAR_RATE = 0.5         # a level is cleared when at least half its instances pass


def wilson(passed: int, total: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a binomial rate (sound at 0/n and n/n, unlike the normal one)."""
    if total == 0:
        return 0.0, 1.0
    p, n = passed / total, total
    centre, spread = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, (centre - spread) / (1 + z * z / n)), min(1.0, (centre + spread) / (1 + z * z / n))


@dataclass
class Cell:
    passed: int = 0
    total: int = 0
    tokens: int = 0     # completion tokens over every answer at the level

    def add(self, other: Cell) -> None:
        self.passed += other.passed
        self.total += other.total
        self.tokens += other.tokens

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.passed, self.total)

    @property
    def tokens_per_pass(self) -> float | None:
        return self.tokens / self.passed if self.passed else None


@dataclass(frozen=True)
class Reach:
    knob: str
    value: int | None   # the highest value cleared (every easier one cleared too); None: not even the first
    low: int | None     # the same read off the intervals' lower bounds ...
    high: int | None    # ... and upper bounds: the values the data allow
    rate: float


@dataclass
class Surface:
    """One generator x one leaderboard row."""
    generator: str
    row: str
    knobs: tuple[str, ...]
    cells: dict[tuple[int, ...], Cell] = field(default_factory=dict)

    def values(self, knob: str) -> list[int]:
        i = self.knobs.index(knob)
        return sorted({level[i] for level in self.cells})

    def marginal(self, knobs: tuple[str, ...]) -> dict[tuple[int, ...], Cell]:
        """Cells pooled over every knob not in `knobs`."""
        picks = [self.knobs.index(k) for k in knobs]
        pooled: dict[tuple[int, ...], Cell] = {}
        for level, cell in self.cells.items():
            pooled.setdefault(tuple(level[i] for i in picks), Cell()).add(cell)
        return pooled

    def reach(self, knob: str, rate: float = CLEAR_RATE) -> Reach:
        by_value = sorted((level[0], cell) for level, cell in self.marginal((knob,)).items())

        def climb(score: Any) -> int | None:
            top = None
            for value, cell in by_value:
                if score(cell) < rate:
                    break
                top = value
            return top

        return Reach(knob, climb(lambda c: c.rate), climb(lambda c: c.interval[0]),
                     climb(lambda c: c.interval[1]), rate)


def generated(record: dict[str, Any]) -> dict[str, Any] | None:
    """The generator provenance a prepared question carries (None for a suite's question)."""
    question = record.get("question")
    found = question.get("Generator") if isinstance(question, dict) else None
    return found if isinstance(found, dict) and isinstance(found.get("knobs"), dict) else None


def collect(paths: Iterable[Path]) -> dict[tuple[str, str], Surface]:
    """Every generated eval record folded into its surface (infrastructure errors are not scored)."""
    surfaces: dict[tuple[str, str], Surface] = {}
    for path in paths:
        for record in read_as_ours(Path(path), accept=("eval",)):
            origin = generated(record)
            if origin is None or not Status(record.get("status", "fail")).scored:
                continue
            name = str(origin["name"]) + (f"@{origin['epoch']}" if origin.get("epoch") else "")
            row = " · ".join(row_key(record))
            knobs = tuple(origin["knobs"])
            surface = surfaces.setdefault((name, row), Surface(name, row, knobs))
            if surface.knobs != knobs:
                raise UserError(f"{path}: generator {name} has knobs {', '.join(knobs)} here and "
                                f"{', '.join(surface.knobs)} elsewhere: different versions; report them apart")
            cell = surface.cells.setdefault(tuple(int(v) for v in origin["knobs"].values()), Cell())
            cell.total += 1
            cell.passed += record.get("status") == Status.PASS.value
            usage = record.get("usage")
            cell.tokens += int(usage.get("completion_tokens") or 0) if isinstance(usage, dict) else 0
    if not surfaces:
        raise UserError(f"no graded generated questions in {', '.join(map(str, paths))} "
                        "(prepare them with prepare.py --generate or --epoch)")
    return surfaces


# --- renderers ---

def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _cell_text(cell: Cell) -> str:
    lo, hi = cell.interval
    return f"{_pct(cell.rate)} [{_pct(lo)}, {_pct(hi)}] ({cell.passed}/{cell.total})"


def _tokens(cell: Cell) -> str:
    per = cell.tokens_per_pass
    return "—" if per is None else f"{per:.0f}"


def reach_text(reach: Reach) -> str:
    def show(v: int | None) -> str:
        return "none" if v is None else str(v)
    return f"{reach.knob} {show(reach.value)} [{show(reach.low)}, {show(reach.high)}]"


def markdown(surfaces: dict[tuple[str, str], Surface], rate: float = CLEAR_RATE) -> str:
    lines = ["# Generated questions: surfaces", "",
             f"Pass rate per level with a 95% Wilson interval (passed/answered). Reach: along each knob, the "
             f"highest value whose pass rate (pooled over the other knobs) is at least {_pct(rate)} with every "
             "easier value cleared too; in brackets the same read off the intervals' lower and upper bounds. "
             "Tokens per pass: completion tokens of every answer at the level / answers that passed.", ""]
    for generator in sorted({g for g, _ in surfaces}):
        lines += [f"## {generator}", "", "| row | reach |", "|---|---|"]
        rows = [s for (g, _), s in sorted(surfaces.items()) if g == generator]
        for s in rows:
            lines.append(f"| {s.row} | {'; '.join(reach_text(s.reach(k, rate)) for k in s.knobs)} |")
        for s in rows:
            lines += ["", f"### {generator}: {s.row}", "",
                      "| " + " | ".join(s.knobs) + " | pass rate [95%] | tokens/pass |",
                      "|" + "---|" * (len(s.knobs) + 2)]
            for level, cell in sorted(s.cells.items()):
                lines.append("| " + " | ".join(map(str, level)) + f" | {_cell_text(cell)} | {_tokens(cell)} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def _colour(rate: float) -> str:
    """Red (0%) through yellow to green (100%), as an HSL hue."""
    return f"hsl({round(120 * rate)}, 70%, 78%)"


def heatmap(s: Surface, x: str, y: str) -> str:
    cells = s.marginal((x, y))
    xs, ys = s.values(x), s.values(y)
    head = "".join(f"<th scope='col'>{x}={v}</th>" for v in xs)
    body = []
    for vy in reversed(ys):  # harder at the top
        row = []
        for vx in xs:
            cell = cells.get((vx, vy))
            if cell is None:
                row.append("<td class='empty'>—</td>")
                continue
            row.append(f"<td style='background:{_colour(cell.rate)}' data-rate='{cell.rate:.4f}' "
                       f"title='{html.escape(_cell_text(cell))}; tokens/pass {_tokens(cell)}'>"
                       f"{_pct(cell.rate)}<small>{cell.passed}/{cell.total}</small></td>")
        body.append(f"<tr><th scope='row'>{y}={vy}</th>{''.join(row)}</tr>")
    return (f"<table class='heatmap' data-generator='{html.escape(s.generator)}' data-row='{html.escape(s.row)}' "
            f"data-x='{x}' data-y='{y}'><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


STYLE = """body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:center}
td small{display:block;color:#555;font-size:.75em}.reach{font-family:monospace}
section{margin-bottom:2rem}figure{display:inline-block;margin:0 2rem 0 0;vertical-align:top}"""


def page(surfaces: dict[tuple[str, str], Surface], rate: float = CLEAR_RATE) -> str:
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Generated questions: surfaces</title>"
             f"<style>{STYLE}</style></head><body><h1>Generated questions: surfaces</h1>"
             f"<p>Each map: pass rate per level, pooled over the other knobs (green 100%, red 0%; hover for the "
             f"95% interval and tokens per pass). Reach: the highest value cleared at &ge; {_pct(rate)}, "
             "[from the intervals' lower, upper bounds].</p>"]
    for (generator, row), s in sorted(surfaces.items()):
        pairs = list(itertools.combinations(s.knobs, 2)) or [(s.knobs[0], s.knobs[0])]
        maps = "".join(f"<figure><figcaption>{x} × {y}</figcaption>{heatmap(s, x, y)}</figure>" for x, y in pairs)
        reach = "; ".join(reach_text(s.reach(k, rate)) for k in s.knobs)
        parts.append(f"<section><h2>{html.escape(generator)} — {html.escape(row)}</h2>"
                     f"<p class='reach'>reach: {html.escape(reach)}</p>{maps}</section>")
    return "".join(parts) + "</body></html>\n"


def write_surfaces(paths: list[Path], out_dir: Path, rate: float = CLEAR_RATE) -> list[Path]:
    """surfaces.md and surfaces.html (self-contained: no script, no fetch) in out_dir."""
    surfaces = collect(paths)
    out_dir.mkdir(parents=True, exist_ok=True)
    md, page_path = out_dir / "surfaces.md", out_dir / "surfaces.html"
    md.write_text(markdown(surfaces, rate), encoding="utf-8")
    page_path.write_text(page(surfaces, rate), encoding="utf-8")
    return [md, page_path]
