"""prepare: questions x languages x template -> prompt records."""

from __future__ import annotations

import argparse
import hashlib
import sys
from fnmatch import fnmatchcase

from .cli import default_output
from .cli_main import stage_prog
from . import languages as registry
from .errors import UserError
from .paths import add_results_dir_argument
from .questions import Question, Suite, all_language_names, no_function_bridge, ordered
from .suites import load_suites
from . import generators
from .generators.epochs import epoch_suites
from .generators.grid import generated_suite, parse_grid
from .records import PromptFields, RecordWriter, RunIdentity, now, provenance, stage_fields
from .templates import DEFAULT_TEMPLATE, EXERCISE_TEMPLATE, load_template, template_variables


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=stage_prog("prepare"), description=__doc__, epilog=PREPARE_EXAMPLES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    what = parser.add_argument_group("what to ask")
    what.add_argument("--interview", action="append",
                      help="suite name (./interviews/NAME wins over the bundled NAME) or path; "
                           "repeat or comma-separate")
    generated = parser.add_argument_group("generated questions (codeinterview/generators)")
    generated.add_argument("--generate", action="append", metavar="NAME[:KNOB=LO..HI,...]",
                           help="draw questions from a generator over a grid of knob values (LO..HI, "
                                "LO..HI/STEP, or V1|V2|...; unnamed knobs take their default range); "
                                "repeatable; `--generate list` lists the generators and their knobs")
    generated.add_argument("--instances", type=int, default=2,
                           help="questions drawn per level of --generate's grids (default 2; an epoch names its own)")
    generated.add_argument("--seed", type=int, default=0, help="--generate's seed (default 0; an epoch names its own)")
    generated.add_argument("--epoch", metavar="NAME",
                           help="the grids, seed and instances of an epoch (epochs/NAME.yaml, or a path)")
    what.add_argument("--languages",
                        help="comma list of names or aliases (py, js, c++, ...; default: every "
                             "language the selected questions are written for)")
    what.add_argument("--template",
                      help=f"prompts/NAME.yaml (./prompts/ wins over the bundled one) or a path "
                           f"(default: {DEFAULT_TEMPLATE}; {EXERCISE_TEMPLATE} for exercises)")
    what.add_argument("--questions",
                        help="only the questions whose names match these patterns (comma list of "
                             "shell-style globs, e.g. 'HumanEval/1*,FizzBuzz'; default: all)")
    output = parser.add_argument_group("output")
    output.add_argument("--output", help="ndjson file to write (default: derived under the results folder)")
    add_results_dir_argument(output)
    return parser


PREPARE_EXAMPLES = """examples:
  %(prog)s --interview junior-dev                      every language, the default template
  %(prog)s --interview junior-dev,senior-dev --languages python --template completion
  %(prog)s --interview humaneval=HumanEval.jsonl.gz --questions 'HumanEval/1*'
  %(prog)s --interview ./my-suite --results-dir runs/today
  %(prog)s --generate vm:length=4..12/4,depth=0..2 --instances 3 --seed 7
  %(prog)s --generate list
  %(prog)s --epoch e1 --interview junior-dev
The path written is printed as the last line of output."""


def select(suites: list[Suite], spec: str | None) -> list[tuple[Suite, Question]]:
    """The suites' questions whose names match a pattern of `spec` (all without one);
    a pattern that matches nothing is an error, as a typo would otherwise pass silently."""
    pairs = [(suite, q) for suite in suites for q in suite.questions]
    if not spec:
        return pairs
    patterns = [p.strip() for p in spec.split(",") if p.strip()]
    unmatched = [p for p in patterns if not any(fnmatchcase(q.name, p) for _, q in pairs)]
    if unmatched or not patterns:
        raise UserError(f"--questions: no question in {', '.join(s.name for s in suites)} matches "
                        f"{', '.join(unmatched) or '(empty)'}; names look like "
                        f"{', '.join(q.name for _, q in pairs[:3])}")
    return [(s, q) for s, q in pairs if any(fnmatchcase(q.name, p) for p in patterns)]


