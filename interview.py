#!/usr/bin/env python3
"""Ask a model (through an executor) every prompt of a prepare file."""
import sys

from codeinterview.cli import run_main
from codeinterview.interview import main

if __name__ == "__main__":
    sys.exit(run_main(main))
