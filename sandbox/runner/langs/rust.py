"""Rust programs: `rustc --test` against the rand, regex and md5 rlibs the
image built once (sandbox/toolchains/rust.sh), then the test harness runs
the tests one at a time, in name order, so that the host's finish test
(named to sort last) runs after every other. Debug build, as `cargo test`
builds: overflow checks and debug assertions on. Stdlib only.
"""

import os
import re
import resource

from langs import toolchain_file

SOURCE = "prog.rs"
BINARY = "prog"
ARTIFACTS = [BINARY]
TOOLCHAIN_DIR = "/opt/toolchain/rust"
RUSTC_FLAGS = ["--edition", "2021", "--test", "-A", "warnings", "-C", "debuginfo=0"]
LOCATION = re.compile(r"^\s*--> [^:\n]+:(\d+):\d+", re.M)


CRATE_FLAGS = toolchain_file(os.path.join(TOOLCHAIN_DIR, "flags"), "").split()
TOOLCHAIN = "%s | %s | %s" % (toolchain_file(os.path.join(TOOLCHAIN_DIR, "version"), "rustc (version unknown)"),
                              " ".join(RUSTC_FLAGS),
                              " ".join(CRATE_FLAGS))


def compile_argv(src, limits):
    return ["rustc"] + RUSTC_FLAGS + CRATE_FLAGS + [os.path.basename(src), "-o", BINARY]


def program_argv(src, limits, note_fd):
    return [os.path.join(os.path.dirname(src), BINARY), "--test-threads=1"]


def env(jobdir):
    # few malloc arenas (each thread's would reserve 64 MB of the address space below)
    return {"MALLOC_ARENA_MAX": "2", "RUST_BACKTRACE": "0"}


def rlimits(limits):
    """Native code: the address space bounds the run's memory (an allocation
    past it fails: Rust aborts with "memory allocation of N bytes failed")."""
    return {resource.RLIMIT_AS: int(limits["memory_mb"]) << 20, resource.RLIMIT_CORE: 0}


def first_error(output):
    """rustc's first error and the line its `-->` names."""
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("error") and not line.startswith("error: aborting"):
            where = LOCATION.search("\n".join(lines[i + 1:i + 4]))
            return line.strip(), int(where.group(1)) if where else None
    for line in lines:
        if line.strip():
            return line.strip(), None
    return None, None


# Exercises: cargo test, offline, Debian's crates; the exercise's own Cargo.toml
# (never the answer's), its dependencies prebuilt at image build and copied in.
CARGO_CONFIG = os.path.join(TOOLCHAIN_DIR, "cargo", "config.toml")
PREBUILT = os.path.join(TOOLCHAIN_DIR, "exercise-target")
# cargo's dev profile without debug info (a panic still names its file and line), as the
# crates were prebuilt (sandbox/toolchains/rust.sh): generating it is much of a debug build
CARGO_PROFILE = {"CARGO_PROFILE_DEV_DEBUG": "0", "CARGO_PROFILE_TEST_DEBUG": "0", "CARGO_INCREMENTAL": "0",
                 "CARGO_BUILD_JOBS": "2"}


def test_steps(jobdir, tests, limits):
    """One `cargo test`: building is part of the run, as aider runs it (a build error
    is read from its output: codeinterview/exercises/frameworks/rust.py)."""
    import shutil

    home = os.path.join(jobdir, ".cargo-home")
    os.mkdir(home, 0o700)
    shutil.copy(CARGO_CONFIG, os.path.join(home, "config.toml"))
    target = os.path.join(jobdir, "target")
    if os.path.isdir(PREBUILT) and _has_dependencies(os.path.join(jobdir, "Cargo.toml")):
        shutil.copytree(PREBUILT, target, symlinks=True)  # 46 MB: only where a crate is wanted
    env = dict(CARGO_PROFILE, CARGO_HOME=home, CARGO_TARGET_DIR=target, CARGO_TERM_COLOR="never")
    # the integration tests alone (tests/*.rs); every test binary runs, the canary's failure aside
    argv = ["cargo", "test", "--offline", "--test", "*", "--no-fail-fast", "--", "--include-ignored"]
    return [{"phase": "run", "argv": argv, "env": env}]


def _has_dependencies(manifest):
    try:
        with open(manifest, encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        return False
    return re.search(r"^\[dependencies\][ \t]*\n(?:[ \t]*(?:#.*)?\n)*[ \t]*[A-Za-z]", text, re.M) is not None
