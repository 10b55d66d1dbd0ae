"""interview: prompt records x executor (model) x parameters -> answer records.

Reads a prepare, interview or eval file (answers and grades it carries are
dropped, so an eval file can be re-asked of another model), asks each prompt
--samples times, and appends one record per answer. Re-running with the same
--output asks only what is missing.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Iterator

from tqdm import tqdm

from .cli import derive_output
from .errors import UserError
from .executors import REGISTRY, Executor, Request, get_executor_class
from .params import load_params
from .records import (EVAL_FIELDS, INTERVIEW_FIELDS, RecordWriter, now, provenance,
                      read_records, record_key, strip_fields)

# interview.py flags handed to executors as options (None = backend default)
EXECUTOR_OPTIONS = ("base_url", "api_key_env", "timeout", "max_retries", "context_size",
                    "gpu_layers", "device", "dtype", "batch_size", "replay", "inner",
                    "max_attempts", "feedback_template", "reveal", "n_candidates", "lint")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="interview.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", required=True, help="a prepare, interview or eval ndjson file")
    parser.add_argument("--executor", default="reference",
                        help=f"backend: {', '.join(REGISTRY)} (default: reference)")
    parser.add_argument("--model", help="model name, path or id (as the backend names it)")
    parser.add_argument("--params", default="greedy",
                        help="model_parameters/NAME.yaml or a path (default: greedy)")
    parser.add_argument("--samples", type=int, help="answers per prompt (default: the set's n, else 1)")
    parser.add_argument("--output", help="ndjson file to write or resume (default: derived under results/)")
    parser.add_argument("--concurrency", type=int, default=1, help="requests in flight (default 1)")
    parser.add_argument("--lenient-params", action="store_true",
                        help="drop parameters the backend cannot honour (with a warning) instead of failing")
    backend = parser.add_argument_group("backend options (used by the backends that need them)")
    backend.add_argument("--base-url", help="OpenAI-compatible server URL (default: $OPENAI_BASE_URL)")
    backend.add_argument("--api-key-env", help="environment variable holding the API key "
                                               "(default: OPENAI_API_KEY)")
    backend.add_argument("--timeout", type=float, help="seconds per request")
    backend.add_argument("--max-retries", type=int, help="retries on 429/5xx/timeouts")
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
    backend.add_argument("--lint", help="feedback: static analyzers whose findings join the feedback "
                                        "(ruff, mypy; comma-separated; needs the 'lint' extra)")
    return parser


def prompt_records(path: str) -> list[dict[str, Any]]:
    """The distinct prompts of an input file, with answers and grades dropped."""
    prompts: dict[str, dict[str, Any]] = {}
    for record in read_records(path):
        base = strip_fields(record, INTERVIEW_FIELDS + EVAL_FIELDS)
        base.pop("sample", None)
        if "prompt" not in base:
            raise UserError(f"{path}: record {record_key(record)} has no prompt; run prepare.py first")
        prompts.setdefault(record_key(base), base)
    return list(prompts.values())


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    params_name, params = load_params(args.params)
    samples = args.samples or params.pop("n", 1)
    params.pop("n", None)
    if samples < 1:
        raise UserError("--samples must be at least 1")
    prompts = prompt_records(args.input)
    options = {k: getattr(args, k) for k in EXECUTOR_OPTIONS if getattr(args, k) is not None}
    executor: Executor = get_executor_class(args.executor)(
        model=args.model, params=params, concurrency=args.concurrency,
        lenient=args.lenient_params, **options)
    output = args.output or derive_output(args.input, "interview", args.executor,
                                          (args.model or "").replace("/", "-").split("-")[-1] or None,
                                          params_name)
    if hasattr(executor, "use_journal"):  # feedback: attempts journaled beside the output, for resume
        executor.use_journal(output)
    with executor, RecordWriter(output, "interview") as writer:
        todo = [(p, s) for p in prompts for s in range(samples)
                if record_key({**p, "sample": s}) not in writer.done]
        skipped = len(prompts) * samples - len(todo)
        if skipped:
            print(f"resuming: {skipped} answers already in {output}", file=sys.stderr)
        by_key = {record_key({**p, "sample": s}): (p, s) for p, s in todo}
        fixed = {**executor.describe(), "params_name": params_name, "params": executor.params,
                 "params_dropped": executor.dropped_params, "stage": "interview", **provenance()}
        with tqdm(total=len(todo), desc=f"interview ({executor.name})", unit="answer",
                  file=sys.stderr, dynamic_ncols=True) as bar:
            for answer in executor.run(_requests(todo)):
                base, sample = by_key[answer.key]
                writer.write({**base, "sample": sample, **fixed, **answer.to_fields(),
                              "interviewed_at": now()})
                bar.update()
    print(output)
    return 0


def _requests(todo: list[tuple[dict[str, Any], int]]) -> Iterator[Request]:
    for base, sample in todo:
        yield Request(key=record_key({**base, "sample": sample}), prompt=base["prompt"],
                      sample=sample, record=base)
