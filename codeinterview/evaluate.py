"""evaluate: answer records -> code extracted -> checks run in the sandbox -> eval records.

Reads interview or eval files (ours, or can-ai-code's: for records that carry
no checks, --interview supplies the questions by name). Grades carried by an
eval file are dropped first, so re-grading never trusts stale fields.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, Iterator

from tqdm import tqdm

from .cli import derive_output
from .cli_main import stage_prog
from .distributed import add_evaluate_arguments as add_ray_arguments
from .benchmarks.program import RelativeTimeout
from .errors import InfrastructureError, UserError
from .grading import grade_answer
from .grading_config import GradingConfig
from .passk import describe, write_summary
from .paths import add_results_dir_argument
from .questions import Question, question_from_fields
from .suites import load_suites
from .records import (EvalFields, KeySet, RecordWriter, RunIdentity, Status, input_for, now, provenance,
                      count_lines, read_records, record_key, record_stage, slot_key, stage_fields)
from .records.canaicode import as_ours, name_fields
from .reference_metrics import reference_metrics
from .sandbox import Limits
from .verdicts import VerdictCache
from .scoring import Scoring


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
        if not isinstance(fields, dict) or ("Checks" not in fields and fields.get("Kind") != "program"):
            raise UserError(f"{self.input_path}: record {record_key(record)} carries no checks "
                            "(a can-ai-code file?); pass --interview SUITE to supply the questions")
        cache_key = (record.get("suite"), name, record.get("suite_hash"))
        if cache_key not in self.cache:
            self.cache[cache_key] = question_from_fields(
                str(name), fields, str(record.get("suite")), f"{self.input_path}: record {record_key(record)}")
        return self.cache[cache_key]


def grade_record(sandbox: Any, record: dict[str, Any], question: Question, grading: GradingConfig,
                 run: RunIdentity, timing: RelativeTimeout | None = None,
                 verdicts: VerdictCache | None = None) -> dict[str, Any]:
    """One eval record: the input record (its stale eval fields dropped), the
    verdict (reused from `verdicts` when an identical answer was graded), the
    grading config, the code's distance to the question's reference solution
    (reference_metrics), and this run's id."""
    base = input_for("eval", record)
    limits = grading.limits
    fields = grade_answer(sandbox, question, record["language"], record.get("answer") or "",
                          record.get("code_prefix"), limits, timing, grading.scoring,
                          record.get("code_suffix"), verdicts)
    if record.get("answer_error") and fields["status"] == Status.NO_CODE:
        fields["error"] = f"the backend gave no answer: {record['answer_error']}"
    if isinstance(record.get("attempts"), list) and record["attempts"]:
        fields["attempts_graded"] = grade_attempts(sandbox, record, question, limits, fields, timing,
                                                   grading.scoring, verdicts)
        if any(a["status"] == Status.SANDBOX_ERROR for a in fields["attempts_graded"]):
            fields["status"] = Status.SANDBOX_ERROR  # not fully graded: redone when the stage is re-run
    fields = stage_fields(EvalFields, {**fields, "evaluated_at": now(), "grading": run.config["grading"]})
    # a description of the code beside its verdict, never part of it (null: no reference to compare)
    fields["reference_metrics"] = reference_metrics(fields.get("code"), question.reference(record["language"]),
                                                    record["language"])
    return run.stamp({**base, **fields, **provenance()}, record)


def grade_attempts(sandbox: Any, record: dict[str, Any], question: Question, limits: Limits,
                   final: dict[str, Any], timing: RelativeTimeout | None = None,
                   scoring: Scoring = Scoring.CODEINTERVIEW,
                   verdicts: VerdictCache | None = None) -> list[dict[str, Any]]:
    """Grade every attempt of a feedback interview afresh (the interview's own
    grades are not trusted); the report turns these into pass rate per attempt."""
    graded: list[dict[str, Any]] = []
    for attempt in record["attempts"]:
        prefix = attempt["code_prefix"] if "code_prefix" in attempt else record.get("code_prefix")
        if attempt.get("answer") == record.get("answer") and prefix == record.get("code_prefix"):
            fields = final  # the last attempt is the record's own answer
        else:
            fields = grade_answer(sandbox, question, record["language"], attempt.get("answer") or "",
                                  prefix, limits, timing, scoring, record.get("code_suffix"), verdicts)
        graded.append({"attempt": attempt.get("attempt", len(graded) + 1), "status": fields["status"],
                       "passed": fields["passed"], "total": fields["total"], "score": fields["score"],
                       "usage": attempt.get("usage") or {}})
    return graded


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
    run = RunIdentity("eval", {"grading": grading.identity()})
    output = output_path(args, run)
    with RecordWriter(output, "eval", redo=lambda r: r.get("status") == Status.SANDBOX_ERROR,
                      run=run) as writer:
        if writer.resumed:
            print(f"resuming: {writer.resumed} records already graded in {output}", file=sys.stderr)
        grader: type[Grader] = Grader
        if args.ray:  # (ray is imported only then)
            from .distributed.grading import RayGrader
            grader = RayGrader
        grader(args, grading, run, writer).grade(book, count_lines(args.input))
    passk_path, passk = write_summary(output, read_records(output, accept=("eval",)))
    print(f"{describe(passk)}\npass@k per question and per run: {passk_path}", file=sys.stderr)
    print(output)
    return 0


