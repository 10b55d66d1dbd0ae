"""Go programs: a test file built by `go test -c` in GOPATH mode against
Debian's testify (offline), then the test binary under a memory rlimit.

The build cache is per job: a tree of symbolic links to the entries of the
one warmed at image build (the standard library without cgo, testify and its
dependencies; read-only, in the image), so only the answer's own package is
compiled, new entries land in the job's own directories, and nothing persists
between jobs. Linking its ~500 files costs ~0.1 s a job where copying its
23 MB cost ~0.7 s.
Stdlib only."""

import os
import re
import resource

from langs import toolchain_file

SOURCE = "main_test.go"
BINARY = "prog.test"
TOOLCHAIN_DIR = "/opt/toolchain"
WARM_CACHE = os.path.join(TOOLCHAIN_DIR, "gocache")
# Written by sandbox/toolchains/go.sh at image build: go's and testify's versions.
VERSION_FILE = os.path.join(TOOLCHAIN_DIR, "go-version")
FLAGS = ["-p", "2"]
ARTIFACTS = [BINARY]
ERROR = re.compile(r"^[^:\n]*\.go:(\d+)(?::\d+)?: (.*)$", re.M)
SETUP_ERROR = re.compile(r"^(?:go: |can't load package|cannot find package).*$", re.M)


TOOLCHAIN = " ".join([toolchain_file(VERSION_FILE, "go (unknown version)"),
                      "GO111MODULE=off CGO_ENABLED=0 go test -c"] + FLAGS)


def env(jobdir):
    return {"GO111MODULE": "off", "GOPATH": "/usr/share/gocode", "CGO_ENABLED": "0",
            "GOCACHE": os.path.join(jobdir, "gocache"), "GOFLAGS": "", "GOPROXY": "off",
            "GOMAXPROCS": "2", "GOTRACEBACK": "single"}


def prepare(jobdir):
    cache = os.path.join(jobdir, "gocache")
    for root, _, files in os.walk(WARM_CACHE):
        here = os.path.join(cache, os.path.relpath(root, WARM_CACHE))
        os.makedirs(here, exist_ok=True)
        for name in files:
            os.symlink(os.path.join(root, name), os.path.join(here, name))


def compile_argv(src, limits):
    return ["go", "test", "-c", "-o", BINARY] + FLAGS + [os.path.basename(src)]


def program_argv(src, limits, note_fd):
    # the garbage collector works harder before the hard limit below ends the program
    soft = int(limits["memory_mb"]) * 3 // 4
    return ["env", "GOMEMLIMIT=%dMiB" % soft, "./" + BINARY, "-test.timeout=0"]


# The Go runtime reserves about 700 MiB of address space at start (page
# summaries, arena hints: not memory in use), so the address-space limit is the
# program's memory limit plus that: its heap fails a little past memory_mb.
RUNTIME_RESERVE_MB = 768


def rlimits(limits):
    # the container allows the compiler more: bound the program to its own limit
    memory = (int(limits["memory_mb"]) + RUNTIME_RESERVE_MB) << 20
    return {resource.RLIMIT_AS: memory, resource.RLIMIT_CORE: 0}


def first_error(output):
    match = ERROR.search(output)
    if match:
        return match.group(2).strip(), int(match.group(1))
    match = SETUP_ERROR.search(output)
    if match:
        return match.group(0).strip(), None
    return None, None


def test_steps(jobdir, tests, limits):
    """`go test -json` over the exercise's package, in module mode (its go.mod),
    offline, with the warm build cache linked in as for programs."""
    prepare(jobdir)
    tmp = os.path.join(jobdir, ".tmp")  # go ignores a go.mod in the temp dir itself (TMPDIR is the job's)
    os.mkdir(tmp, 0o700)
    env = {"GO111MODULE": "on", "GOFLAGS": "-mod=mod", "GOPATH": os.path.join(jobdir, ".gopath"),
           "GOTOOLCHAIN": "local", "TMPDIR": tmp}
    return [{"phase": "run", "argv": ["go", "test", "-json", "-count=1"] + FLAGS + ["."], "env": env}]
