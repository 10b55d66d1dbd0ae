"""The `codeinterview` command: one sub-command per stage, each the stage's own
parser and main() (the flags of prepare.py, interview.py, evaluate.py,
report.py and python -m codeinterview.sandbox, defined once, there)."""

from __future__ import annotations

import importlib
import sys

from . import __version__
from .paths import OVERRIDABLE

COMMAND = "codeinterview"
# sub-command -> (module with main(argv), one line for the overview)
STAGES: dict[str, tuple[str, str]] = {
    "prepare": ("codeinterview.prepare", "expand interview questions through a prompt template into prompts"),
    "interview": ("codeinterview.interview", "ask a model (through an executor) every prompt of a prepare file"),
    "evaluate": ("codeinterview.evaluate", "grade the answers in the Docker sandbox"),
    "report": ("codeinterview.report", "leaderboard (markdown, CSV, optional HTML site) from eval files"),
    "sandbox": ("codeinterview.sandbox.__main__", "the sandbox images: build, tag, clean"),
    "epoch": ("codeinterview.generators.epochs", "propose the next epoch of generated questions from eval files"),
}
_running_as_command = False


def stage_prog(stage: str) -> str:
    """A stage parser's prog: `codeinterview prepare` under the command, else the script's name."""
    if stage == "sandbox":
        return f"{COMMAND} sandbox" if _running_as_command else "python -m codeinterview.sandbox"
    return f"{COMMAND} {stage}" if _running_as_command else f"{stage}.py"


def overview() -> str:
    width = max(map(len, STAGES))
    lines = [f"usage: {COMMAND} [--version] [--help] <command> [options]", "",
             "Docker-sandboxed benchmark harness for code-writing language models.", "", "commands:"]
    lines += [f"  {name:<{width}}  {text}" for name, (_, text) in STAGES.items()]
    lines += ["", f"`{COMMAND} <command> --help` lists a command's options.", "",
              "Outputs named by default go to ./results of the current directory (--results-dir DIR, or",
              "$CODEINTERVIEW_RESULTS). Suites, templates and parameter sets are found by name in the",
              f"current directory's {', '.join(d + '/' for d in OVERRIDABLE)} folders first (a local one",
              "wins over the bundled one of the same name), then among the bundled ones.", "",
              "example, the whole pipeline on a bundled suite with the reference executor (each stage",
              "prints the path it wrote as its last line):",
              f"  prepared=$({COMMAND} prepare --interview junior-dev | tail -n 1)",
              f"  answers=$({COMMAND} interview --input \"$prepared\" --executor reference | tail -n 1)",
              f"  graded=$({COMMAND} evaluate --input \"$answers\" | tail -n 1)",
              f"  {COMMAND} report \"$graded\""]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    global _running_as_command
    args = sys.argv[1:] if argv is None else list(argv)
    if not args or args[0] in ("-h", "--help", "help"):
        sys.stdout.write(overview())
        return 0 if args else 2
    if args[0] == "--version":
        print(f"{COMMAND} {__version__}")
        return 0
    if args[0] not in STAGES:
        sys.stderr.write(f"{COMMAND}: unknown command {args[0]!r}; commands: {', '.join(STAGES)}\n"
                         f"(`{COMMAND} --help` for an overview)\n")
        return 2
    _running_as_command = True
    module = importlib.import_module(STAGES[args[0]][0])
    if args[0] == "sandbox":
        return module.main(args[1:])
    from .cli import run_main

    return run_main(module.main, args[1:])


if __name__ == "__main__":
    sys.exit(main())
