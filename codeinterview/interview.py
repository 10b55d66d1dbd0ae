"""interview: prompt records x executor (model) x parameters -> answer records.

Reads a prepare, interview or eval file (answers and grades it carries are
dropped, so an eval file can be re-asked of another model), asks each prompt
--samples times, and appends one record per answer. Re-running with the same
--output asks only what is missing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Iterator

from tqdm import tqdm

from .cli import derive_output
from .cli_main import stage_prog
from .distributed import add_interview_arguments as add_ray_arguments
from .errors import UserError
from .executors import EXECUTORS, Executor, Request
from .executors.base import flag_of
from .exercises.feedback import MAX_ATTEMPTS as EXERCISE_MAX_ATTEMPTS
from .grading.config import GradingConfig
from .params import load_params
from .paths import add_results_dir_argument
from .records import (InterviewFields, KeySet, RecordWriter, RunIdentity, input_for, now, provenance,
                      read_records, slot_key, stage_fields, upstream_run)

class _Recorded:
    """An argument group that records the dests of the flags added to it."""

    def __init__(self, group: Any):
        self.group, self.dests = group, list[str]()

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = self.group.add_argument(*args, **kwargs)
        self.dests.append(action.dest)
        return action


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=stage_prog("interview"), description=__doc__, epilog=INTERVIEW_EXAMPLES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", required=True, help="a prepare, interview or eval ndjson(.gz) file")
    parser.add_argument("--executor", default="reference",
                        help=f"backend: {', '.join(EXECUTORS)} (default: reference)")
    parser.add_argument("--model", help="model name, path or id (as the backend names it)")
    parser.add_argument("--params", default="greedy",
                        help="model_parameters/NAME.yaml (./model_parameters/ wins over the bundled one) "
                             "or a path (default: greedy)")
    parser.add_argument("--samples", type=int, help="answers per prompt (default: the set's n, else 1)")
    parser.add_argument("--output", help="ndjson(.gz) file to write or resume (default: derived under results/, "
                                         "named after the input, executor, model, parameters and run)")
    add_results_dir_argument(parser)
    parser.add_argument("--concurrency", type=int, help="requests in flight (default 1)")
    parser.add_argument("--lenient-params", action="store_true",
                        help="drop parameters the backend cannot honour (with a warning) instead of failing")
    # Each flag here is an option of the backends its help names (a field of their Options, whose
    # default is the one default: no flag has its own); the chosen backend refuses any other.
    backend = _Recorded(parser.add_argument_group(
        "backend options (each belongs to the backends its help names; any other backend refuses it)"))
    backend.add_argument("--base-url", help="openai, langchain: the server's URL (openai's default: "
                                            "$OPENAI_BASE_URL)")
    backend.add_argument("--api-key-env", help="openai, langchain: environment variable holding the API key "
                                               "(openai's default: OPENAI_API_KEY)")
    backend.add_argument("--timeout", type=float, help="openai, langchain: seconds per request")
    backend.add_argument("--max-retries", type=int, help="openai, langchain: retries on 429/5xx/timeouts")
    backend.add_argument("--context-size", type=int, help="llamacpp: context window")
    backend.add_argument("--gpu-layers", type=int, help="llamacpp: layers offloaded to the GPU")
    backend.add_argument("--device", help="transformers: cpu, cuda, cuda:1, mps ...")
    backend.add_argument("--dtype", help="transformers: float32, bfloat16, float16, auto")
    backend.add_argument("--batch-size", type=int, help="transformers: prompts per generate() call")
    backend.add_argument("--replay", action="append", help="replay: interview/eval file(s) to take answers from")
    backend.add_argument("--inner", help="feedback: the executor that answers")
    backend.add_argument("--max-attempts", type=int, help="feedback: attempts per question")
    backend.add_argument("--feedback-template", help="feedback: prompts/NAME.yaml for the feedback message")
    backend.add_argument("--reveal", choices=("visible", "all", "none"),
                         help="feedback: which checks' outcomes may be shown to the model")
    backend.add_argument("--n-candidates", type=int, help="feedback: best-of-n per attempt")
    backend.add_argument("--lint", help="feedback: static analyzers, run on the host beside the sandbox, whose "
                                        "findings join the feedback (comma-separated: ruff, mypy, signature, "
                                        "hallucination for Python, eslint for JavaScript; the 'lint' extra, "
                                        "eslint from apt)")
    backend.add_argument("--search", choices=("linear", "tree"),
                         help="feedback: linear (one conversation, the default) or tree (best-first over "
                              "--n-candidates answers per step, distinct sampling, backtracking; "
                              "--max-attempts then counts model calls)")
    backend.add_argument("--meta-temperature", type=float,
                         help="feedback, tree: 0 expands the best open node (default); T > 0 draws one "
                              "by a softmax of the scores at temperature T (seeded)")
    backend.add_argument("--feedback-model", help="feedback: another model for the repairs (attempts "
                                                  "after the first); --model answers first")
    backend.add_argument("--feedback-executor", help="feedback: the repairs' backend (default: --inner)")
    backend.add_argument("--feedback-base-url", help="feedback: the repairs' server URL (default: --base-url)")
    backend.add_argument("--review", action="store_true", default=None,
                         help="feedback: a person reviews each answer in the terminal; their words "
                              "are the next turn, an empty reply approves (chat prompts, --concurrency 1)")
    backend.add_argument("--review-with-verdict", action="store_true", default=None,
                         help="feedback: --review, and the sandbox's verdict goes with the reviewer's words")
    grading = _Recorded(parser.add_argument_group(
        "grading (feedback: how attempts are graded; the same flags as evaluate.py's)"))
    GradingConfig.add_arguments(grading)
    parser.set_defaults(backend_options=tuple(backend.dests), grading_options=tuple(grading.dests))
    cluster = _Recorded(parser.add_argument_group('cluster (optional: pip install -e ".[ray]")'))
    add_ray_arguments(cluster)  # distributed.interviewing.RayOptions, each field a flag
    parser.set_defaults(ray_options=tuple(cluster.dests))
    return parser


INTERVIEW_EXAMPLES = """examples:
  %(prog)s --input PREPARED                       the reference executor: the suite's own answers
  %(prog)s --input PREPARED --executor openai --model gpt-4o-mini --params precise --concurrency 8
  %(prog)s --input PREPARED --executor llamacpp --model model.gguf --samples 10 --params creative
  %(prog)s --input PREPARED --executor feedback --inner openai --model M --max-attempts 3
  %(prog)s --input PREPARED --executor feedback --inner openai --model M --search tree --max-attempts 10
  %(prog)s --input PREPARED --executor feedback --inner openai --model M --review
