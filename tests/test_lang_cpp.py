"""C++ graded in its own image (family "cpp"): HumanEval-X's canonical solutions
through the pipeline, each verdict, the hostile corpus and the compile cache."""

from __future__ import annotations

import dataclasses

import pytest

from codeinterview.languages.base import TOKEN_ENV

from codeinterview.benchmarks import humaneval_cpp
from codeinterview.benchmarks.program import RelativeTimeout, grade_program
from codeinterview.sandbox import Job, Limits, open_sandbox
from helpers import SHARED, records
from test_benchmark_reference import run_stages

DATASET = SHARED / "humaneval-cpp" / "humaneval_cpp.jsonl.gz"
# Canonical solutions that cannot pass here, and why (checked, not assumed).
KNOWN = {"CPP/22": "boost/any.hpp", "CPP/137": "boost/any.hpp"}  # Boost is not in the image
LIMITS = Limits(timeout_s=10.0, memory_mb=256, pids=32, output_bytes=4096,
                compile_timeout_s=180.0)  # compiling crawls when the machine is busy
FIXED = RelativeTimeout(factor=0, floor_s=3.0)  # no reference run: each answer runs once
ROOMY = RelativeTimeout(factor=0, floor_s=8.0)  # a bomb ends by its limit, not by the clock, on a busy machine
BODY = "    return numbers.size() > 100;\n}\n"  # has_close_elements (CPP/0), wrong
GOOD = ("    for (size_t i = 0; i < numbers.size(); i++)\n        for (size_t j = i + 1; j < numbers.size(); j++)\n"
        "            if (fabs(numbers[i] - numbers[j]) < threshold) return true;\n    return false;\n}\n")


@pytest.fixture(scope="module")
def question():
    return {q.name: q for q in humaneval_cpp.load(DATASET, None).questions}["CPP/0"]


@pytest.fixture(scope="module")
def cpp_pool():
    with open_sandbox(backend="docker", workers=1) as sb:
        yield sb


def grade(sb, question, body, limits=LIMITS):
    prompt = question.fields["Prompt"]["cpp"]
    answer = "```cpp\n" + prompt + body + "```\n"
    return grade_program(sb, question, "cpp", answer, None, limits, FIXED)


def assert_honest_passes(sb, question):
    row = grade(sb, question, GOOD)
    assert row["status"] == "pass", row


@pytest.mark.timeout(1800)  # 164 compiles: minutes on two busy cores
def test_canonical_solutions_pass_but_for_known_data_bugs(tmp_path):
    rows = records(run_stages(tmp_path, "humaneval-cpp=" + str(DATASET)))
    assert len(rows) == len(list(humaneval_cpp.load(DATASET, None).questions))
    failing = {r["name"]: r for r in rows if r["status"] != "pass"}
    assert set(failing) == set(KNOWN), {k: (v["status"], v["error"]) for k, v in failing.items()}
    for name, why in KNOWN.items():
        assert failing[name]["status"] == "compile_error" and why in failing[name]["error"], failing[name]
    assert all(r["timing"]["reference_s"] > 0 for r in rows if r["status"] == "pass")


@pytest.mark.parametrize("body,status,needle", [
    (BODY, "fail", "Assertion"),
    ("    return undefined_name;\n}\n", "compile_error", "undefined_name"),
    ("    int *p = nullptr;\n    return *p == numbers.size();\n}\n", "runtime_error", "signal 11"),
    ("    throw 42;\n}\n", "runtime_error", "terminate"),
    ("    exit(0);\n}\n", "fail", "before its tests finished"),
    ("    while (true) {}\n}\n", "timeout", None),
], ids=["wrong", "compile_error", "segfault", "exception", "early_exit", "infinite_loop"])
def test_verdicts(cpp_pool, question, body, status, needle):
    row = grade(cpp_pool, question, body)
    assert row["status"] == status, row
    if needle:
        assert needle in row["error"], row
    if status == "compile_error":
        assert row["error"].startswith("error: ") and "\n" not in row["error"], row  # the first error line
    assert_honest_passes(cpp_pool, question)


