"""Rust: compiled with rustc 1.63 (Debian) as a test harness, in the "rust"
image family, against rand, regex and md5 built once in the image.

HumanEval-X composition: `fn main(){}` + declaration + prompt + completion +
test, the test being a `#[cfg(test)] mod tests` run by `cargo test`; a pass
compiles and every test passes. Here the harness runs the tests one at a
time in name order (sandbox/runner/langs/rust.py) and one more test, named
to sort last, writes the finish token: an answer that ends the process
early (std::process::exit(0)) never shows it. A failed test makes the
harness exit 101 even though the token follows.
"""

from __future__ import annotations

import re
from typing import Any

from ..records.schema import Status
from .base import Language, TOKEN_ENV, finished, judge_compiled, strip_token, tail

FN = re.compile(r"^[ \t]*(?:pub(?:\([\w:\s]+\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?"
                r"(?:extern\s+\"\w+\"\s+)?fn\s+(\w+)", re.M)
USE = re.compile(r"^[ \t]*(?:pub\s+)?use\s[^;]*;[ \t]*\n?", re.M)
MAIN = re.compile(r"^[ \t]*(?:pub\s+)?fn\s+main\s*\(", re.M)
# rustc 1.63: panicked at 'MESSAGE...'; 1.73 and later: panicked at FILE:LINE:COL:\nMESSAGE
PANIC = re.compile(r"panicked at '([^\n]*)|panicked at [^\n']*:\d+:\d+:\n([^\n]*)")
PRELUDE = "codeinterview_prelude"
FINISH_TEST = "zzzz_codeinterview_finish"  # sorts after every `tests::...` name


class Rust(Language):
    name = "rust"
    display = "Rust"
    aliases = ("rs",)
    fence_tags = frozenset({"rust", "rs"})
    bracket_tags = ("RUST",)
    extension = ".rs"
    image = "rust"
    # time, anyhow: the crates aider's exercises declare in their Cargo.toml (rand too)
    packages = ("rustc", "librust-rand-dev", "librust-regex-dev", "librust-regex+default-dev",
                "librust-md5-dev", "cargo", "librust-time-dev", "librust-anyhow-dev")
    compiled = True
    code_hint = re.compile(r"\bfn\s+\w+\s*[<(]|^\s*let\s+(mut\s+)?\w+\s*[:=]|^\s*use\s+\w+::", re.M)
    definition = FN
    top_level_name = re.compile(r"^(?:pub\s+)?(?:fn|struct|enum|trait|type|const|static)\s+(\w+)", re.M)
    code_start = re.compile(r"^[ \t]*(?:pub\s+)?fn\s+\w+\s*[<(]|^[ \t]*use\s+(?:std|crate|super)::"
                            r"|^[ \t]*impl\b|^[ \t]*#\[", re.M)
    export_keys = ("generation",)  # HumanEval-X's samples field

    def prompt_then_function(self, prompt: str, code: str) -> str:
        """The answer restated the function: the prompt's doc comment and its
        `use` lines stay, its unfinished signature goes. The prompt's imports
        become a glob import, which the answer's own `use` lines may shadow
        (the same name imported twice is an error in Rust)."""
        uses = "".join(USE.findall(prompt))
        stub = list(FN.finditer(prompt))
        head = prompt[:stub[-1].start()] if stub else prompt
        head = USE.sub("", head)
        if not uses:
            return f"{head.rstrip()}\n{code}"
        prelude = "".join("    pub " + line.strip() + "\n" for line in uses.splitlines() if line.strip())
        return (f"#[allow(unused_imports)]\nmod {PRELUDE} {{\n{prelude}}}\n"
                f"#[allow(unused_imports)]\nuse {PRELUDE}::*;\n{head.strip()}\n{code}")

    def compose_program(self, body: str, test: str, token: str, **options: Any) -> str:
        # rustc --test ignores main; the official program's empty main only
        # clashes with an answer that wrote one of its own.
        main = "" if MAIN.search(body) else "fn main(){}\n"
        return (f"{main}{body}\n{test}\n"
                f"#[cfg(test)]\n#[test]\nfn {FINISH_TEST}() {{\n"
                f"    use std::io::Write;\n"
                f"    let mut err = std::io::stderr();\n"
                f"    let token = std::env::var(\"{TOKEN_ENV}\").unwrap_or_default();\n"
                f"    let _ = err.write_all(format!(\"{{}}\\n\", token).as_bytes());\n"
                f"    let _ = err.flush();\n}}\n")

    def judge(self, result: Any, token: str) -> tuple[Status, str | None]:
        """A pass compiles, runs every test and exits 0. A failed assert!/
        assert_eq! is `fail`; another panic (unwrap, index out of range,
        overflow) or a crash is `runtime_error`."""
        if result.status in (Status.TIMEOUT, Status.OOM, Status.COMPILE_ERROR, Status.SYNTAX_ERROR):
            return judge_compiled(result, token)
        if finished(result, token):
            return Status.PASS, None
        output = strip_token(result.stdout + "\n" + result.stderr, token)
        if result.exit_code == 0:
            return Status.FAIL, "the program ended before its tests finished"
        panics = [a or b for a, b in PANIC.findall(output)]
        if result.exit_code == 101 and (not panics or any(p.startswith("assertion") for p in panics)):
            return Status.FAIL, _failures(output) or tail(output)
        if "memory allocation of" in output:
            return Status.OOM, tail(output)
        return Status.RUNTIME_ERROR, _failures(output) or tail(output) or f"exit code {result.exit_code}"


def _failures(output: str) -> str | None:
    """The harness's panic lines, the short of what failed."""
    lines = [line for line in output.splitlines() if "panicked at" in line or line.startswith("assertion")]
    return tail("\n".join(lines)) if lines else None


LANGUAGE = Rust()
