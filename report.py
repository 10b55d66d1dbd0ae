#!/usr/bin/env python3
"""Print and write a leaderboard from eval files."""
import sys

from codeinterview.cli import run_main
from codeinterview.report import main

if __name__ == "__main__":
    sys.exit(run_main(main))
