"""Go graded in its own image (family "go"): HumanEval-X's canonical solutions
through the pipeline, each verdict, the hostile corpus and the compile cache."""

from __future__ import annotations

import dataclasses

import pytest

from codeinterview.languages.base import TOKEN_ENV

from codeinterview.benchmarks import humaneval_go
from codeinterview.benchmarks.program import RelativeTimeout, grade_program
from codeinterview.languages import get
from codeinterview.sandbox import Job, Limits, open_sandbox
from helpers import SHARED, records
from test_benchmark_reference import run_stages

DATASET = SHARED / "humaneval-go" / "humaneval_go.jsonl.gz"
KNOWN: dict[str, str] = {}  # canonical solutions that cannot pass here (none known)
LIMITS = Limits(timeout_s=10.0, memory_mb=256, pids=32, output_bytes=4096,
                compile_timeout_s=180.0)  # compiling crawls when the machine is busy
FIXED = RelativeTimeout(factor=0, floor_s=3.0)  # no reference run: each answer runs once
ROOMY = RelativeTimeout(factor=0, floor_s=8.0)  # a bomb ends by its limit, not by the clock, on a busy machine
GOOD = ("    for i := 0; i < len(numbers); i++ {\n        for j := i + 1; j < len(numbers); j++ {\n"
        "            if math.Abs(numbers[i]-numbers[j]) < threshold {\n                return true\n"
        "            }\n        }\n    }\n    return false\n}\n")  # HasCloseElements (Go/0)
IMPORTS = 'import (\n    "net"\n    "os"\n    "os/exec"\n    "syscall"\n)\n'


@pytest.fixture(scope="module")
def question():
    return {q.name: q for q in humaneval_go.load(DATASET, None).questions}["Go/0"]


@pytest.fixture(scope="module")
def go_pool():
    with open_sandbox(backend="docker", workers=1) as sb:
        yield sb


def grade(sb, question, body, header="", timing=FIXED):
    answer = "```go\n" + header + question.fields["Prompt"]["go"] + body + "```\n"
    return grade_program(sb, question, "go", answer, None, LIMITS, timing)


def assert_honest_passes(sb, question):
    row = grade(sb, question, GOOD)
    assert row["status"] == "pass", row


@pytest.mark.timeout(1800)  # 164 compiles: minutes on two busy cores
def test_canonical_solutions_pass_but_for_known_data_bugs(tmp_path):
    rows = records(run_stages(tmp_path, "humaneval-go=" + str(DATASET)))
    assert len(rows) == len(list(humaneval_go.load(DATASET, None).questions))
    failing = {r["name"]: (r["status"], r["error"]) for r in rows if r["status"] != "pass"}
    assert failing == KNOWN
    assert all(r["timing"]["reference_s"] > 0 for r in rows)


@pytest.mark.parametrize("body,status,needle", [
    ("    return len(numbers) > 100\n}\n", "fail", "Not equal"),
    ("    return undefinedName\n}\n", "compile_error", "undefined: undefinedName"),
    ("    return numbers[len(numbers)+1] > threshold\n}\n", "runtime_error", "index out of range"),
    ("    var m map[string]int\n    m[\"x\"] = 1\n    return false\n}\n", "runtime_error", "nil map"),
    ("    os.Exit(0)\n    return false\n}\n", "fail", "before its tests finished"),
    ("    for {\n    }\n}\n", "timeout", None),
], ids=["wrong", "compile_error", "index_panic", "nil_map", "early_exit", "infinite_loop"])
def test_verdicts(go_pool, question, body, status, needle):
    row = grade(go_pool, question, body, 'import "os"\n' if "os." in body else "")
    assert row["status"] == status, row
    if needle:
        assert needle in row["error"], row
    if status == "compile_error":
        assert "\n" not in row["error"], row  # the first error line
    assert_honest_passes(go_pool, question)


