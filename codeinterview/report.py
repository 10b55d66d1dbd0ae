"""report: eval records of many runs -> a leaderboard (terminal, markdown, CSV).

One row per (model, template, parameter set). Per language: checks passed out
of checks graded (weighted), and the share of answers that passed every check.
Infrastructure errors (sandbox_error) are counted apart, never as failures.

Records stream through codeinterview.aggregate, which keeps sums per question
and row, never the records: memory does not grow with the number of records.
"""

from __future__ import annotations

import argparse
import glob
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from tabulate import tabulate

from .aggregate import GROUP, Tally, attempt_table, leaderboard
from .cli_main import stage_prog
from .errors import UserError
from .paths import results_dir
from .records.canaicode import read_as_ours

if TYPE_CHECKING:
    from .html.examples import Examples

__all__ = ["collect", "display", "display_attempts", "main", "number"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=stage_prog("report"), description=__doc__, epilog=REPORT_EXAMPLES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+", help="eval files or globs (e.g. 'results/eval_*.ndjson')")
    parser.add_argument("--output-dir", "--results-dir", default=str(results_dir()),
                        help="where leaderboard.md and leaderboard.csv go (default: $CODEINTERVIEW_RESULTS, "
                             "else ./results)")
    parser.add_argument("--html", metavar="DIR",
                        help="also write the leaderboard as a static site (DIR/index.html; opens from disk)")
    parser.add_argument("--compare", action="store_true",
                        help="two eval files (runs A and B): questions that flipped, checks that changed "
                             "(printed, in compare.md, and in the site with --html)")
    return parser


REPORT_EXAMPLES = """examples:
  %(prog)s 'results/eval_*.ndjson'
  %(prog)s 'results/eval_*.ndjson' --html results/site          also a static site (opens from disk)
  %(prog)s --compare RUN_A.ndjson RUN_B.ndjson                  what flipped between two runs"""


def expand(patterns: list[str]) -> list[Path]:
    paths: list[Path] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern)) or ([pattern] if Path(pattern).exists() else [])
        if not matches:
            raise UserError(f"{pattern}: no such eval file")
        paths.extend(Path(m) for m in matches if Path(m) not in paths)
    return paths


def run_label(record: dict, path: Path) -> str:
    """Which run of its row a record belongs to: the interview run that answered
    and the eval run that graded (two samplings graded in one file are two runs);
    older files carry no run ids, so there the file is the run."""
    runs = record.get("runs")
    if isinstance(runs, dict) and record.get("run"):
        return f"{runs.get('interview', '')}/{record['run']}"
    return str(record.get("run") or path)


def collect(paths: list[Path], examples: Examples | None = None) -> Tally:
    """Stream every record of every file into the tally (and, for the site, the
    example answers); no record is kept."""
    tally = Tally()
    for path in paths:
        for record in read_as_ours(path, accept=("eval",)):
            run = run_label(record, path)
            tally.add(record, run)
            if examples is not None:
                examples.offer(record, run)
    if not tally.cells:
        raise UserError(f"no eval records in {', '.join(map(str, paths))}")
    return tally


# --- renderers: the numbers as people read them ---

def number(value) -> str:
    """A count or a sum of check weights: 1315540, not 1.31554e+06; 2.5 as 2.5."""
    value = float(value)
    if value.is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _fraction(passed, total) -> str:
    if pd.isna(total) or not total:
        return "-"
    return f"{number(passed)}/{number(total)} ({100 * passed / total:.1f}%)"


def _spread(runs, mean, low, high) -> str:
    if pd.isna(runs) or runs < 2 or pd.isna(mean):
        return "-"
    return f"mean {mean:.1f}% (range {low:.1f}-{high:.1f}%)"