HOSTILE = {  # a body each; every one is contained, and an honest answer passes after it
    "fork_bomb": "    while (true) fork();\n}\n",
    "memory_bomb": "    std::vector<char*> hog;\n    for (;;) { char *p = new char[1 << 24];"
                   " memset(p, 1, 1 << 24); hog.push_back(p); }\n}\n",
    "output_flood": "    static bool once = false;\n    for (int i = 0; !once && i < 2000000; i++)"
                    " puts(\"flood flood flood flood\");\n    once = true;\n" + GOOD,
    "network": "    int s = socket(AF_INET, SOCK_STREAM, 0);\n    sockaddr_in a = {};\n    a.sin_family = AF_INET;\n"
               "    a.sin_port = htons(53);\n    a.sin_addr.s_addr = inet_addr(\"1.1.1.1\");\n"
               "    if (connect(s, (sockaddr*)&a, sizeof a) == 0) { puts(\"connected\"); return true; }\n"
               "    fprintf(stderr, \"no network: %s\\n\", strerror(errno));\n" + GOOD,
    "writes": "    const char *paths[] = {\"/etc/passwd\", \"/opt/runner/daemon.py\", \"/usr/bin/g++\", \"/x\",\n"
              "                           \"/tmp/left-behind\", \"/cache/stranger\"};\n"
              "    for (const char *p : paths) { FILE *f = fopen(p, \"w\");\n"
              "        printf(\"%s %s\\n\", p, f ? \"written\" : \"refused\"); if (f) fclose(f); }\n" + GOOD,
    # the parent waits until the child has left the job's process group (setsid), so that the
    # child is a straggler to find, not killed with the group when a loaded machine is slow to run it
    "background": "    static bool once = false;\n    if (!once) { int ready[2]; pipe(ready);\n"
                  "        if (fork() == 0) { setsid(); write(ready[1], \"x\", 1); sleep(1000); }\n"
                  "        char c; read(ready[0], &c, 1); }\n"
                  "    once = true;\n" + GOOD,
}
HEADERS = ("#include<unistd.h>\n#include<cstring>\n#include<cerrno>\n#include<sys/socket.h>\n"
           "#include<netinet/in.h>\n#include<arpa/inet.h>\n")


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_answers_are_contained(cpp_pool, question, case):
    prompt = question.fields["Prompt"]["cpp"]
    answer = "```cpp\n" + HEADERS + prompt + HOSTILE[case] + "```\n"
    row = grade_program(cpp_pool, question, "cpp", answer, None, LIMITS, ROOMY)
    if case == "fork_bomb":
        assert row["status"] in ("timeout", "runtime_error"), row
    elif case == "memory_bomb":
        assert row["status"] in ("oom", "runtime_error"), row
    elif case == "output_flood":
        assert row["status"] == "pass" and "more bytes not shown" in row["stdout"], row
        assert len(row["stdout"]) < (256 << 10) + 100, len(row["stdout"])  # capped (program.OUTPUT_BYTES)
    elif case == "network":
        assert row["status"] == "pass" and "connected" not in row["stdout"] and "no network" in row["stderr"], row
    elif case == "writes":
        written = dict(line.split() for line in row["stdout"].splitlines())
        assert [p for p, how in written.items() if how == "written"] == ["/tmp/left-behind", "/cache/stranger"]
        assert row["status"] == "pass" and row["sandbox"]["replaced"], row  # leftovers taint the worker
    elif case == "background":
        assert row["status"] == "pass" and row["sandbox"]["replaced"], row  # the straggler is killed
    assert_honest_passes(cpp_pool, question)


def program(question, body):
    from codeinterview.languages import get
    return get("cpp").compose_program(question.fields["Prompt"]["cpp"] + body, question.fields["Test"]["cpp"],
                                      "codeinterview-done-fixed")


def test_compile_cache_hits_and_detects_tampering(question):
    limits = dataclasses.replace(LIMITS, output_bytes=65536)
    env = {TOKEN_ENV: "codeinterview-done-fixed"}  # the token travels beside the program, as in grading
    honest = Job(language="cpp", code=program(question, GOOD), kind="program", limits=limits, env=env)
    tamper = Job(language="cpp", kind="program", limits=limits, env=env, code=HEADERS + "#include<dirent.h>\n" + program(
        question, "    static bool done = false;\n    if (!done) { done = true;\n"
        "        system(\"for f in $(find /cache -type f); do echo tampered > $f; done\");\n    }\n" + GOOD))
    with open_sandbox(backend="docker", workers=1) as sb:
        first, second = sb.run(honest), sb.run(honest)
        assert first.status == second.status == "ok", (first, second)
        assert first.compile_cached is False and first.compile_s > 0
        assert second.compile_cached is True and second.compile_s == 0.0 and not second.replaced
        tampered = sb.run(tamper)
        assert tampered.status == "ok" and not tampered.replaced, tampered
        third = sb.run(honest)  # the cached binary changed: compiled again, and it still passes
        assert third.status == "ok" and third.compile_cached is False, third
        assert "codeinterview-done-fixed" in third.stderr


def test_identical_answers_compile_once_in_grading(cpp_pool, question):
    """Each grading draws its own finish token, yet one answer's program is the same
    text every time (the token travels in the run's environment): the worker's
    compile cache serves the second grading, with no verdict cache in between."""
    first, second = grade(cpp_pool, question, GOOD + "// once\n"), grade(cpp_pool, question, GOOD + "// once\n")
    assert first["status"] == second["status"] == "pass", (first, second)
    assert first["sandbox"]["compile_cached"] is False and first["sandbox"]["compile_s"] > 0, first["sandbox"]
    assert second["sandbox"]["compile_cached"] is True and second["sandbox"]["compile_s"] == 0.0, second["sandbox"]


@pytest.mark.fast
def test_names_tags_and_whole_function_answers():
    from codeinterview.languages import by_fence_tag, get
    cpp = get("c++")
    assert cpp is get("cpp") is by_fence_tag("cc") is by_fence_tag("hpp") and cpp.image == "cpp"
    prompt = "#include<string>\nusing namespace std;\nbool helper(int x){ return x > 0; }\nint entry(int a){\n"
    # a whole function keeps the prompt's includes, usings and helpers, not its stub
    body = cpp.prompt_then_function(prompt, "int entry(int a){ return helper(a); }\n")
    assert body.count("int entry(") == 1 and "bool helper(" in body and body.startswith("#include<string>")
    # ...and only the includes and usings when the answer redefines a helper
    body = cpp.prompt_then_function(prompt, "bool helper(int x){ return 1; }\nint entry(int a){ return 0; }\n")
    assert body.count("bool helper(") == 1 and "using namespace std;" in body
    assert cpp.defined_names("vector<int> f(vector<int> a, map<string,int> b) {\n  if (x) {\n") == ["f"]
    program = cpp.compose_program("#include<vector>\nint f(){\n return 1;\n}\n", "int main(){}\n", "tok")
    assert "#include<vector>\n" in program and program.count("#include<vector>") == 1  # only missing includes
    assert "#define main codeinterview_tests_main" in program and program.rstrip().endswith("}")
