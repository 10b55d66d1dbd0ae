"""report: eval records of many runs -> a leaderboard (terminal, markdown, CSV).

One row per (model, template, parameter set). Per language: checks passed out
of checks graded (weighted), and the share of answers that passed every check.
Infrastructure errors (sandbox_error) are counted apart, never as failures.
"""

from __future__ import annotations

import argparse
import glob
import sys
from pathlib import Path

import pandas as pd
from tabulate import tabulate

from .errors import UserError
from .paths import RESULTS_DIR
from .passk import run_pass_at_k, tally
from .records import read_records

GROUP = ["model", "template", "params"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="report.py", description=__doc__)
    parser.add_argument("inputs", nargs="+", help="eval files or globs (e.g. 'results/eval_*.ndjson')")
    parser.add_argument("--output-dir", default=str(RESULTS_DIR),
                        help="where leaderboard.md and leaderboard.csv go (default: results/)")
    parser.add_argument("--html", metavar="DIR",
                        help="also write the leaderboard as a static site (DIR/index.html; opens from disk)")
    parser.add_argument("--compare", action="store_true",
                        help="two eval files (runs A and B): questions that flipped, checks that changed "
                             "(printed, in compare.md, and in the site with --html)")
    return parser


def expand(patterns: list[str]) -> list[Path]:
    paths: list[Path] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern)) or ([pattern] if Path(pattern).exists() else [])
        if not matches:
            raise UserError(f"{pattern}: no such eval file")
        paths.extend(Path(m) for m in matches if Path(m) not in paths)
    return paths


def load_frame(paths: list[Path]) -> pd.DataFrame:
    rows = []
    for path in paths:
        for record in read_records(path, accept=("eval",)):
            rows.append({
                "model": _model_label(record), "template": record.get("template") or "?",
                "params": record.get("params_name") or "?", "suite": record.get("suite") or "?",
                "language": record.get("language"), "name": record.get("name"),
                "sample": record.get("sample", 0), "status": record.get("status"),
                "passed": record.get("passed") or 0, "total": record.get("total") or 0,
                "attempts": record.get("attempts_graded"),
                "max_attempts": (record.get("feedback") or {}).get("max_attempts"),
                "run": str(path), "tokens": _tokens(record), "latency_s": record.get("latency_s"),
                "record": record,  # the whole record, for the HTML question pages
            })
    if not rows:
        raise UserError(f"no eval records in {', '.join(map(str, paths))}")
    return pd.DataFrame(rows)


def leaderboard(frame: pd.DataFrame) -> pd.DataFrame:
    """The numbers, one row per model/template/params (plain columns, for CSV)."""
    scored = frame[frame.status != "sandbox_error"]
    table = frame.groupby(GROUP).agg(
        suites=("suite", lambda s: "+".join(sorted(set(s)))),
        infra_errors=("status", lambda s: int((s == "sandbox_error").sum()))).reset_index()
    for language in sorted(frame.language.dropna().unique()):
        part = scored[scored.language == language].groupby(GROUP).agg(
            passed=("passed", "sum"), total=("total", "sum"),
            answers_passed=("status", lambda s: int((s == "pass").sum())),
            answers=("status", "size")).reset_index()
        part = part.rename(columns={c: f"{language}_{c}" for c in part.columns if c not in GROUP})
        table = table.merge(part, on=GROUP, how="left")
    overall = scored.groupby(GROUP).agg(
        passed=("passed", "sum"), total=("total", "sum"),
        answers_passed=("status", lambda s: int((s == "pass").sum())),
        answers=("status", "size")).reset_index()
    table = table.merge(overall, on=GROUP, how="left")
    table["score_pct"] = (100 * table.passed / table.total.where(table.total > 0)).round(1)
    if "run" in frame:
        table = table.merge(run_spread(scored), on=GROUP, how="left").merge(costs(scored), on=GROUP, how="left")
    if "attempts" in frame:
        table = table.merge(attempt_summary(scored), on=GROUP, how="left")
    table = table.merge(pass_at_k_table(scored), on=GROUP, how="left")
    return table.sort_values(["score_pct", "model"], ascending=[False, True]).reset_index(drop=True)


