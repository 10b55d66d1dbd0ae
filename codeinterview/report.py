"""report: eval records of many runs -> a leaderboard (terminal, markdown, CSV).

One row per (model, template, parameter set), grouped by prompt kind (chat,
completion, fim). Per suite and per language: checks passed out of checks
graded (weighted), with a 95% interval (a bootstrap over questions); overall,
every check pooled; the share of answers that passed every check; pass@k with
its interval. Infrastructure errors (sandbox_error) are counted apart, never as
failures. Model metadata from models.yaml (size, quantisation, licence, tags)
is joined in when there is one.

Records stream through codeinterview.leaderboard, which keeps sums per
question and row, never the records: memory does not grow with the number of
records.
"""

from __future__ import annotations

import argparse
import glob
import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import yaml
from tabulate import tabulate

from .cli_main import stage_prog
from .errors import UserError
from .leaderboard import (METHOD, VERSUS_NOTE, WEIGHTING, Catalog, Tally, attempt_table, budget_table, display,
                          display_attempts, display_budget, leaderboard, number)
from .leaderboard import terminal
from .leaderboard.exercises import ExerciseFigures
from .leaderboard.models import parse as parse_models
from .paths import results_dir
from .records.canaicode import read_as_ours

if TYPE_CHECKING:
    from .html.examples import Examples

__all__ = ["collect", "display", "display_attempts", "main", "number"]

DEFAULT_MODELS = Path("models.yaml")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=stage_prog("report"), description=__doc__, epilog=REPORT_EXAMPLES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="*", help="eval files or globs (e.g. 'results/eval_*.ndjson')")
    parser.add_argument("--output-dir", "--results-dir", default=str(results_dir()),
                        help="where leaderboard.md and leaderboard.csv go (default: $CODEINTERVIEW_RESULTS, "
                             "else ./results)")
    parser.add_argument("--html", metavar="DIR",
                        help="also write the leaderboard as a static site (DIR/index.html; opens from disk)")
    parser.add_argument("--compare", action="store_true",
                        help="each eval file is one run (two or more): the questions that separate them, the "
                             "checks that differ, a paired test per suite; with two, what flipped answer by "
                             "answer (printed, in compare.md, and in the site with --html)")
    parser.add_argument("--compare-config", metavar="YAML",
                        help="compare titled groups of eval files (title:, groups: [{title:, files: [...]}]); "
                             "their files make the leaderboard too")
    parser.add_argument("--models", metavar="YAML",
                        help="model metadata joined into the leaderboard (id or glob, alias, size, quantisation, "
                             "licence, url, tags; default: ./models.yaml when there is one)")
    parser.add_argument("--conversations", metavar="DIR",
                        help="also write every answer's conversation as a readable file under DIR")
    parser.add_argument("--surfaces", metavar="DIR",
                        help="generated questions (prepare.py --generate/--epoch): pass rate per knob level with "
                             "intervals, each model's reach, tokens per pass, and a heatmap page, under DIR")
    return parser


REPORT_EXAMPLES = """examples:
  %(prog)s 'results/eval_*.ndjson'
  %(prog)s 'results/eval_*.ndjson' --html results/site          also a static site (opens from disk)
  %(prog)s 'results/eval_*.ndjson' --models models.yaml         with size, quantisation, licence, tags
  %(prog)s --compare RUN_A.ndjson RUN_B.ndjson RUN_C.ndjson     what separates the runs, and is it real
  %(prog)s --compare-config quants.yaml --html results/site     titled groups of eval files
  %(prog)s results/eval_e1.ndjson --surfaces results/surfaces   generated questions: reach per knob"""


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


def collect(paths: list[Path], examples: Examples | None = None,
            exercises: ExerciseFigures | None = None) -> Tally:
    """Stream every record of every file into the tally (and, for the site, the
    example answers; for exercise runs, aider's figures); no record is kept."""
    tally = Tally()
    for path in paths:
        for record in read_as_ours(path, accept=("eval",)):
            run = run_label(record, path)
            tally.add(record, run)
            if exercises is not None:
                exercises.add(record)
            if examples is not None:
                examples.offer(record, run)
    if not tally.cells:
        raise UserError(f"no eval records in {', '.join(map(str, paths))}")
    return tally


def _table(shown: pd.DataFrame, fmt: str) -> str:
    # disable_numparse: print the cells as display() wrote them ("1.000", not "1"), as the HTML does
    return tabulate(shown, headers="keys", tablefmt=fmt, showindex=False, disable_numparse=True)


def _examples() -> Examples:
    """The site's sample answers, collected only when a site is asked for."""
    from .html.examples import Examples

    return Examples()


def load_models(arg: str | None) -> Catalog | None:
    """--models FILE, else ./models.yaml when there is one; says which on stderr."""
    path = Path(arg) if arg else DEFAULT_MODELS
    if not path.is_file():
        if arg:
            raise UserError(f"--models {arg}: no such file")
        print("model metadata: none (no ./models.yaml; --models FILE to add some)", file=sys.stderr)
        return None
    try:
        catalog = parse_models(yaml.safe_load(path.read_text()), str(path))
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not valid YAML ({exc})") from None
    print(f"model metadata: {path} ({len(catalog.entries)} models)", file=sys.stderr)
    return catalog


