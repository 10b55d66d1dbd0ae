"""Java end to end, in the real java image: HumanEval-X's canonical solutions
through the pipeline, the verdicts of wrong answers, hostile programs (each
followed by an honest answer on the same sandbox) and the compile cache."""

from __future__ import annotations

import secrets
import uuid

import pytest

from codeinterview import languages
from codeinterview.benchmarks import humaneval_java
from codeinterview.benchmarks.program import RelativeTimeout, grade_program
from codeinterview.languages.base import TOKEN_ENV
from codeinterview.records.schema import Status
from codeinterview.sandbox import Job, Limits
from helpers import SHARED, output_path, records, stage, write_records

LANG = "java"
DATASET = SHARED / "humaneval-java" / "humaneval_java.jsonl.gz"
KNOWN = {}  # canonical solutions that fail, with their status: none in Java
LIMITS = Limits(timeout_s=10.0, check_timeout_s=10.0, memory_mb=256, pids=64, output_bytes=65536)
JAVA = languages.get(LANG)


@pytest.fixture(scope="module")
def suite():
    return {q.fields["TaskId"]: q for q in humaneval_java.load(DATASET, None).questions}


def program(test_main: str, body: str = "") -> tuple[str, str]:
    """(source, token): `test_main` is the body of Main.main, composed as HumanEval-X's tests are."""
    token = "codeinterview-done-" + secrets.token_hex(8)
    test = "public class Main {\n    public static void main(String[] args) throws Exception {\n" \
           + test_main + "\n    }\n}\n"
    return JAVA.compose_program("import java.util.*;\nimport java.io.*;\nimport java.net.*;\n" + body, test, token), token


def run(sb, source: str, token: str, limits: Limits = LIMITS):
    result = sb.run(Job(language=LANG, code=source, kind="program", limits=limits, env={TOKEN_ENV: token}))
    return result, JAVA.judge(result, token)


HONEST = "int s = 0; for (int i = 1; i <= 10; i++) s += i; if (s != 55) throw new AssertionError();"


def assert_honest_passes(sb):
    result, (status, error) = run(sb, *program(HONEST))
    assert status == Status.PASS, (result, error)


# ---------------------------------------------------------------- the dataset, through the pipeline


@pytest.mark.timeout(1800)  # 164 compiles: minutes on two busy cores
def test_canonical_solutions_pass_but_for_known_data_bugs(tmp_path):
    spec = f"humaneval-java={DATASET}"
    prepared = output_path(stage("prepare.py", "--interview", spec, "--template", "program-chat",
                                 "--output", tmp_path / "prepare.ndjson"))
    interviewed = output_path(stage("interview.py", "--input", prepared, "--output", tmp_path / "interview.ndjson"))
    rows = records(output_path(stage("evaluate.py", "--input", interviewed, "--output", tmp_path / "eval.ndjson",
                                     "--workers", "2", timeout=1800)))
    assert len(rows) == len(suite_ids()) and all(r["language"] == LANG for r in rows)
    failing = {r["name"]: r["status"] for r in rows if r["status"] != "pass"}
    assert failing == KNOWN, {name: next(r["error"] for r in rows if r["name"] == name) for name in failing}
    for row in rows:  # the reference's run time alone (its compile step has its own limit)
        assert row["timing"]["reference_s"] > 0 and row["timing"]["reference_status"] == row["status"]
        assert row["timing"]["limit_s"] == round(max(3.0, 4 * row["timing"]["reference_s"]), 3)


def suite_ids() -> set[str]:
    return {q.fields["TaskId"] for q in humaneval_java.load(DATASET, None).questions}


def test_completions_stitch_to_the_prompt(tmp_path):
    """Completion-style answers (the canonical body alone) pass, and a wrong body fails, end to end."""
    spec = f"humaneval-java={DATASET}"
    prepared = records(output_path(stage("prepare.py", "--interview", spec, "--template", "program-completion",
                                         "--output", tmp_path / "prepare.ndjson")))[:3]
    wrong = "        throw new AssertionError(\"wrong\");\n    }\n}\n"
    canonical = {q.fields["TaskId"]: q.fields["Reference"][LANG][len(q.fields["Prompt"][LANG]):]
                 for q in humaneval_java.load(DATASET, None).questions}
    answers = [{**r, "stage": "interview", "sample": s, "answer": a, "executor": "test", "model": "hand"}
               for r in prepared for s, a in enumerate([canonical[r["question"]["TaskId"]], wrong])]
    interviewed = write_records(tmp_path / "interview.ndjson", answers)
    rows = records(output_path(stage("evaluate.py", "--input", interviewed, "--output", tmp_path / "eval.ndjson",
                                     "--workers", "2")))
    assert sorted((r["sample"], r["status"]) for r in rows) == [(0, "pass")] * 3 + [(1, "fail")] * 3


# ---------------------------------------------------------------- verdicts of wrong answers

