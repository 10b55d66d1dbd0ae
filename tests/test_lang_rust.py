"""Rust end to end, in the real rust image: HumanEval-X's canonical solutions
through the pipeline, the verdicts of wrong answers, hostile programs (each
followed by an honest answer on the same sandbox) and the compile cache."""

from __future__ import annotations

import secrets
import uuid

import pytest

from codeinterview import languages
from codeinterview.benchmarks import humaneval_rust
from codeinterview.benchmarks.program import RelativeTimeout, grade_program
from codeinterview.languages.base import TOKEN_ENV
from codeinterview.records.schema import Status
from codeinterview.sandbox import Job, Limits
from helpers import SHARED, output_path, records, stage, write_records

LANG = "rust"
DATASET = SHARED / "humaneval-rust" / "humaneval_rust.jsonl.gz"
# Rust/50's test calls rand 0.4's gen_range(a, b); Debian packages rand 0.8 (gen_range(a..b))
KNOWN = {"Rust/50": "compile_error"}
LIMITS = Limits(timeout_s=10.0, check_timeout_s=10.0, memory_mb=256, pids=64, output_bytes=65536)
RUST = languages.get(LANG)


def load_suite():
    return {q.fields["TaskId"]: q for q in humaneval_rust.load(DATASET, None).questions}


@pytest.fixture(scope="module")
def suite():
    return load_suite()


def program(test_body: str, body: str = "") -> tuple[str, str]:
    """(source, token): `test_body` is one #[test] of a HumanEval-X-style test module."""
    token = "codeinterview-done-" + secrets.token_hex(8)
    test = ("#[cfg(test)]\nmod tests {\n    #[allow(unused_imports)]\n    use super::*;\n"
            "    use std::io::Write;\n\n    #[test]\n    fn t() {\n" + test_body + "\n    }\n}\n")
    return RUST.compose_program(body, test, token), token


def run(sb, source: str, token: str, limits: Limits = LIMITS):
    result = sb.run(Job(language=LANG, code=source, kind="program", limits=limits, env={TOKEN_ENV: token}))
    return result, RUST.judge(result, token)


HONEST = "assert_eq!((1..=10).sum::<i32>(), 55);"


def assert_honest_passes(sb):
    result, (status, error) = run(sb, *program(HONEST))
    assert status == Status.PASS, (result, error)


# ---------------------------------------------------------------- the dataset, through the pipeline


@pytest.mark.timeout(1800)  # 164 compiles: minutes on two busy cores
def test_canonical_solutions_pass_but_for_known_data_bugs(tmp_path):
    spec = f"humaneval-rust={DATASET}"
    prepared = output_path(stage("prepare.py", "--interview", spec, "--template", "program-chat",
                                 "--output", tmp_path / "prepare.ndjson"))
    interviewed = output_path(stage("interview.py", "--input", prepared, "--output", tmp_path / "interview.ndjson"))
    rows = records(output_path(stage("evaluate.py", "--input", interviewed, "--output", tmp_path / "eval.ndjson",
                                     "--workers", "2", timeout=1800)))
    assert len(rows) == len(load_suite()) and all(r["language"] == LANG for r in rows)
    failing = {r["name"]: r["status"] for r in rows if r["status"] != "pass"}
    assert failing == KNOWN, {name: next(r["error"] for r in rows if r["name"] == name) for name in failing}
    rust50 = next(r for r in rows if r["name"] == "Rust/50")
    assert "gen_range" in rust50["stderr"] and rust50["error"].startswith("error[E0277]"), rust50["error"]
    for row in rows:
        if row["status"] == "pass":  # the reference's run time alone (compiling has its own limit)
            assert row["timing"]["reference_s"] > 0 and row["timing"]["reference_status"] == "pass"
            assert row["timing"]["limit_s"] == round(max(3.0, 4 * row["timing"]["reference_s"]), 3)


