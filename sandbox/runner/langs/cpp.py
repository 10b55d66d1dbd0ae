"""C++ programs: g++ -std=c++11 (HumanEval-X's flags; OpenSSL linked for its
MD5 task), then the binary under a memory rlimit. Stdlib only."""

import re
import resource

from langs import toolchain_file

SOURCE = "prog.cpp"
BINARY = "prog"
# Written by sandbox/toolchains/cpp.sh at image build: `g++ --version`'s first line.
VERSION_FILE = "/opt/toolchain/cpp-version"
FLAGS = ["-std=c++11", "-pipe"]
LIBS = ["-Wl,--as-needed", "-lssl", "-lcrypto"]
ARTIFACTS = [BINARY]
ERROR = re.compile(r"^[^:\n]*:(\d+):(?:\d+:)? (?:fatal )?error: (.*)$", re.M)
LINK_ERROR = re.compile(r"^.*(?:undefined reference to|ld returned).*$", re.M)


TOOLCHAIN = " ".join([toolchain_file(VERSION_FILE, "g++ (unknown version)")] + FLAGS + LIBS)


def compile_argv(src, limits):
    return ["g++"] + FLAGS + ["-o", BINARY, src] + LIBS


def program_argv(src, limits, note_fd):
    return ["./" + BINARY]


def rlimits(limits):
    # the container allows the compiler more: bound the program to its own limit
    memory = int(limits["memory_mb"]) << 20
    return {resource.RLIMIT_AS: memory, resource.RLIMIT_CORE: 0}


def first_error(output):
    match = ERROR.search(output)
    if match:
        return "error: " + match.group(2).strip(), int(match.group(1))
    match = LINK_ERROR.search(output)
    if match:
        return match.group(0).strip(), None
    return None, None


# Exercises: the flags of the exercise's CMakeLists.txt (C++17, Debug, -Wall
# -Wextra -Wpedantic -Werror), Catch2 from the image (EXERCISM_TEST_SUITE: as
# Exercism's own test runner builds them) with its main prebuilt, every test on.
CATCH_MAIN = "/opt/toolchain/catch-main.o"
TEST_FLAGS = ["-std=c++17", "-g", "-pipe", "-Wall", "-Wextra", "-Wpedantic", "-Werror",
              "-DEXERCISM_TEST_SUITE", "-DEXERCISM_RUN_ALL_TESTS", "-I."]
TEST_BINARY = "exercise-tests"


def test_steps(jobdir, tests, limits):
    import glob
    import os

    sources = sorted(os.path.relpath(p, jobdir) for p in glob.glob(os.path.join(jobdir, "**", "*.cpp"),
                                                                   recursive=True))
    build = ["g++"] + TEST_FLAGS + ["-o", TEST_BINARY] + sources + [
        CATCH_MAIN, "-pthread", "-Wl,--as-needed", "-lboost_date_time"]
    run = ["./" + TEST_BINARY, "--reporter", "junit", "--out", ".report/junit.xml", "--durations", "no"]
    # no address-space limit here: tests start threads by the thousand (bank-account's 1000, each
    # reserving an 8 MiB stack); the container's memory limit bounds the run
    return [{"phase": "compile", "argv": build},
            {"phase": "run", "argv": run, "rlimits": {resource.RLIMIT_CORE: 0}}]