class Grader:
    """Grades a stream of records with a bounded number in flight, writing
    each as it finishes: memory stays flat however long the input."""

    IN_FLIGHT_PER_WORKER = 4
    SANDBOX_FAILURES_IN_A_ROW = 10   # then the sandbox is down, not unlucky: stop (exit 3)

    def __init__(self, args: argparse.Namespace, grading: GradingConfig, run: RunIdentity,
                 writer: RecordWriter):
        self.args, self.grading, self.run, self.writer = args, grading, run, writer
        self.counts: dict[str, int] = {}
        self.failures_in_a_row = 0
        self.repeated = 0
        self.duplicates = 0   # graded records whose key was written already (a re-sent batch's late twin)
        self._sandbox: Any = None
        self.verdicts = VerdictCache()  # identical answers in this run share one sandbox run

    def todo(self, book: "QuestionBook", bar: tqdm) -> Iterator[tuple[dict[str, Any], Question]]:
        """The input's records not graded yet (each key once)."""
        seen = KeySet()
        for record in read_records(self.args.input, accept=("interview", "eval")):
            record = book.normalise(record)
            key = self.run.key_of(record, slot_key(record))
            if key in seen:
                self.repeated += 1
            elif key not in self.writer.done:
                seen.add(key)
                yield record, book.question(record)
                continue
            seen.add(key)
            bar.update()
        if self.repeated:  # said, never silent: they may be another run's answers with nothing to tell them apart
            print(f"warning: {self.repeated} input records repeat the key (run, question, language, sample) "
                  "of an earlier one and were not graded; if they are another run's answers (say, "
                  "can-ai-code files concatenated), grade each file on its own", file=sys.stderr)

    def grade(self, book: "QuestionBook", total: int | None) -> None:
        timing = self.grading.relative_timeout()
        in_flight = self.IN_FLIGHT_PER_WORKER * self.args.workers
        with ThreadPoolExecutor(self.args.workers, thread_name_prefix="grade") as pool, \
                tqdm(total=total, desc="evaluate", unit="answer", file=sys.stderr, dynamic_ncols=True) as bar:
            try:
                pending: set[Future] = set()
                for record, question in self.todo(book, bar):
                    pending.add(pool.submit(grade_record, self.sandbox(), record, question, self.grading,
                                            self.run, timing, self.verdicts))
                    if len(pending) >= in_flight:
                        done, pending = wait(pending, return_when=FIRST_COMPLETED)
                        self._write(done, bar)
                self._write(wait(pending).done, bar)
            finally:
                if self._sandbox is not None:
                    self._sandbox.close()
        self.summarize()

    def summarize(self) -> None:
        if self.counts:
            summary = ", ".join(f"{status} {n}" for status, n in sorted(self.counts.items()))
            print(f"graded {sum(self.counts.values())}: {summary}", file=sys.stderr)
        if self.verdicts.hits:
            print(f"{self.verdicts.hits} answers took the verdict of an identical answer graded before "
                  "(no second sandbox run)", file=sys.stderr)

    def sandbox(self) -> Any:
        """The sandbox pool, started on the first answer to grade (a finished run needs none)."""
        if self._sandbox is None:
            self._sandbox = self.grading.open_sandbox(self.args.workers)
        return self._sandbox

    def _write(self, done: set[Future], bar: tqdm) -> None:
        for future in done:
            self.take(future.result(), bar)

    def take(self, graded: dict[str, Any], bar: tqdm) -> None:
        """Write one graded record (once: a key already written is refused and counted)."""
        if not self.writer.write(graded):
            self.duplicates += 1
            return
        status = graded["status"]
        self.counts[status] = self.counts.get(status, 0) + 1
        bar.set_postfix(self.counts, refresh=False)
        bar.update()
        self.failures_in_a_row = self.failures_in_a_row + 1 if status == Status.SANDBOX_ERROR else 0
        if self.failures_in_a_row >= self.SANDBOX_FAILURES_IN_A_ROW:
            raise InfrastructureError(
                f"the sandbox failed on {self.failures_in_a_row} answers in a row "
                f"(last: {graded.get('error')}); those answers are marked sandbox_error "
                "and are graded again when the run resumes")