def test_completions_stitch_to_the_prompt(tmp_path):
    """Completion-style answers (the canonical body alone) pass, and a wrong body fails, end to end."""
    spec = f"humaneval-rust={DATASET}"
    prepared = records(output_path(stage("prepare.py", "--interview", spec, "--template", "program-completion",
                                         "--output", tmp_path / "prepare.ndjson")))[:3]
    wrong = "    panic!(\"assertion failed: wrong on purpose\")\n}\n"
    canonical = {task: q.fields["Reference"][LANG][len(q.fields["Prompt"][LANG]):] for task, q in load_suite().items()}
    answers = [{**r, "stage": "interview", "sample": s, "answer": a, "executor": "test", "model": "hand"}
               for r in prepared for s, a in enumerate([canonical[r["question"]["TaskId"]], wrong])]
    interviewed = write_records(tmp_path / "interview.ndjson", answers)
    rows = records(output_path(stage("evaluate.py", "--input", interviewed, "--output", tmp_path / "eval.ndjson",
                                     "--workers", "2")))
    assert sorted((r["sample"], r["status"]) for r in rows) == [(0, "pass")] * 3 + [(1, "fail")] * 3


# ---------------------------------------------------------------- verdicts of wrong answers

ANSWERS = {  # Rust/0 has_close_elements(numbers: Vec<f32>, threshold: f32) -> bool, in a ```rust block
    "wrong": ("return false;", Status.FAIL, "assertion failed"),
    "compile_error": ("return nope;", Status.COMPILE_ERROR, "error[E0425]: cannot find value `nope`"),
    "index_panic": ("let v: Vec<i32> = Vec::new(); v[numbers.len()] == 1", Status.RUNTIME_ERROR, "index out of bounds"),
    "unwrap_panic": ("let x: Option<i32> = None; x.unwrap() == 1", Status.RUNTIME_ERROR, "on a `None` value"),
    "stack_overflow": ("fn r(n: u64) -> u64 { if n == u64::MAX { 0 } else { r(n + 1) + 1 } } r(0) == 1",
                       Status.RUNTIME_ERROR, "overflowed its stack"),
    "early_exit": ("std::process::exit(0)", Status.FAIL, "ended before its tests finished"),
    "infinite_loop": ("loop {}", Status.TIMEOUT, None),
    "memory_bomb": ("let mut v: Vec<Vec<u8>> = Vec::new(); loop { v.push(vec![1u8; 1 << 24]); }", Status.OOM,
                    "memory allocation of"),
}


@pytest.mark.parametrize("case", sorted(ANSWERS))
def test_wrong_answers_get_their_verdict(pool, suite, case):
    body, status, message = ANSWERS[case]
    answer = f"```rust\nfn has_close_elements(numbers: Vec<f32>, threshold: f32) -> bool {{\n    {body}\n}}\n```\n"
    graded = grade_program(pool, suite["Rust/0"], LANG, answer, None, LIMITS, RelativeTimeout())
    assert graded["status"] == status, graded
    if message:
        assert message in graded["error"], graded["error"]
    if status == Status.COMPILE_ERROR:  # the first error line, not the whole compiler output
        assert graded["error"].count("\n") == 0
    assert_honest_passes(pool)


def test_an_answer_with_its_own_imports_and_main_passes(pool, suite):
    """The prompt's `use` lines become a glob the answer's own imports shadow (the same name
    imported twice is an error in Rust), and an answer's demo main replaces the empty one."""
    question = suite["Rust/0"]
    body = question.fields["Reference"][LANG][len(question.fields["Prompt"][LANG]):]
    answer = ("```rust\nuse std::collections::HashMap;\nuse std::cmp::max;\n\n"
              "fn has_close_elements(numbers: Vec<f32>, threshold: f32) -> bool {" + body +
              "\nfn main() {\n    let _m: HashMap<i32, i32> = HashMap::new();\n    println!(\"{}\", max(1, 2));\n}\n```\n")
    graded = grade_program(pool, question, LANG, answer, None, LIMITS, RelativeTimeout())
    assert graded["status"] == Status.PASS, graded