ANSWERS = {  # Java/0 hasCloseElements(List<Double> numbers, double threshold), in a ```java block
    "wrong": ("return false;", Status.FAIL, "AssertionError"),
    "compile_error": ("return nope;", Status.COMPILE_ERROR, "error: cannot find symbol"),
    "runtime_error": ("Object o = null; return o.hashCode() == 1;", Status.RUNTIME_ERROR, "NullPointerException"),
    "exception": ("throw new IllegalStateException(\"boom\");", Status.RUNTIME_ERROR, "IllegalStateException: boom"),
    "early_exit": ("System.exit(0); return true;", Status.FAIL, "ended before its tests finished"),
    "infinite_loop": ("while (true) { }", Status.TIMEOUT, None),
    "memory_bomb": ("List<long[]> a = new ArrayList<>(); while (true) a.add(new long[1 << 20]);", Status.OOM,
                    "OutOfMemoryError"),
}


@pytest.mark.parametrize("case", sorted(ANSWERS))
def test_wrong_answers_get_their_verdict(pool, suite, case):
    body, status, message = ANSWERS[case]
    answer = ("```java\nimport java.util.*;\n\nclass Solution {\n"
              "    public boolean hasCloseElements(List<Double> numbers, double threshold) {\n"
              f"        {body}\n    }}\n}}\n```\n")
    graded = grade_program(pool, suite["Java/0"], LANG, answer, None, LIMITS, RelativeTimeout())
    assert graded["status"] == status, graded
    if message:
        assert message in graded["error"], graded["error"]
    if status == Status.COMPILE_ERROR:  # the first error line, not the whole compiler output
        assert graded["error"].count("\n") == 0
    assert_honest_passes(pool)


def test_a_method_alone_goes_back_into_the_prompts_class(pool, suite):
    """Java/50's prompt holds a helper method before the one asked for: an answer restating
    only decodeShift keeps it."""
    question = suite["Java/50"]
    method = question.fields["Reference"][LANG].split("public String decodeShift", 1)[1].rstrip()[:-1]
    answer = "```java\npublic String decodeShift" + method + "```\n"
    graded = grade_program(pool, question, LANG, answer, None, LIMITS, RelativeTimeout())
    assert graded["status"] == Status.PASS, graded


# ---------------------------------------------------------------- hostile programs

