"""prepare: questions x languages x template -> prompt records."""

from __future__ import annotations

import argparse

from .cli import default_output
from .questions import LANGUAGES, load_suites
from .records import RecordWriter, now, provenance
from .templates import DEFAULT_TEMPLATE, load_template, template_variables


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prepare.py", description=__doc__)
    parser.add_argument("--interview", action="append", required=True,
                        help="suite name (interviews/NAME) or path; repeat or comma-separate")
    parser.add_argument("--languages", default=",".join(LANGUAGES),
                        help="comma list (default: python,javascript)")
    parser.add_argument("--template", default=DEFAULT_TEMPLATE,
                        help=f"prompts/NAME.yaml or a path (default: {DEFAULT_TEMPLATE})")
    parser.add_argument("--output", help="ndjson file to write (default: derived under results/)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .errors import UserError
    languages = [lang.strip() for lang in args.languages.split(",") if lang.strip()]
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown or not languages:
        raise UserError(f"--languages: unknown {', '.join(unknown) or '(empty)'}; "
                        f"choose from {', '.join(LANGUAGES)}")
    suites = load_suites(args.interview)
    template = load_template(args.template)
    output = args.output or default_output(
        "prepare", "+".join(s.name for s in suites), template.name, "+".join(languages))
    count = 0
    with RecordWriter(output, "prepare") as writer:
        for suite in suites:
            for question in suite.questions:
                for language in languages:
                    if language not in question.languages:
                        continue  # a program question exists only in its dataset's language(s)
                    variables = template_variables(question.fields, question.name, suite.name,
                                                   language, question.function_name, question.arg_names)
                    prompt, prefix = template.render(variables)
                    writer.write({
                        "stage": "prepare", "suite": suite.name, "suite_hash": suite.hash,
                        "name": question.name, "language": language,
                        "question": question.fields, "template": template.name,
                        "prompt": prompt, "code_prefix": prefix,
                        **provenance(), "prepared_at": now(),
                    })
                    count += 1
    import sys
    print(f"prepared {count} prompts from {len(suites)} suite(s)", file=sys.stderr)
    print(output)
    return 0