ONCE = "    if !ranOnce {\n        ranOnce = true\n"
HOSTILE = {  # a body each; every one is contained, and an honest answer passes after it
    "fork_bomb": "    for {\n        exec.Command(\"sleep\", \"100\").Start()\n    }\n}\n",
    "memory_bomb": "    hog := [][]byte{}\n    for {\n        hog = append(hog, bytes.Repeat([]byte{1}, 1<<24))\n    }\n}\n",
    "output_flood": ONCE + "        os.Stdout.WriteString(strings.Repeat(\"flood flood flood\\n\", 3000000))\n"
                    "    }\n" + GOOD,
    "network": "    if c, err := net.DialTimeout(\"tcp\", \"1.1.1.1:53\", time.Second); err == nil {\n"
               "        c.Close()\n        fmt.Println(\"connected\")\n        return true\n    } else {\n"
               "        fmt.Fprintln(os.Stderr, \"no network:\", err)\n    }\n" + GOOD,
    "writes": "    for _, p := range []string{\"/etc/passwd\", \"/opt/runner/daemon.py\", \"/usr/bin/go\", \"/x\",\n"
              "        \"/usr/share/gocode/src/x.go\", \"/tmp/left-behind\", \"/cache/stranger\"} {\n"
              "        if os.WriteFile(p, []byte(\"pwned\"), 0o644) == nil {\n"
              "            fmt.Println(p, \"written\")\n        } else {\n            fmt.Println(p, \"refused\")\n"
              "        }\n    }\n" + GOOD,
    "background": ONCE + "        cmd := exec.Command(\"sleep\", \"1000\")\n"
                  "        cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}\n        cmd.Start()\n    }\n" + GOOD,
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_answers_are_contained(go_pool, question, case):
    header = IMPORTS + ("var ranOnce bool\n" if "ranOnce" in HOSTILE[case] else "")
    row = grade(go_pool, question, HOSTILE[case], header, ROOMY)
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
        written = dict(line.split() for line in row["stdout"].splitlines() if line.startswith("/"))
        assert [p for p, how in written.items() if how == "written"] == ["/tmp/left-behind", "/cache/stranger"]
        assert row["status"] == "pass" and row["sandbox"]["replaced"], row  # leftovers taint the worker
    elif case == "background":
        assert row["status"] == "pass" and row["sandbox"]["replaced"], row  # the straggler is killed
    assert_honest_passes(go_pool, question)


def program(question, body, header=""):
    return get("go").compose_program(header + question.fields["Prompt"]["go"] + body,
                                     question.fields["Test"]["go"], "codeinterview-done-fixed")


def test_compile_cache_hits_and_detects_tampering(question):
    limits = dataclasses.replace(LIMITS, output_bytes=65536)
    env = {TOKEN_ENV: "codeinterview-done-fixed"}  # the token travels beside the program, as in grading
    honest = Job(language="go", code=program(question, GOOD), kind="program", limits=limits, env=env)
    tamper = Job(language="go", kind="program", limits=limits, env=env, code=program(
        question, ONCE + "        exec.Command(\"sh\", \"-c\", \"for f in $(find /cache -type f); "
        "do echo tampered > $f; done\").Run()\n    }\n" + GOOD, IMPORTS + "var ranOnce bool\n"))
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


@pytest.mark.fast
def test_names_tags_and_imports():
    from codeinterview.languages import by_fence_tag
    go = get("golang")
    assert go is get("go") is by_fence_tag("golang") and go.image == "go"
    setup = 'package main\n\nimport (\n    "testing"\n    "github.com/stretchr/testify/assert"\n)\n'
    body = ('package main\nimport (\n    "strings"\n    "unicode"\n    str "strconv"\n)\n'
            'func F(s string) int {\n    n, _ := str.Atoi(strings.TrimSpace(s))\n    return n + int(math.Sqrt(4))\n}\n')
    program = go.compose_program(body, setup + "func TestF(t *testing.T) {}\n", "tok")
    head = program.split(")", 1)[0]
    # the test's imports, the used ones of the answer's (aliases kept) and the helper packages it uses
    for spec in ('"testing"', '"github.com/stretchr/testify/assert"', '"strings"', 'str "strconv"', '"math"'):
        assert spec in head, program
    assert '"unicode"' not in program and program.count("package main") == 1  # unused: dropped
    # a package named in a comment or a string is not used (HumanEval-X Go/158's docstring: "strings.")
    program = go.compose_program('// a list of strings.\nfunc F() string {\n    return "fmt.x"\n}\n',
                                 setup + "func TestF(t *testing.T) {}\n", "tok")
    assert '"strings"' not in program and '"fmt"' not in program, program
    assert program.index("func F(") < program.index("func TestF(") < program.index("func TestMain(")
    assert go.defined_names("func (r *T) M(x int) {}\nfunc G[T any](x T) {}\nh := func(a int) {}\n") == ["M", "G", "h"]
