#!/usr/bin/env python3
"""Grade interview answers in the Docker sandbox."""
import sys

from codeinterview.cli import run_main
from codeinterview.evaluate import main

if __name__ == "__main__":
    sys.exit(run_main(main))