The path written is printed as the last line of output; re-running resumes it."""


def prompt_records(path: str) -> Iterator[dict[str, Any]]:
    """The distinct prompts of an input file, with answers, grades and run ids
    dropped, streamed (an eval file holds a prompt once per sample and run)."""
    seen = KeySet()
    for record in read_records(path):
        base = input_for("interview", record)
        base.pop("sample", None)
        if "prompt" not in base:
            raise UserError(f"{path}: record {slot_key(record)} has no prompt; run prepare.py first")
        key = f"{upstream_run(base, 'interview')}|{slot_key(base)}"
        if key not in seen:
            seen.add(key)
            yield base


class InputSurvey:
    """One pass over the input before anything is asked: how many prompts, and
    which prompt runs (template, suite hashes) they come from."""

    def __init__(self, path: str):
        self.path, self.count = path, 0
        self.upstreams: dict[str, dict[str, Any]] = {}
        self.languages: set[str] = set()
        self.kinds: set[str] = set()  # the questions' kinds ("function", "program", "exercise")
        for base in prompt_records(path):
            self.count += 1
            if base.get("language"):
                self.languages.add(str(base["language"]))
            question = base.get("question")
            self.kinds.add(str(question.get("Kind") or "function") if isinstance(question, dict) else "function")
            self.upstreams.setdefault(upstream_run(base, "interview"), base)
        if not self.count:
            raise UserError(f"{path}: no records")

    def refuse_others(self, writer: RecordWriter, output: str | Path) -> None:
        """An output holding answers to prompts of another prepare run (another
        template or suite version) is another run's file."""
        for upstream, theirs in writer.upstreams.items():
            if upstream in self.upstreams:
                continue
            mine = next(iter(self.upstreams.values()))
            differs = "; ".join(f"{k} {theirs.get(k)!r} -> {mine.get(k)!r}" for k in ("template", "suite_hash")
                                if theirs.get(k) != mine.get(k)) or "the prompts' prepare run differs"
            raise UserError(f"{output}: this file holds answers to other prompts ({differs}; input "
                            f"{self.path}); pass --output NEW.ndjson to write this run elsewhere")


def flags_given(parser: argparse.ArgumentParser, argv: list[str] | None, dests: tuple[str, ...]) -> list[str]:
    """The flags among `dests` the command line gives (argparse fills in a default only where
    the namespace holds nothing, so a dest still holding the marker was not given)."""
    unset = object()
    seen = parser.parse_args(argv, namespace=argparse.Namespace(**{dest: unset for dest in dests}))
    return [flag_of(dest) for dest in dests if getattr(seen, dest) is not unset]