# ---------------------------------------------------------------- hostile programs

HOSTILE = {
    "fork_bomb": 'loop { let _ = std::process::Command::new("sh").arg("-c").arg(":(){ :|:& };:").spawn(); }',
    "thread_bomb": "loop { let _ = std::thread::Builder::new()"
                   ".spawn(|| std::thread::sleep(std::time::Duration::from_secs(100000))); }",
    "sleep_forever": "std::thread::sleep(std::time::Duration::from_secs(1 << 30));",
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_runaway_programs_are_contained(pool, case):
    result, (status, error) = run(pool, *program(HOSTILE[case]), limits=Limits(
        timeout_s=4.0, check_timeout_s=4.0, memory_mb=256, pids=64))
    assert status in (Status.TIMEOUT, Status.RUNTIME_ERROR, Status.OOM), (result, error)
    assert_honest_passes(pool)


def test_writes_outside_the_job_dir_fail_or_taint(solo_pool):
    stamp = uuid.uuid4().hex
    paths = ["/etc/x", "/opt/x", "/usr/bin/x", "/opt/runner/daemon.py", "/opt/toolchain/rust/flags",
             "/x", "/tmp/left-" + stamp, "/cache/x-" + stamp]
    code = ("for p in [%s] {\n"
            "    match std::fs::write(p, b\"pwned\") {\n"
            "        Ok(_) => { let _ = writeln!(std::io::stdout(), \"{} written\", p); }\n"
            "        Err(_) => { let _ = writeln!(std::io::stdout(), \"{} refused\", p); }\n    }\n}"
            % ", ".join('"%s"' % p for p in paths))
    result, (status, error) = run(solo_pool, *program(code))
    assert status == Status.PASS, (result, error)
    written = {line.split()[0] for line in result.stdout.splitlines() if line.endswith(" written")}
    assert written <= {"/tmp/left-" + stamp, "/cache/x-" + stamp}, result.stdout
    assert result.replaced, "files left in /tmp or /cache must taint the container"
    listing, (status, _) = run(solo_pool, *program(
        'for d in ["/tmp", "/cache"] { for e in std::fs::read_dir(d).unwrap() {'
        ' let _ = writeln!(std::io::stdout(), "{:?}", e.unwrap().path()); } }'))
    assert status == Status.PASS and stamp not in listing.stdout, listing.stdout
    assert_honest_passes(solo_pool)


def test_no_network(pool):
    code = ('let addr: std::net::SocketAddr = "1.1.1.1:53".parse().unwrap();\n'
            'match std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(1)) {\n'
            '    Ok(_) => { let _ = writeln!(std::io::stdout(), "connected"); }\n'
            '    Err(e) => { let _ = writeln!(std::io::stdout(), "refused {}", e); }\n}')
    result, (status, error) = run(pool, *program(code))
    assert status == Status.PASS and "refused" in result.stdout and "connected" not in result.stdout, result
    assert_honest_passes(pool)


def test_output_flood_is_capped(pool):
    # straight to the file descriptors: the harness buffers what print! writes in a test
    code = ('let line = [b\'x\'; 1000];\n'
            'for _ in 0..200000 { let _ = std::io::stdout().write_all(&line); let _ = std::io::stderr().write_all(&line); }')
    result, (status, error) = run(pool, *program(code))
    assert len(result.stdout) <= LIMITS.output_bytes + 200 and len(result.stderr) <= LIMITS.output_bytes + 200
    assert status in (Status.PASS, Status.FAIL, Status.TIMEOUT), (result, error)
    assert_honest_passes(pool)


@pytest.mark.parametrize("command", [["sleep", "1000"], ["setsid", "sleep", "1000"]], ids=["child", "setsid"])
def test_a_stray_background_process_is_gone_for_the_next_answer(solo_pool, command):
    code = 'std::process::Command::new("%s")%s.spawn().unwrap();' % (
        command[0], "".join('.arg("%s")' % c for c in command[1:]))
    run(solo_pool, *program(code))  # the daemon kills it, or replaces the worker
    ps, (status, _) = run(solo_pool, *program(
        'for e in std::fs::read_dir("/proc").unwrap() { let p = e.unwrap().path();'
        ' if let Ok(c) = std::fs::read(p.join("cmdline")) { let _ = std::io::stdout().write_all(&c);'
        ' let _ = writeln!(std::io::stdout()); } }'))
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
    """An answer rewrites every cached binary with itself: the next run of the cached
    program notices the change, compiles again and passes."""
    source, token = program(HONEST + " // tamper " + uuid.uuid4().hex)
    first, (status, _) = run(solo_pool, source, token)
    assert status == Status.PASS and first.compile_cached is False, first
    tamper = ('let mine = std::fs::read("/proc/self/exe").unwrap(); let mut n = 0;\n'
              'for entry in std::fs::read_dir("/cache").unwrap() {\n'
              '    for f in std::fs::read_dir(entry.unwrap().path()).unwrap() {\n'
              '        let p = f.unwrap().path(); let _ = std::fs::remove_file(&p);\n'
              '        if std::fs::write(&p, &mine).is_ok() { n += 1; }\n    }\n}\n'
              'let _ = writeln!(std::io::stdout(), "tampered {}", n);')
    hostile, (status, _) = run(solo_pool, *program(tamper))
    assert status == Status.PASS and "tampered 0" not in hostile.stdout, hostile
    again, (status, error) = run(solo_pool, source, token)
    assert status == Status.PASS and again.compile_cached is False, (again, error)
    planted, _ = run(solo_pool, *program('std::fs::create_dir("/cache/planted").unwrap();'))
    assert planted.replaced, "a name of its own in the cache must taint the container"
    assert_honest_passes(solo_pool)


# ---------------------------------------------------------------- host side, no sandbox


@pytest.mark.fast
def test_answers_are_found_and_stitched(suite):
    question = suite["Rust/0"]
    prompt = question.fields["Prompt"][LANG]
    assert question.fields["Signature"] == "has_close_elements(numbers, threshold)"
    assert prompt.lstrip().startswith("/*") and prompt.rstrip().endswith("-> bool{")
    answer = "use std::collections::HashMap;\npub fn has_close_elements(numbers: Vec<f32>, t: f32) -> bool {\n    true\n}\n"
    assert RUST.defined_names(answer) == ["has_close_elements"]
    stitched = RUST.prompt_then_function(prompt, answer)
    assert stitched.count("fn has_close_elements") == 1 and stitched.endswith(answer)
    assert "    pub use rand::Rng;\n" in stitched and "\nuse codeinterview_prelude::*;\n" in stitched
    assert RUST.code_hint.search("Let me explain: use the standard library.") is None
    program = RUST.compose_program(stitched, "", "codeinterview-done-1")
    assert program.startswith("fn main(){}\n") and program.rstrip().endswith("}")
    assert not RUST.compose_program("fn main() {}\n", "", "codeinterview-done-1").startswith("fn main(){}")


@pytest.mark.fast
def test_compiler_errors_are_one_line():
    from helpers import runner_language

    runner = runner_language("rust")
    output = ("error[E0425]: cannot find value `nope` in this scope\n --> prog.rs:12:12\n   |\n"
              "12 |     return nope;\n   |            ^^^^ not found in this scope\n\n"
              "error: aborting due to previous error\n")
    assert runner.first_error(output) == ("error[E0425]: cannot find value `nope` in this scope", 12)
    assert runner.first_error("error: aborting due to previous error\n")[1] is None