def display(table: pd.DataFrame) -> pd.DataFrame:
    """Human columns: 'passed/total (pct%)' per language, answers fully passed."""
    languages = [c[:-len("_passed")] for c in table.columns
                 if c.endswith("_passed") and not c.endswith("answers_passed") and c != "passed"]
    shown = table[GROUP + ["suites"]].copy()
    for language in languages + [None]:
        p = f"{language}_" if language else ""
        label = language or "overall"
        shown[label] = [_fraction(a, b) for a, b in zip(table[f"{p}passed"], table[f"{p}total"])]
    shown["answers fully passed"] = [_fraction(a, b) for a, b in zip(table.answers_passed, table.answers)]
    for column in [c for c in table.columns if c.startswith("pass@")]:
        shown[column] = [f"{v:.3f}" if pd.notna(v) else "-" for v in table[column]]
    shown["runs"] = [number(v) if pd.notna(v) else "-" for v in table.runs]
    if (pd.to_numeric(table.runs) > 1).any():  # several runs of one row: mean and range, never just the best
        shown["score across runs"] = [_spread(*v) for v in zip(table.runs, table.score_mean,
                                                               table.score_min, table.score_max)]
    shown["tokens/answer"] = [f"{v:.0f}" if pd.notna(v) else "-" for v in table.tokens_per_answer]
    shown["s/answer"] = [f"{v:.2f} s" if pd.notna(v) else "-" for v in table.seconds_per_answer]
    if table.infra_errors.any():
        shown["sandbox errors"] = table.infra_errors
    if table.max_attempts.notna().any():
        shown["pass@1 (1st attempt)"] = [_fraction(a, b) for a, b in zip(table.pass_first_attempt, table.answers)]
        counts = sorted(set(table.max_attempts.dropna().astype(int)))
        label = f"pass after {counts[0]}" if len(counts) == 1 else "pass after last attempt"
        shown[label] = [_fraction(a, b) if pd.notna(n) else "-"
                        for a, b, n in zip(table.pass_final_attempt, table.answers, table.max_attempts)]
    return shown


def display_attempts(table: pd.DataFrame) -> pd.DataFrame:
    shown = table[GROUP + ["attempt"]].copy()
    shown["asked"] = table.asked
    shown["passed after attempt"] = [_fraction(p, n) for p, n in zip(table.passed, table.answers)]
    shown["new passes"] = table.new_passes
    shown["tokens"] = [number(t) for t in table.tokens]
    shown["tokens per new pass"] = [number(t) if pd.notna(t) else "-" for t in table.tokens_per_new_pass]
    return shown


def _table(shown: pd.DataFrame, fmt: str) -> str:
    # disable_numparse: print the cells as display() wrote them ("1.000", not "1"), as the HTML does
    return tabulate(shown, headers="keys", tablefmt=fmt, showindex=False, disable_numparse=True)


def _examples() -> Examples:
    """The site's sample answers, collected only when a site is asked for."""
    from .html.examples import Examples

    return Examples()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    paths = expand(args.inputs)
    examples = _examples() if args.html else None
    tally = collect(paths, examples)
    table = leaderboard(tally)
    shown = display(table)
    print(_table(shown, "simple_outline"))
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv_path, md_path = out / "leaderboard.csv", out / "leaderboard.md"
    table.to_csv(csv_path, index=False)
    md_path.write_text("# Leaderboard\n\n" + _table(shown, "github") + "\n")
    attempts = attempt_table(tally)
    if not attempts.empty:  # feedback runs: pass rate after each attempt
        per_attempt = display_attempts(attempts)
        print("\nPass rate per attempt (feedback runs)")
        print(_table(per_attempt, "simple_outline"))
        attempts.to_csv(out / "attempts.csv", index=False)
        with md_path.open("a") as handle:
            handle.write("\n## Pass rate per attempt (feedback runs)\n\n" + _table(per_attempt, "github") + "\n")
    comparison = None
    if args.compare:
        from .compare import compare_files, render
        comparison = compare_files(paths)
        print("\nCompare two runs")
        print(render(comparison, "simple_outline"))
        (out / "compare.md").write_text("# Compare two runs\n\n" + render(comparison, "github"))
    if examples is not None:
        from .html import write_site  # jinja and the templates only when asked for
        print(f"wrote {write_site(tally, examples, args.html, comparison)}", file=sys.stderr)
        examples.close()
    print(f"wrote {csv_path}", file=sys.stderr)
    print(md_path)
    return 0