def write_conversations(paths: list[Path], out_dir: Path) -> int:
    """--conversations: codeinterview.conversations writes them (imported only when asked for)."""
    try:
        module = importlib.import_module("codeinterview.conversations")
    except ModuleNotFoundError as exc:
        if exc.name != "codeinterview.conversations":
            raise
        raise UserError("--conversations: this install has no codeinterview.conversations module; "
                        "update codeinterview, or leave out --conversations") from None
    return module.write_conversations(paths, out_dir)


NOTES = f"{WEIGHTING}.\n[a-b]: {METHOD}.\n{VERSUS_NOTE}."


def _best(table: pd.DataFrame) -> pd.DataFrame | None:
    """Each model's best row across templates and parameter sets, when some model has several."""
    if table.model.duplicated().any():
        return table[table.best].sort_values(["score_pct", "model"], ascending=[False, True], na_position="last")
    return None


def _left_out(left_out: list[str], width: int | None, csv_path: Path, md_path: Path, site: str = "") -> str:
    """One line (wrapped on a narrow screen): what was left out, and where it is."""
    return terminal.wrap(f"Left out to fit {width} columns: {', '.join(left_out)} ({len(left_out)}); "
                         f"every column is in {md_path} and {csv_path}{site}", width)


def _print_fitted(shown: pd.DataFrame, width: int | None, csv_path: Path, md_path: Path) -> None:
    printed, left_out = terminal.fit(shown, width)
    print(printed)
    if left_out:
        print(_left_out(left_out, width, csv_path, md_path))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_intermixed_args(argv)  # files before and after --compare alike
    if not args.inputs and not args.compare_config:
        parser.error("give eval files (or --compare-config YAML)")
    groups, title = None, None
    paths = expand(args.inputs) if args.inputs else []
    if args.compare_config:
        from .compare import config_groups

        title, groups = config_groups(Path(args.compare_config))
        paths += [p for g in groups for p in g.paths if p not in paths]
    elif args.compare:
        from .compare import file_groups

        groups = file_groups(paths)
    models = load_models(args.models)
    examples = _examples() if args.html else None
    exercise_figures = ExerciseFigures()
    tally = collect(paths, examples, exercise_figures)
    table = leaderboard(tally, models=models)
    shown = display(table)
    best = _best(table)
    out = Path(args.output_dir)
    csv_path, md_path = out / "leaderboard.csv", out / "leaderboard.md"
    width = terminal.width()
    printed, left_out = terminal.fit(shown, width)
    print(printed)
    print(terminal.wrap(NOTES, width))
    if left_out:
        site = f" and the site ({args.html})" if args.html else " (and the site: --html DIR)"
        print(_left_out(left_out, width, csv_path, md_path, site))
    if best is not None:
        print("\nBest result per model (across templates and parameter sets)")
        print(terminal.fit(display(best), width)[0])
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(csv_path, index=False)
    markdown = "# Leaderboard\n\n" + _table(shown, "github") + "\n\n" + NOTES.replace("\n", "\n\n") + "\n"
    if best is not None:
        markdown += "\n## Best result per model\n\n" + _table(display(best), "github") + "\n"
    md_path.write_text(markdown)
    attempts = attempt_table(tally)
    if not attempts.empty:  # feedback runs: pass rate after each attempt
        per_attempt = display_attempts(attempts)
        print("\nPass rate per attempt (feedback runs)")
        _print_fitted(per_attempt, width, out / "attempts.csv", md_path)
        attempts.to_csv(out / "attempts.csv", index=False)
        with md_path.open("a") as handle:
            handle.write("\n## Pass rate per attempt (feedback runs)\n\n" + _table(per_attempt, "github") + "\n")
    exercises = exercise_figures.table()
    if not exercises.empty:  # aider's polyglot benchmark: its own figures per model and language
        print("\nExercises: aider's figures (pass_rate_1, pass_rate_2 after each try)")
        _print_fitted(exercises, width, out / "exercises.csv", md_path)
        exercises.to_csv(out / "exercises.csv", index=False)
        with md_path.open("a") as handle:
            handle.write("\n## Exercises: aider's figures\n\n" + _table(exercises, "github") + "\n")
    budget = budget_table(tally)
    if not budget.empty:  # feedback runs: at equal spend, linear and tree search compare
        per_call = display_budget(budget)
        print("\nPass rate per model call spent (feedback runs)")
        _print_fitted(per_call, width, out / "budget.csv", md_path)
        budget.to_csv(out / "budget.csv", index=False)
        with md_path.open("a") as handle:
            handle.write("\n## Pass rate per model call spent (feedback runs)\n\n" + _table(per_call, "github") + "\n")
    comparison = None
    if groups is not None:
        from .compare import compare_groups, markdown as compare_markdown, render

        comparison = compare_groups(groups, title)
        print(f"\n{comparison['title']}")
        print(render(comparison, "simple_outline"))
        (out / "compare.md").write_text(compare_markdown(comparison))
    if args.conversations:
        written = write_conversations(paths, Path(args.conversations))
        print(f"wrote {written} conversation file(s) under {args.conversations}", file=sys.stderr)
    if examples is not None:
        from .html import write_site  # jinja and the templates only when asked for
        print(f"wrote {write_site(tally, examples, args.html, comparison, models)}", file=sys.stderr)
        examples.close()
    if args.surfaces:
        from .generators.surfaces import write_surfaces

        for surface_file in write_surfaces(paths, Path(args.surfaces)):
            print(f"wrote {surface_file}", file=sys.stderr)
    print(f"wrote {csv_path}", file=sys.stderr)
    print(md_path)
    return 0
