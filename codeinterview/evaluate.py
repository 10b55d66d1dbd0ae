"""evaluate: answer records -> code extracted -> checks run in the sandbox -> eval records.

Reads interview or eval files (ours, or can-ai-code's: for records that carry
no checks, --interview supplies the questions by name). Grades carried by an
eval file are dropped first, so re-grading never trusts stale fields.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .cli import derive_output
from .cli_main import stage_prog
from .distributed import add_evaluate_arguments as add_ray_arguments
from .errors import UserError
from .grading.config import GradingConfig
from .grading.grader import Grader
from .passk import describe, write_summary
from .paths import add_results_dir_argument
from .questions import Question, question_from_fields
from .suites import load_suites
from .records import RecordWriter, RunIdentity, Status, read_records, record_key, record_stage, slot_key
from .records.canaicode import as_ours, name_fields


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=stage_prog("evaluate"), description=__doc__, epilog=EVALUATE_EXAMPLES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", required=True, help="an interview or eval ndjson(.gz) file")
    parser.add_argument("--output", help="ndjson(.gz) file to write or resume (default: derived under "
                                         "results/; re-grading an eval file writes a new file)")
    add_results_dir_argument(parser)
    parser.add_argument("--workers", type=int, default=2, help="sandbox containers grading in parallel (default 2)")
    parser.add_argument("--interview", action="append",
                        help="suite(s) supplying the questions (needed for can-ai-code files, "
                             "which carry no checks; when given, it overrides the records' copy)")
    GradingConfig.add_arguments(parser.add_argument_group("grading (the same flags as the feedback executor's)"))
    add_ray_arguments(parser.add_argument_group('cluster (optional: pip install -e ".[ray]")'))
    return parser


EVALUATE_EXAMPLES = """examples:
  %(prog)s --input ANSWERS                        ANSWERS: what interview printed
  %(prog)s --input ANSWERS --workers 4 --timeout-factor 6
  %(prog)s --input can-ai-code-answers.ndjson --interview junior-dev
The path written is printed as the last line of output; re-running resumes it."""


class QuestionBook:
    """Finds the question (with its checks) for each record."""

    def __init__(self, input_path: str, suites: list[str] | None):
        self.input_path = input_path
        self.by_name: dict[str, Question] = {}
        self.suite_name: str | None = None
        for suite in load_suites(suites) if suites else []:
            self.suite_name = self.suite_name or suite.name
            for question in suite.questions:
                self.by_name.setdefault(question.name, question)
        self.cache: dict[tuple, Question] = {}
        # what a can-ai-code file's name says (the suite: --interview's, when given)
        self.from_name = {k: v for k, v in name_fields(Path(input_path)).items()
                          if not (k == "suite" and self.suite_name)}

    def normalise(self, record: dict[str, Any]) -> dict[str, Any]:
        """A can-ai-code record gets the suite and sample our keys need."""
        record = as_ours(record, self.from_name)  # a can-ai-code file: run fields from its name
        if not isinstance(record.get("language"), str) or not isinstance(record.get("name"), str):
            raise UserError(f"{self.input_path}: record {slot_key(record)} has no language or name; "
                            "is this an interview file?")
        if not record.get("suite") and self.suite_name:
            record["suite"] = self.suite_name
        record.setdefault("sample", 0)
        return record

    def question(self, record: dict[str, Any]) -> Question:
        name = record.get("name")
        if name in self.by_name:
            return self.by_name[name]
        fields = record.get("question")
        carried = isinstance(fields, dict) and ("Checks" in fields or fields.get("Kind") in ("program", "exercise"))
        if not carried:
            raise UserError(f"{self.input_path}: record {record_key(record)} carries no checks "
                            "(a can-ai-code file?); pass --interview SUITE to supply the questions")
        cache_key = (record.get("suite"), name, record.get("suite_hash"))
        if cache_key not in self.cache:
            self.cache[cache_key] = question_from_fields(
                str(name), fields, str(record.get("suite")), f"{self.input_path}: record {record_key(record)}")
        return self.cache[cache_key]


def survey_input(path: str) -> tuple[int, set[str]]:
    """How many records the input holds (the progress bar's total) and their languages:
    one streaming pass over the file, before grading starts."""
    count, languages = 0, set()
    for record in read_records(path, accept=("interview", "eval")):
        count += 1
        if isinstance(record.get("language"), str):
            languages.add(record["language"])
    return count, languages


def output_path(args: argparse.Namespace, run: RunIdentity) -> Path:
    """--output, or results/eval_<input>_<run>.ndjson; an eval file re-graded
    goes to a new file (never its own input, which would count as all done)."""
    if args.output:
        if Path(args.output).resolve() == Path(args.input).resolve():
            raise UserError(f"--output {args.output} is the input; re-graded records go to another file")
        return Path(args.output)
    first = next(iter(read_records(args.input, accept=("interview", "eval"))), {})
    suffix = f"regraded-{run.fingerprint}" if record_stage(first) == "eval" else run.fingerprint
    return derive_output(args.input, "eval", suffix)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.workers < 1:
        raise UserError("--workers must be at least 1")
    grading = GradingConfig.from_args(args)
    book = QuestionBook(args.input, args.interview)
    # the identity names the sandbox families of the input's languages only: an edit to
    # another language's runner leaves this run resumable
    total, languages = survey_input(args.input)
    run = RunIdentity("eval", {"grading": grading.identity(languages)})
    output = output_path(args, run)
    with RecordWriter(output, "eval", redo=lambda r: r.get("status") == Status.SANDBOX_ERROR,
                      run=run) as writer:
        if writer.resumed:
            print(f"resuming: {writer.resumed} records already graded in {output}", file=sys.stderr)
        grader: type[Grader] = Grader
        if args.ray:  # (ray is imported only then)
            from .distributed.grading import RayGrader
            grader = RayGrader
        grader(args, grading, run, writer).grade(book, total)
    passk_path, passk = write_summary(output, read_records(output, accept=("eval",)))
    print(f"{describe(passk)}\npass@k per question and per run: {passk_path}", file=sys.stderr)
    print(output)
    return 0
