"""`python -m codeinterview.analyzers NAME FILE`: one jedi analyzer's own
process (see jedi_source); prints its findings on FILE as JSON."""

import sys
from pathlib import Path

from . import hallucination, signature
from .jedi_source import report

FINDINGS = {m.NAME: m.findings for m in (signature, hallucination)}

if __name__ == "__main__":
    name, path = sys.argv[1:3]
    print(report(FINDINGS[name], Path(path)))
