#!/usr/bin/env python3
"""Expand interview questions through a prompt template into prompt records."""
import sys

from codeinterview.cli import run_main
from codeinterview.prepare import main

if __name__ == "__main__":
    sys.exit(run_main(main))