def pass_at_k_table(scored: pd.DataFrame) -> pd.DataFrame:
    """pass@k per row (codeinterview.passk): the mean over questions of the
    unbiased estimator, for each k no question has fewer samples than."""
    rows = []
    for key, part in scored.groupby(GROUP):
        counts = tally(part[["suite", "name", "language", "status"]].to_dict("records"))
        rows.append({**dict(zip(GROUP, key)), **run_pass_at_k(counts.values())})
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=GROUP)


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
    if "runs" in table:
        shown["runs"] = table.runs
        if (table.runs > 1).any():  # several runs of one row: mean and range, never just the best
            shown["score across runs"] = [_spread(*v) for v in zip(table.runs, table.score_mean,
                                                                   table.score_min, table.score_max)]
        shown["tokens/answer"] = [f"{v:.0f}" if pd.notna(v) else "-" for v in table.tokens_per_answer]
        shown["s/answer"] = [f"{v:.2f} s" if pd.notna(v) else "-" for v in table.seconds_per_answer]
    if table.infra_errors.any():
        shown["sandbox errors"] = table.infra_errors
    if "max_attempts" in table and table.max_attempts.notna().any():
        shown["pass@1 (1st attempt)"] = [_fraction(a, b) for a, b in zip(table.pass_first_attempt, table.answers)]
        counts = sorted(set(table.max_attempts.dropna().astype(int)))
        label = f"pass after {counts[0]}" if len(counts) == 1 else "pass after last attempt"
        shown[label] = [_fraction(a, b) if pd.notna(n) else "-"
                        for a, b, n in zip(table.pass_final_attempt, table.answers, table.max_attempts)]
    return shown


# --- several runs of one row, and what an answer costs ---

def _tokens(record: dict):
    usage = record.get("usage") or {}
    values = [usage.get("prompt_tokens"), usage.get("completion_tokens")]
    return None if all(v is None for v in values) else sum(v or 0 for v in values)


def run_spread(scored: pd.DataFrame) -> pd.DataFrame:
    """Per row: how many runs (eval files) it pools, and the mean, min and max of their scores."""
    per_run = scored.groupby(GROUP + ["run"]).agg(passed=("passed", "sum"), total=("total", "sum"))
    per_run["score"] = 100 * per_run.passed / per_run.total.where(per_run.total > 0)
    spread = per_run.groupby(GROUP).agg(runs=("score", "size"), score_mean=("score", "mean"),
                                        score_min=("score", "min"), score_max=("score", "max"))
    return spread.round(1).reset_index()


def costs(scored: pd.DataFrame) -> pd.DataFrame:
    """Mean tokens (prompt + completion) and seconds per answer, where the backend reported them."""
    return scored.groupby(GROUP).agg(tokens_per_answer=("tokens", "mean"),
                                     seconds_per_answer=("latency_s", "mean")).round(2).reset_index()


def _spread(runs, mean, low, high) -> str:
    if runs < 2 or pd.isna(mean):
        return "-"
    return f"mean {mean:.1f}% (range {low:.1f}-{high:.1f}%)"


# --- feedback runs: what each extra attempt is worth ---

def _model_label(record: dict) -> str:
    """A feedback run is its own leaderboard row: the model plus its loop."""
    model = record.get("model") or "?"
    policy = record.get("feedback")
    if isinstance(policy, dict) and policy.get("max_attempts"):
        return f"{model} +feedback({policy['max_attempts']}, {policy.get('reveal', 'visible')})"
    return model


def _attempt_statuses(row) -> list[tuple[str, int]]:
    """(status, tokens) per attempt; a plain answer is one attempt."""
    if not isinstance(row.attempts, list) or not row.attempts:
        return [(row.status, 0)]
    return [(a.get("status"), sum(v or 0 for v in (a.get("usage") or {}).values())) for a in row.attempts]


