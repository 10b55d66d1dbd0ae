"""codeinterview: a Docker-sandboxed benchmark harness for code-writing LLMs.

Importing the package imports no model backend; executors load lazily.
"""

__version__ = "0.1.0"