def run_identity(executor: Executor, params_name: str) -> RunIdentity:
    """What makes this interview's answers comparable: the executor as it
    describes itself (where it runs, base_url, is left out), the parameters."""
    described = {k: v for k, v in executor.describe().items() if k != "base_url"}
    return RunIdentity("interview", {**described, "params_name": params_name, "params": executor.params})


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for flag, value in (("--samples", args.samples), ("--concurrency", args.concurrency)):
        if value is not None and value < 1:
            raise UserError(f"{flag} {value}: must be at least 1")
    placement = {k: getattr(args, k) for k in args.ray_options if getattr(args, k) is not None}
    if placement and "ray" not in placement:
        raise UserError(f"{', '.join(map(flag_of, placement))}: place model replicas on a Ray cluster: "
                        "they need --ray ADDRESS")
    # the backend options given (a flag not given is None): the chosen backend refuses any it does not take
    options = {k: getattr(args, k) for k in args.backend_options if getattr(args, k) is not None}
    executor_class = EXECUTORS.get(args.executor)
    executor_class.check_options(options)
    if not executor_class.grades_answers:  # the grading flags have defaults (evaluate.py's): given ones are refused
        graded = flags_given(parser, argv, args.grading_options)
        if graded:
            raise UserError(f"{', '.join(graded)}: executor '{executor_class.name}' grades no answers; the "
                            "grading flags belong to the feedback executor here (evaluate.py grades the rest)")
    params_name, params = load_params(args.params)
    samples = args.samples or params.pop("n", 1)
    params.pop("n", None)
    if samples < 1:
        raise UserError(f"the parameter set's n is {samples}: it must be at least 1")
    prompts = InputSurvey(args.input)  # a wrong input fails before a model loads
    if executor_class.grades_answers:
        options["grading"] = GradingConfig.from_args(args)
        options["grading_languages"] = tuple(sorted(prompts.languages))
        if prompts.kinds == {"exercise"} and "max_attempts" not in options:
            options["max_attempts"] = EXERCISE_MAX_ATTEMPTS  # aider's two tries
    kwargs = dict(model=args.model, params=params, lenient=args.lenient_params)
    if args.concurrency is not None:
        kwargs["concurrency"] = args.concurrency
    executor: Executor
    if args.ray:  # replicas on the cluster load the model; ray is imported only then
        from .distributed.interviewing import RayExecutor, RayOptions
        executor = RayExecutor(RayOptions(**placement), executor_class, {**kwargs, **options})
    else:
        executor = executor_class(**kwargs, **options)
    run = run_identity(executor, params_name)
    output = args.output or derive_output(args.input, "interview", args.executor, args.model,
                                          params_name, run.fingerprint)
    if hasattr(executor, "use_journal"):  # feedback: attempts journaled beside the output, for resume
        executor.use_journal(output)
    with executor, RecordWriter(output, "interview", run=run) as writer:
        prompts.refuse_others(writer, output)
        if writer.resumed:
            print(f"resuming: {writer.resumed} answers already in {output}", file=sys.stderr)
        fixed = {**executor.describe(), "params_name": params_name, "params": executor.params,
                 "params_dropped": executor.dropped_params}
        asked: dict[str, tuple[dict[str, Any], int]] = {}  # in flight only: the executor bounds it
        with tqdm(total=max(0, prompts.count * samples - writer.resumed), desc=f"interview ({executor.name})",
                  unit="answer", file=sys.stderr, dynamic_ncols=True,
                  disable=bool(args.review or args.review_with_verdict)) as bar:  # the review owns the terminal
            for answer in executor.run(_requests(args.input, samples, run, writer, asked)):
                base, sample = asked.pop(answer.key)
                fields = stage_fields(InterviewFields, {**fixed, **answer.to_fields(), "sample": sample,
                                                        "interviewed_at": now()})
                writer.write(run.stamp({**base, **fields, **provenance()}, base))
                bar.update()
    print(output)
    return 0


def _requests(path: str, samples: int, run: RunIdentity, writer: RecordWriter,
              asked: dict[str, tuple[dict[str, Any], int]]) -> Iterator[Request]:
    """A request per prompt and sample not answered yet, registered in `asked`."""
    for base in prompt_records(path):
        for sample in range(samples):
            key = run.key_of(base, slot_key({**base, "sample": sample}))
            if key in writer.done:  # (prompt_records yields each prompt once: no key repeats)
                continue
            asked[key] = (base, sample)
            yield Request(key=key, prompt=base["prompt"], sample=sample, record=base)