def attempt_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Per feedback run and attempt k: answers passed after k attempts, the new
    passes attempt k brought, the tokens it spent, and tokens per extra pass."""
    frame = frame[frame.status != "sandbox_error"]
    if "attempts" not in frame or not frame.attempts.map(lambda a: isinstance(a, list)).any():
        return pd.DataFrame()
    rows = []
    for key, group in frame[frame.attempts.map(lambda a: isinstance(a, list))].groupby(GROUP):
        answers = [_attempt_statuses(row) for row in group.itertuples()]
        passed_before = 0
        for k in range(1, max(len(a) for a in answers) + 1):
            passed = sum(any(s == "pass" for s, _ in a[:k]) for a in answers)
            tokens = sum(a[k - 1][1] for a in answers if len(a) >= k)
            new = passed - passed_before
            rows.append({**dict(zip(GROUP, key)), "attempt": k, "answers": len(answers),
                         "asked": sum(1 for a in answers if len(a) >= k), "passed": passed,
                         "pass_pct": round(100 * passed / len(answers), 1), "new_passes": new,
                         "tokens": tokens, "tokens_per_new_pass": round(tokens / new, 1) if new else None})
            passed_before = passed
    return pd.DataFrame(rows)


def attempt_summary(scored: pd.DataFrame) -> pd.DataFrame:
    """Leaderboard columns: answers passed at the first attempt and after the last."""
    rows = []
    for key, group in scored.groupby(GROUP):
        answers = [_attempt_statuses(row) for row in group.itertuples()]
        feedback = group.attempts.map(lambda a: isinstance(a, list)).any()
        rows.append({**dict(zip(GROUP, key)),
                     "pass_first_attempt": sum(a[0][0] == "pass" for a in answers),
                     "pass_final_attempt": sum(any(s == "pass" for s, _ in a) for a in answers),
                     # the policy's limit (every question may have passed sooner)
                     "max_attempts": max(group.max_attempts.fillna(0).max(), max(len(a) for a in answers))
                     if feedback else None})
    return pd.DataFrame(rows, columns=GROUP + ["pass_first_attempt", "pass_final_attempt", "max_attempts"])


def display_attempts(table: pd.DataFrame) -> pd.DataFrame:
    shown = table[GROUP + ["attempt"]].copy()
    shown["asked"] = table.asked
    shown["passed after attempt"] = [_fraction(p, n) for p, n in zip(table.passed, table.answers)]
    shown["new passes"] = table.new_passes
    shown["tokens"] = table.tokens
    shown["tokens per new pass"] = [f"{t:g}" if pd.notna(t) else "-" for t in table.tokens_per_new_pass]
    return shown


def _fraction(passed, total) -> str:
    if pd.isna(total) or not total:
        return "-"
    return f"{passed:g}/{total:g} ({100 * passed / total:.1f}%)"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    paths = expand(args.inputs)
    frame = load_frame(paths)
    table = leaderboard(frame)
    shown = display(table)
    # disable_numparse: print the cells as display() wrote them ("1.000", not "1"), as the HTML does
    print(tabulate(shown, headers="keys", tablefmt="simple_outline", showindex=False, disable_numparse=True))
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv_path, md_path = out / "leaderboard.csv", out / "leaderboard.md"
    table.to_csv(csv_path, index=False)
    md_path.write_text("# Leaderboard\n\n" + tabulate(shown, headers="keys", tablefmt="github",
                                                       showindex=False, disable_numparse=True) + "\n")
    attempts = attempt_table(frame)
    if not attempts.empty:  # feedback runs: pass rate after each attempt
        per_attempt = display_attempts(attempts)
        print("\nPass rate per attempt (feedback runs)")
        print(tabulate(per_attempt, headers="keys", tablefmt="simple_outline", showindex=False))
        attempts.to_csv(out / "attempts.csv", index=False)
        with md_path.open("a") as handle:
            handle.write("\n## Pass rate per attempt (feedback runs)\n\n" + tabulate(
                per_attempt, headers="keys", tablefmt="github", showindex=False) + "\n")
    comparison = None
    if args.compare:
        from .compare import compare_files, render
        comparison = compare_files(paths)
        print("\nCompare two runs")
        print(render(comparison, "simple_outline"))
        (out / "compare.md").write_text("# Compare two runs\n\n" + render(comparison, "github"))
    if args.html:
        from .html import write_site  # jinja and the templates only when asked for
        print(f"wrote {write_site(frame, args.html, comparison)}", file=sys.stderr)
    print(f"wrote {csv_path}", file=sys.stderr)
    print(md_path)
    return 0
