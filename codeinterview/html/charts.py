"""Small inline SVG charts, drawn server-side so the site needs no script library
and no network: score bars, the question x model heatmap, the feedback curve."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

# One colour per series (languages, feedback runs); colour-blind-safe Okabe-Ito.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
CELL = {"pass": "#2e9d57", "partial": "#f0b429", "fail": "#d64545", "error": "#8a8f98", "none": "#eef0f3"}


def _svg(width: float, height: float, body: list[str], label: str) -> Markup:
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
                  f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{escape(label)}">'
                  + "".join(body) + "</svg>")


def _text(x, y, text, anchor="start", cls="", extra="") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}" {extra}>'
            f"{escape(str(text))}</text>")


Interval = tuple[float, float]


def score_bars(rows: list[tuple[str, dict[str, float | None]]], series: list[str],
               intervals: list[dict[str, Interval]] | None = None) -> Markup:
    """Grouped horizontal bars: per leaderboard row, one bar per series (score %), with a
    whisker for its 95% interval where one is given."""
    label_w, bar_w, bar_h, gap = 400, 380, 13, 12
    height = 30 + len(rows) * (len(series) * bar_h + gap)
    body = []
    for i, name in enumerate(series):  # legend
        x = label_w + i * 110
        body.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>')
        body.append(_text(x + 16, 14, name, cls="legend"))
    y = 30
    for r, (label, scores) in enumerate(rows):
        body.append(_text(label_w - 8, y + len(series) * bar_h / 2 + 4, label, "end", "label"))
        for i, name in enumerate(series):
            value = scores.get(name)
            if value is not None:
                w = bar_w * value / 100
                interval = (intervals[r] if intervals else {}).get(name)
                said = f" [{interval[0]:.1f}-{interval[1]:.1f}]" if interval else ""
                body.append(f'<rect class="bar" x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" '
                            f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(label)} {escape(name)}: '
                            f'{value:.1f}%{said}</title></rect>')
                right = w
                if interval:
                    x0, x1 = (label_w + bar_w * end / 100 for end in interval)
                    top, bottom, mid = y + 1, y + bar_h - 3, y + (bar_h - 2) / 2
                    body.append(f'<path class="whisker" d="M{x0:.1f} {mid:.1f}H{x1:.1f}'
                                f'M{x0:.1f} {top}V{bottom}M{x1:.1f} {top}V{bottom}"/>')
                    right = max(w, bar_w * interval[1] / 100)
                body.append(_text(label_w + right + 4, y + bar_h - 3, f"{value:.1f}%{said}", cls="value"))
            y += bar_h
        y += gap
    return _svg(label_w + bar_w + 130, height, body, "score by model, with 95% intervals where given")


def heatmap(questions: list[tuple[str, str]], columns: list[str],
            cells: dict[tuple[int, int], tuple[str, str]]) -> Markup:
    """Rows are questions (label, link), columns leaderboard rows; a cell is
    (class, tooltip) with class pass / partial / fail / error, or absent."""
    label_w, cell_w, cell_h, top = 330, 26, 16, 190
    body = []
    for j, column in enumerate(columns):
        x = label_w + j * cell_w + cell_w / 2
        body.append(_text(x, top - 6, column, cls="label", extra=f'transform="rotate(-40 {x:.1f} {top - 6})"'))
    for i, (label, link) in enumerate(questions):
        y = top + i * cell_h
        body.append(f'<a href="{escape(link)}">' + _text(label_w - 6, y + cell_h - 4, label, "end", "label qlink")
                    + "</a>")
        for j in range(len(columns)):
            kind, tip = cells.get((i, j), ("none", "not asked"))
            body.append(f'<a href="{escape(link)}"><rect class="cell {kind}" data-status="{kind}" '
                        f'data-question="{escape(label)}" data-column="{escape(columns[j])}" '
                        f'x="{label_w + j * cell_w + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" '
                        f'fill="{CELL[kind]}"><title>{escape(tip)}</title></rect></a>')
    return _svg(label_w + len(columns) * cell_w + 260, top + len(questions) * cell_h + 10, body,
                "questions by model: pass, partial, fail")


def curve(series: list[tuple[str, list[float]]]) -> Markup:
    """Pass rate (%) after each attempt, one line per feedback run."""
    left, top, w, h = 50, 20, 420, 220
    attempts = max(len(points) for _, points in series)
    step = w / max(attempts - 1, 1)
    body = []
    for pct in range(0, 101, 25):  # y grid
        y = top + h - h * pct / 100
        body.append(f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{left + w}" y2="{y:.1f}"/>')
        body.append(_text(left - 6, y + 4, f"{pct}%", "end", "value"))
    for k in range(attempts):
        body.append(_text(left + k * step, top + h + 16, f"attempt {k + 1}", "middle", "value"))
    for i, (label, points) in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        xy = [(left + k * step, top + h - h * p / 100) for k, p in enumerate(points)]
        body.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                    f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in xy)}"/>')
        for k, ((x, y), p) in enumerate(zip(xy, points)):
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
                        f"<title>{escape(label)}: {p:.1f}% after attempt {k + 1}</title></circle>")
        body.append(f'<rect x="{left + w + 20}" y="{top + i * 18}" width="12" height="12" fill="{colour}"/>')
        body.append(_text(left + w + 36, top + i * 18 + 10, label, cls="legend"))
    return _svg(left + w + 380, top + h + 30, body, "feedback: pass rate after each attempt")
