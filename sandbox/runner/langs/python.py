"""Python programs run through child_py.py, which reports a syntax error on note_fd."""

import sys

from children import CHILD_PY, child_rlimits

SOURCE = "prog.py"


def program_argv(src, limits, note_fd):
    return [sys.executable, "-I", CHILD_PY, "program", str(note_fd), src, child_rlimits(limits)]