def default_template(selected: list[tuple[Suite, Question]]) -> str:
    """The template when --template is not given: exercises (files in, files out)
    have one of their own; a run cannot mix them with other questions without one."""
    kinds = {q.kind == "exercise" for _, q in selected}
    if kinds == {True}:
        return EXERCISE_TEMPLATE
    if kinds == {True, False}:
        raise UserError("--template: the selected questions mix exercises (aider-polyglot) with other kinds; "
                        "prepare them separately, or name a template that renders both")
    return DEFAULT_TEMPLATE


def chosen_languages(spec: str | None, selected: list[tuple[Suite, Question]]) -> list[str]:
    """--languages as canonical names (aliases accepted), in the order given;
    without it, every language some selected question is written for."""
    if spec is None:
        return list(ordered(lang for _, q in selected for lang in q.languages))
    words = [word.strip() for word in spec.split(",") if word.strip()]
    unknown = [word for word in words if not registry.is_known(word)]
    if unknown or not words:
        raise UserError(f"--languages: unknown {', '.join(unknown) or '(empty)'}; "
                        f"choose from {', '.join(all_language_names())} (or their aliases)")
    return list(dict.fromkeys(registry.get(word).name for word in words))


def asked_suites(args: argparse.Namespace) -> list[Suite]:
    """--interview's suites, then --generate's and --epoch's generated ones."""
    if not (args.interview or args.generate or args.epoch):
        raise UserError("nothing to ask: pass --interview NAME (e.g. junior-dev), --generate NAME "
                        "(`--generate list` shows them) or --epoch NAME")
    if args.instances < 1:
        raise UserError(f"--instances {args.instances}: draw at least 1 question per level")
    suites = load_suites(args.interview) if args.interview else []
    suites += [generated_suite(parse_grid(spec), args.instances, args.seed) for spec in args.generate or []]
    if args.epoch:
        suites += epoch_suites(args.epoch)
    taken = [s.name for s in suites]
    if len(set(taken)) != len(taken):
        raise UserError(f"suite names repeat ({', '.join(taken)}): give each generator once "
                        "(list several values of a knob with '|' instead)")
    return suites


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.generate and "list" in args.generate:
        print("\n".join(generators.listing()))
        return 0
    suites = asked_suites(args)
    selected = select(suites, args.questions)
    languages = chosen_languages(args.languages, selected)
    if args.languages is not None:  # asked for by name: refused before anything is written, never a gap
        for _, question in selected:
            for language in languages:
                if question.kind == "function" and not registry.get(language).function_bridge:
                    raise no_function_bridge(question.name, language, question.source)
    template = load_template(args.template or default_template(selected))
    run = RunIdentity("prepare", {"template": template.name, "languages": languages,
                                  "suites": {s.name: s.hash for s in suites}, "questions": args.questions})
    # patterns that read alike once made file-name-safe ("Is*", "Is?") get different files
    subset = args.questions and \
        f"{args.questions}-{hashlib.sha256(args.questions.encode()).hexdigest()[:6]}"
    output = args.output or default_output(
        "prepare", "+".join(s.name for s in suites), subset, template.name, "+".join(languages),
        run.fingerprint)
    count = 0
    with RecordWriter(output, "prepare", run=run) as writer:
        for suite, question in selected:
            for language in languages:
                if language not in question.languages:
                    continue  # a program question exists only in the language(s) it has a Test for
                variables = template_variables(question.fields, question.name, suite.name,
                                               language, question.function_name, question.arg_names)
                prompt, prefix = template.render(variables)
                fields = stage_fields(PromptFields, {
                    "suite": suite.name, "suite_hash": suite.hash, "name": question.name,
                    "language": language, "question": question.fields, "template": template.name,
                    "prompt": prompt, "code_prefix": prefix,
                    "code_suffix": template.code_suffix(variables), "prepared_at": now()})
                writer.write(run.stamp({**fields, **provenance()}, {}))
                count += 1
    print(f"prepared {count} prompts from {len(suites)} suite(s)", file=sys.stderr)
    print(output)
    return 0