HOSTILE = {
    "fork_bomb": ('List<Process> ps = new ArrayList<>();\n'
                  'while (true) { try { ps.add(new ProcessBuilder("sh", "-c", ":(){ :|:& };:").start()); }'
                  ' catch (IOException e) { } }'),
    "thread_bomb": ('while (true) { Thread t = new Thread(() -> { try { Thread.sleep(100000); }'
                    ' catch (InterruptedException e) { } }); t.start(); }'),
    "sleep_forever": "Thread.sleep(1000000000L);",
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_runaway_programs_are_contained(pool, case):
    result, (status, error) = run(pool, *program(HOSTILE[case]), limits=Limits(
        timeout_s=4.0, check_timeout_s=4.0, memory_mb=256, pids=64))
    assert status in (Status.TIMEOUT, Status.RUNTIME_ERROR, Status.OOM), (result, error)
    assert_honest_passes(pool)


def test_a_native_memory_bomb_never_kills_the_pool(pool):
    """Direct buffers past the JVM's limit: an OutOfMemoryError, or the container's limit."""
    code = "List<java.nio.ByteBuffer> a = new ArrayList<>(); while (true) a.add(java.nio.ByteBuffer.allocateDirect(1 << 24));"
    result, (status, error) = run(pool, *program(code))
    assert status == Status.OOM, (result, error)
    assert_honest_passes(pool)


def test_writes_outside_the_job_dir_fail_or_taint(solo_pool):
    stamp = uuid.uuid4().hex
    paths = ["/etc/x", "/opt/x", "/usr/bin/x", "/opt/runner/daemon.py", "/opt/toolchain/java/version",
             "/x", "/tmp/left-" + stamp, "/cache/x-" + stamp]
    code = ("for (String p : new String[]{%s}) {\n"
            "    try (FileWriter w = new FileWriter(p)) { w.write(\"pwned\"); System.out.println(p + \" written\"); }\n"
            "    catch (IOException e) { System.out.println(p + \" refused\"); }\n}"
            % ", ".join('"%s"' % p for p in paths))
    result, (status, error) = run(solo_pool, *program(code))
    assert status == Status.PASS, (result, error)
    written = {line.split()[0] for line in result.stdout.splitlines() if line.endswith(" written")}
    assert written <= {"/tmp/left-" + stamp, "/cache/x-" + stamp}, result.stdout
    assert result.replaced, "files left in /tmp or /cache must taint the container"
    listing, (status, _) = run(solo_pool, *program(
        'for (String d : new String[]{"/tmp", "/cache"}) System.out.println(Arrays.toString(new File(d).list()));'))
    assert status == Status.PASS and stamp not in listing.stdout, listing.stdout
    assert_honest_passes(solo_pool)


def test_no_network(pool):
    code = ('try (Socket s = new Socket()) { s.connect(new InetSocketAddress("1.1.1.1", 53), 1000);'
            ' System.out.println("connected"); }\ncatch (IOException e) { System.out.println("refused " + e); }')
    result, (status, error) = run(pool, *program(code))
    assert status == Status.PASS and "refused" in result.stdout and "connected" not in result.stdout, result
    assert_honest_passes(pool)


def test_output_flood_is_capped(pool):
    code = 'char[] line = new char[1000]; Arrays.fill(line, \'x\'); String s = new String(line);\n' \
           'for (int i = 0; i < 200000; i++) { System.out.println(s); System.err.println(s); }'
    result, (status, error) = run(pool, *program(code))
    assert len(result.stdout) <= LIMITS.output_bytes + 200 and len(result.stderr) <= LIMITS.output_bytes + 200
    assert status in (Status.PASS, Status.FAIL, Status.TIMEOUT), (result, error)
    assert_honest_passes(pool)


@pytest.mark.parametrize("command", [["sleep", "1000"], ["setsid", "sleep", "1000"]], ids=["child", "setsid"])
def test_a_stray_background_process_is_gone_for_the_next_answer(solo_pool, command):
    code = "new ProcessBuilder(%s).start();" % ", ".join('"%s"' % c for c in command)
    run(solo_pool, *program(code))  # the daemon kills it, or replaces the worker
    ps, (status, _) = run(solo_pool, *program(
        'for (File p : new File("/proc").listFiles()) if (p.getName().matches("\\\\d+"))'
        ' System.out.println(new String(java.nio.file.Files.readAllBytes(new File(p, "cmdline").toPath())));'))
    assert status == Status.PASS and "sleep" not in ps.stdout, ps.stdout
    assert_honest_passes(solo_pool)


# ---------------------------------------------------------------- the compile cache


def test_the_compile_cache_serves_a_repeated_program(solo_pool):
    source, token = program(HONEST + " // cache " + uuid.uuid4().hex)
    first, (status, _) = run(solo_pool, source, token)
    assert status == Status.PASS and first.compile_cached is False and first.compile_s > 0, first
    second, (status, _) = run(solo_pool, source, token)
    assert status == Status.PASS and second.compile_cached is True and second.compile_s == 0, second
    assert not first.replaced and not second.replaced


def test_a_tampered_cache_entry_is_never_used(solo_pool):
    """An answer rewrites every cached class file (with its own valid bytecode): the next run of
    the cached program notices the change, compiles again and passes."""
    source, token = program(HONEST + " // tamper " + uuid.uuid4().hex)
    first, (status, _) = run(solo_pool, source, token)
    assert status == Status.PASS and first.compile_cached is False, first
    tamper = ('byte[] mine = java.nio.file.Files.readAllBytes(new File("Main.class").toPath()); int n = 0;\n'
              'for (File entry : new File("/cache").listFiles()) for (File f : entry.listFiles())\n'
              '    { java.nio.file.Files.write(f.toPath(), mine); n++; }\n'
              'System.out.println("tampered " + n);')
    hostile, (status, _) = run(solo_pool, *program(tamper))
    assert status == Status.PASS and "tampered 0" not in hostile.stdout, hostile
    again, (status, error) = run(solo_pool, source, token)
    assert status == Status.PASS and again.compile_cached is False, (again, error)
    planted, _ = run(solo_pool, *program('new File("/cache/planted").mkdir();'))
    assert planted.replaced, "a name of its own in the cache must taint the container"
    assert_honest_passes(solo_pool)


# ---------------------------------------------------------------- host side, no sandbox


@pytest.mark.fast
def test_answers_are_found_and_stitched(suite):
    question = suite["Java/0"]
    prompt = question.fields["Prompt"][LANG]
    method = "public boolean hasCloseElements(List<Double> numbers, double threshold) {\n    return true;\n}\n"
    assert JAVA.defined_names(method) == ["hasCloseElements"]
    assert JAVA.defined_names("if (x) {\n} else if (y) {\n}\nfor (int i = 0; i < n; i++) {\n}\n") == []
    stitched = JAVA.prompt_then_function(prompt, method)
    assert stitched.startswith("import java.util.*;") and stitched.count("class Solution") == 1
    assert stitched.rstrip().endswith("}\n}") and stitched.count("boolean hasCloseElements(") == 1
    whole = "public class Solution {\n" + method + "}\n"
    assert JAVA.prompt_then_function(prompt, whole) == "import java.util.*;\nimport java.lang.*;\nclass Solution {\n" \
        + method + "}\n"
    assert JAVA.code_hint.search("Here is the answer; return the list {sorted}.") is None


@pytest.mark.fast
def test_compiler_errors_are_one_line():
    from helpers import runner_language

    runner = runner_language("java")
    output = ("Main.java:14: error: cannot find symbol\n        return nope;\n               ^\n"
              "  symbol:   variable nope\nMain.java:20: error: ';' expected\n2 errors\n")
    assert runner.first_error(output) == ("error: cannot find symbol", 14)
    assert runner.first_error("") == (None, None)
