"""Python programs run through child_py.py, which reports a syntax error on note_fd."""

import sys

from children import CHILD_PY, child_rlimits

SOURCE = "prog.py"


def program_argv(src, limits, note_fd):
    return [sys.executable, "-I", CHILD_PY, "program", str(note_fd), src, child_rlimits(limits)]


def test_steps(jobdir, tests, limits):
    """pytest over the test files, its configuration ours alone: no ini file
    (-c /dev/null), no conftest.py, no plugins, no cache; JUnit XML report."""
    unused = ["cacheprovider", "doctest", "pastebin", "nose", "stepwise", "legacypath", "setuponly",
              "setupplan", "freeze_support"]  # plugins no exercise needs: each costs start-up time
    # forked from the daemon, which has pytest imported (children.fork_python), as `python3 -I -m pytest`
    argv = [sys.executable, "-I", CHILD_PY, "pytest", child_rlimits(limits), "-c", "/dev/null", "--rootdir", jobdir,
            "--noconftest",
            *[arg for name in unused for arg in ("-p", "no:" + name)], "-q", "--tb=short", "-o", "junit_family=xunit2",
            "--junitxml", ".report/junit.xml", "--"] + list(tests)
    return [{"phase": "run", "argv": argv, "env": {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}}]
