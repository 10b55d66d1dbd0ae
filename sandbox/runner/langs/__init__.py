"""The runner's half of each language: how a program is compiled and run
inside the sandbox. One module per language, named as the host names it
(codeinterview/languages/<name>.py); stdlib only.

A module defines:
  SOURCE                      the program's file name in the job directory
  program_argv(src, limits, note_fd) -> argv
                              how to run a program job (note_fd: a pipe the
                              Python wrapper reports a syntax error on)
and, for a compiled language:
  TOOLCHAIN                   a string naming the compiler version and flags
                              (part of the compile cache's key)
  compile_argv(src, limits) -> argv   run in the job directory
  ARTIFACTS                   glob patterns of what compiling leaves behind
                              (kept by the compile cache)
  first_error(output) -> (message, line or None)
                              the compiler's first error, for feedback
and optionally:
  server_argv() -> (argv, env, cwd) or None
                              a compiler kept running for the worker's life
                              (compile_server.py), where the image built one
  env(jobdir) -> dict         extra environment for compile and run
  prepare(jobdir)             files the job needs beside the source
  rlimits(limits) -> dict     resource limits of the run step ({RLIMIT_*: bytes})
"""

import importlib
import re

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def get(name):
    """The module for a language; KeyError when there is none."""
    if not isinstance(name, str) or not _NAME.match(name) or name in ("get",):
        raise KeyError(name)
    try:
        return importlib.import_module("langs." + name)
    except ImportError:
        raise KeyError(name) from None


def names():
    """Every language this runner has a module for."""
    import os

    folder = os.path.dirname(os.path.abspath(__file__))
    return sorted(n[:-3] for n in os.listdir(folder) if n.endswith(".py") and _NAME.match(n[:-3]))


def toolchain_file(path, default):
    """A file the family's toolchain script wrote at image build (a version, flags),
    as one line; `default` where it is missing (a runner on the host)."""
    try:
        with open(path, encoding="utf-8") as fh:
            return " ".join(fh.read().split())
    except OSError:
        return default


def compiled(module):
    return hasattr(module, "compile_argv")
