"""README.md documents every flag of every command: each option string of each
`codeinterview` command's parser (prepare, interview, evaluate, report,
sandbox and its sub-commands, epoch), built by the command's own
build_parser(), appears in the README section about that command."""

from __future__ import annotations

import argparse
import importlib
import re

import pytest

from helpers import REPO

from codeinterview.cli_main import STAGES

pytestmark = pytest.mark.fast  # no Docker engine, no server, no model

# command -> the README heading whose section (sub-sections included) documents its flags
SECTIONS = {"prepare": "### prepare.py", "interview": "### interview.py", "evaluate": "### evaluate.py",
            "report": "### report.py", "sandbox": "## The sandbox", "epoch": "## Generated questions"}


def section(text: str, heading: str) -> str:
    """The lines under `heading` up to the next heading of the same level or higher."""
    level = len(heading.split()[0])
    lines = text.splitlines()
    start = lines.index(heading)
    end = next((i for i in range(start + 1, len(lines))
                if re.match(r"#{1,%d} " % level, lines[i])), len(lines))
    return "\n".join(lines[start:end])


def option_strings(parser: argparse.ArgumentParser) -> set[str]:
    """Every --flag (aliases too) of the parser and of its sub-commands; -h/--help left out."""
    found: set[str] = set()
    for action in parser._actions:  # argparse lists its actions nowhere public
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= option_strings(sub)
        elif not isinstance(action, argparse._HelpAction):
            found.update(action.option_strings)
    return found


def test_every_command_has_a_section():
    assert set(SECTIONS) == set(STAGES), "a new command: name the README section that documents its flags"


@pytest.mark.parametrize("command", sorted(STAGES))
def test_every_flag_is_in_the_readme(command):
    parser = importlib.import_module(STAGES[command][0]).build_parser()
    flags = option_strings(parser)
    assert flags, f"{command}: no flags found"
    text = section((REPO / "README.md").read_text(), SECTIONS[command])
    missing = sorted(flag for flag in flags if not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text))
    assert missing == [], f"{command}: flags missing from README.md's '{SECTIONS[command]}': {missing}"
