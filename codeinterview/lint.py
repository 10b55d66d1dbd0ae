"""The analyzers' entry points under their first home (the feedback executor
imports them from here); they live in codeinterview.analyzers, one module each."""

from .analyzers import ANALYZERS, Finding, lint, parse_linters

__all__ = ["ANALYZERS", "Finding", "lint", "parse_linters"]
