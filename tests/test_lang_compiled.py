"""Every compiled language of the registry, graded in its own image: one row
per language (LANGS below) holds its code snippets, and the same tests run
over every row: HumanEval-X's canonical solutions through the pipeline (the
`dataset` tier), the verdict of each kind of wrong answer, hostile programs
(each followed by an honest answer on the same sandbox) and the compile cache.
A new compiled language is a row here, not a file. What only one language has
(its names, stitching, compiler messages) sits in small tables at the end."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from benchmark_files import dataset_file
from conftest_sandbox import PID_SCAN
from codeinterview import languages
from codeinterview.benchmarks import load_benchmark
from codeinterview.grading.program import RelativeTimeout, grade_program
from codeinterview.languages.base import TOKEN_ENV
from codeinterview.records.schema import Status
from codeinterview.sandbox import Job, Limits
from dataset_sample import SPECIAL, questions_flag, sample, stratified
from helpers import output_path, records, stage, write_records

TOKEN = "codeinterview-done-fixed"  # the finish token travels beside the program, as in grading
LIMITS = Limits(timeout_s=10.0, check_timeout_s=10.0, memory_mb=256, pids=64, output_bytes=65536,
                compile_timeout_s=180.0)  # compiling crawls when the machine is busy
FIXED = RelativeTimeout(factor=0, floor_s=5.0)  # no reference run: each answer runs once
RUNAWAY = dataclasses.replace(LIMITS, timeout_s=4.0, check_timeout_s=4.0)
ROOMY = dataclasses.replace(LIMITS, timeout_s=8.0, check_timeout_s=8.0)  # a bomb ends by its limit, not the clock
STAMP = uuid.uuid4().hex
PROTECTED = ["/etc/passwd", "/etc/x", "/opt/x", "/usr/bin/x", "/opt/runner/daemon.py", "/x"]
LEFT = ["/tmp/left-" + STAMP, "/cache/x-" + STAMP]  # writable, but they taint the worker


@dataclass(frozen=True)
class Lang:
    name: str                    # the registry's name
    dataset: str                 # HumanEval-X: importer=file inside the datasets folder
    known: dict[str, tuple[str, tuple[str, ...]]]  # canonical failures: task -> (status, in error or stderr)
    answer: Callable[[str], str]  # a body of task 0 (has_close_elements) -> the answer's text
    good: str                    # an honest body for `answer`
    verdicts: dict[str, tuple[str, str, str | None]]  # case -> (body, status, in the error)
    program: Callable[[object, str], str]  # (task 0, snippet) -> a whole program that runs the snippet
    snippets: dict[str, str]     # for `program`: "honest", the hostile cases and the probes below
    wrong_completion: tuple[str, str]  # a body continuing any prompt, and its status
    protected: list[str] = field(default_factory=list)  # the toolchain's files, never writable
    # canonical solutions that pass or fail by chance (as under the official evaluator): task -> why
    unstable: dict[str, str] = field(default_factory=dict)
    compile_error_prefix: str = ""  # how the compiler's first error line starts
    # whole programs that attack the compiler (a device read in, a macro or template explosion,
    # huge constant data): each ends as a compile error within the compile limit
    compile_bombs: dict[str, str] = field(default_factory=dict)

    def run(self, sb, source: str, limits: Limits = LIMITS):
        result = sb.run(Job(language=self.name, code=source, kind="program", limits=limits,
                            env={TOKEN_ENV: TOKEN}))
        return result, languages.get(self.name).judge(result, TOKEN)[0]


def fenced(tag: str, header: str = "") -> Callable[[object, str], str]:
    return lambda q, snippet: languages.get(tag).compose_program(
        header + q.fields["Prompt"][tag] + snippet, q.fields["Test"][tag], TOKEN)


# ---------------------------------------------------------------- C++

CPP_GOOD = ("    for (size_t i = 0; i < numbers.size(); i++)\n        for (size_t j = i + 1; j < numbers.size(); j++)\n"
            "            if (fabs(numbers[i] - numbers[j]) < threshold) return true;\n    return false;\n}\n")
CPP_HEADERS = ("#include<unistd.h>\n#include<cstring>\n#include<cerrno>\n#include<sys/socket.h>\n#include<sys/stat.h>\n"
               "#include<netinet/in.h>\n#include<arpa/inet.h>\n#include<dirent.h>\n#include<sys/wait.h>\n")
CPP_ONCE = "    static bool once = false;\n    if (!once) { once = true;\n"
CPP = Lang(
    name="cpp", dataset="humaneval-cpp=humaneval-cpp/humaneval_cpp.jsonl.gz",
    known={},  # CPP/22 and CPP/137 include boost/any.hpp: the image has Boost's headers (as CodeGeeX's has)
    answer=lambda body: "```cpp\n" + Q0["cpp"].fields["Prompt"]["cpp"] + body + "```\n",
    good=CPP_GOOD,
    verdicts={
        "wrong": ("    return numbers.size() > 100;\n}\n", "fail", "Assertion"),
        "compile_error": ("    return undefined_name;\n}\n", "compile_error", "undefined_name"),
        "segfault": ("    int *p = nullptr;\n    return *p == numbers.size();\n}\n", "runtime_error", "signal 11"),
        "exception": ("    throw 42;\n}\n", "runtime_error", "terminate"),
        "early_exit": ("    exit(0);\n}\n", "fail", "before its tests finished"),
        "infinite_loop": ("    while (true) {}\n}\n", "timeout", None),
    },
    program=fenced("cpp", CPP_HEADERS),
    snippets={
        "honest": CPP_GOOD,
        "fork_bomb": "    while (true) fork();\n}\n",
        "memory_bomb": "    std::vector<char*> hog;\n    for (;;) { char *p = new char[1 << 24];"
                       " memset(p, 1, 1 << 24); hog.push_back(p); }\n}\n",
        "output_flood": CPP_ONCE + "    for (int i = 0; i < 2000000; i++) puts(\"flood flood flood flood\");\n"
                        "    for (int i = 0; i < 200000; i++) fputs(\"flood flood flood flood\\n\", stderr); }\n"
                        + CPP_GOOD,
        "network": "    int s = socket(AF_INET, SOCK_STREAM, 0);\n    sockaddr_in a = {};\n    a.sin_family = AF_INET;\n"
                   "    a.sin_port = htons(53);\n    a.sin_addr.s_addr = inet_addr(\"1.1.1.1\");\n"
                   "    if (connect(s, (sockaddr*)&a, sizeof a) == 0) { puts(\"connected\"); return true; }\n"
                   "    printf(\"refused %s\\n\", strerror(errno));\n" + CPP_GOOD,
        "writes": CPP_ONCE + "    const char *paths[] = {PATHS};\n"
                  "    for (const char *p : paths) { FILE *f = fopen(p, \"w\");\n"
                  "        printf(\"%s %s\\n\", p, f ? \"written\" : \"refused\"); if (f) fclose(f); } }\n" + CPP_GOOD,
        "background_child": CPP_ONCE + "    if (fork() == 0) { execlp(\"sleep\", \"sleep\", \"1000\", (char*)0); _exit(0); } }\n"
                            + CPP_GOOD,
        # the parent waits until the child has left the job's process group (setsid), so that the
        # child is a straggler to find, not killed with the group when a loaded machine is slow to run it
        "background_setsid": CPP_ONCE + "    int ready[2]; pipe(ready);\n"
                             "        if (fork() == 0) { setsid(); write(ready[1], \"x\", 1); sleep(1000); }\n"
                             "        char c; read(ready[0], &c, 1); }\n" + CPP_GOOD,
        "list": CPP_ONCE + "    const char *dirs[] = {\"/tmp\", \"/cache\"};\n"
                "    for (const char *d : dirs) { DIR *dir = opendir(d); if (!dir) continue;\n"
                "        for (dirent *e; (e = readdir(dir)) != nullptr;) printf(\"%s/%s\\n\", d, e->d_name);\n"
                "        closedir(dir); } }\n" + CPP_GOOD,
        "ps": CPP_ONCE + "    if (fork() == 0) { execlp(\"python3\", \"python3\", \"-c\", PID_SCAN, (char*)0); _exit(1); }\n"
              "    wait(nullptr); }\n" + CPP_GOOD,
        "tamper": CPP_ONCE + "    system(\"n=0; for f in $(find /cache -type f); do echo tampered > $f; n=$((n+1)); done;"
                  " echo tampered $n\"); fflush(stdout); }\n" + CPP_GOOD,
        "plant": CPP_ONCE + "    mkdir(\"/cache/planted\", 0755); }\n" + CPP_GOOD,
    },
    wrong_completion=("    throw 42;\n}\n", "runtime_error"),
    protected=["/usr/bin/g++"],
    compile_error_prefix="error: ",
    compile_bombs={
        "include_dev_zero": '#include "/dev/zero"\nint main() { return 0; }\n',
        "include_dev_urandom": '#include "/dev/urandom"\nint main() { return 0; }\n',
        "include_itself": '#include __FILE__\nint main() { return 0; }\n',
        "template_explosion": "template<int N> struct F { static const long v = F<N - 1>::v + F<N - 2>::v; };\n"
                              "template<> struct F<0> { static const long v = 0; };\n"
                              "template<> struct F<1> { static const long v = 1; };\n"
                              "int main() { return F<100000>::v == 0; }\n",
        "huge_constant": "#include <cstdio>\nstatic char big[1L << 34] = {1};\nint main() { return big[0] - 1; }\n",
    },
)

# ---------------------------------------------------------------- Go

GO_GOOD = ("    for i := 0; i < len(numbers); i++ {\n        for j := i + 1; j < len(numbers); j++ {\n"
           "            if math.Abs(numbers[i]-numbers[j]) < threshold {\n                return true\n"
           "            }\n        }\n    }\n    return false\n}\n")  # HasCloseElements (Go/0)
GO_HEADER = 'import (\n    "net"\n    "os"\n    "os/exec"\n    "syscall"\n)\nvar ranOnce bool\n'
GO_ONCE = "    if !ranOnce {\n        ranOnce = true\n"
GO = Lang(
    name="go", dataset="humaneval-go=humaneval-go/humaneval_go.jsonl.gz",
    known={},
    unstable={"Go/95": "its canonical CheckDictCase decides on the first two keys of a map, in Go's random "
                       "iteration order: {p, A, B} and {p, 5, a} pass or fail by chance"},
    answer=lambda body: "```go\n" + ('import "os"\n' if "os." in body else "") + Q0["go"].fields["Prompt"]["go"]
    + body + "```\n",
    good=GO_GOOD,
    verdicts={
        "wrong": ("    return len(numbers) > 100\n}\n", "fail", "Not equal"),
        "compile_error": ("    return undefinedName\n}\n", "compile_error", "undefined: undefinedName"),
        "index_panic": ("    return numbers[len(numbers)+1] > threshold\n}\n", "runtime_error", "index out of range"),
        "nil_map": ("    var m map[string]int\n    m[\"x\"] = 1\n    return false\n}\n", "runtime_error", "nil map"),
        "early_exit": ("    os.Exit(0)\n    return false\n}\n", "fail", "before its tests finished"),
        "infinite_loop": ("    for {\n    }\n}\n", "timeout", None),
    },
    program=fenced("go", GO_HEADER),
    snippets={
        "honest": GO_GOOD,
        "fork_bomb": "    for {\n        exec.Command(\"sleep\", \"100\").Start()\n    }\n}\n",
        "memory_bomb": "    hog := [][]byte{}\n    for {\n        hog = append(hog, bytes.Repeat([]byte{1}, 1<<24))\n    }\n}\n",
        "output_flood": GO_ONCE + "        os.Stdout.WriteString(strings.Repeat(\"flood flood flood\\n\", 3000000))\n"
                        "        os.Stderr.WriteString(strings.Repeat(\"flood flood flood\\n\", 300000))\n    }\n" + GO_GOOD,
        "network": "    if c, err := net.DialTimeout(\"tcp\", \"1.1.1.1:53\", time.Second); err == nil {\n"
                   "        c.Close()\n        fmt.Println(\"connected\")\n        return true\n    } else {\n"
                   "        fmt.Println(\"refused\", err)\n    }\n" + GO_GOOD,
        "writes": GO_ONCE + "        for _, p := range []string{PATHS} {\n"
                  "            if os.WriteFile(p, []byte(\"pwned\"), 0o644) == nil {\n"
                  "                fmt.Println(p, \"written\")\n            } else {\n"
                  "                fmt.Println(p, \"refused\")\n            }\n        }\n    }\n" + GO_GOOD,
        "background_child": GO_ONCE + "        exec.Command(\"sleep\", \"1000\").Start()\n    }\n" + GO_GOOD,
        "background_setsid": GO_ONCE + "        cmd := exec.Command(\"sleep\", \"1000\")\n"
                             "        cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}\n        cmd.Start()\n    }\n"
                             + GO_GOOD,
        "list": GO_ONCE + "        for _, d := range []string{\"/tmp\", \"/cache\"} {\n"
                "            entries, _ := os.ReadDir(d)\n            for _, e := range entries {\n"
                "                fmt.Println(d + \"/\" + e.Name())\n            }\n        }\n    }\n" + GO_GOOD,
        "ps": GO_ONCE + "        out, _ := exec.Command(\"python3\", \"-c\", PID_SCAN).Output()\n"
              "        fmt.Print(string(out))\n    }\n" + GO_GOOD,
        "tamper": GO_ONCE + "        out, _ := exec.Command(\"sh\", \"-c\", \"n=0; for f in $(find /cache -type f); "
                  "do echo tampered > $f; n=$((n+1)); done; echo tampered $n\").Output()\n"
                  "        fmt.Print(string(out))\n    }\n" + GO_GOOD,
        "plant": GO_ONCE + "        os.Mkdir(\"/cache/planted\", 0o755)\n    }\n" + GO_GOOD,
    },
    wrong_completion=("    panic(\"wrong on purpose\")\n}\n", "runtime_error"),
    protected=["/usr/bin/go", "/usr/share/gocode/src/x.go"],
    compile_bombs={
        "huge_constant": 'package main\nimport "testing"\nvar big = [1 << 31]byte{1}\n'
                         "func TestBig(t *testing.T) { if big[0] != 1 { t.Fail() } }\n",
        "constant_explosion": 'package main\nimport "testing"\nconst c = 1 << 100000000\n'
                              "func TestC(t *testing.T) { if c == 0 { t.Fail() } }\n",
        "import_itself": 'package main\nimport (\n    "testing"\n    _ "/dev/zero"\n)\n'
                         "func TestI(t *testing.T) {}\n",
    },
)

# ---------------------------------------------------------------- Java


def java_program(_question, snippet: str) -> str:
    """`snippet` is the body of Main.main, composed as HumanEval-X's tests are."""
    test = "public class Main {\n    public static void main(String[] args) throws Exception {\n" \
           + snippet + "\n    }\n}\n"
    return languages.get("java").compose_program("import java.util.*;\nimport java.io.*;\nimport java.net.*;\n",
                                                 test, TOKEN)


JAVA_HONEST = "int s = 0; for (int i = 1; i <= 10; i++) s += i; if (s != 55) throw new AssertionError();"
JAVA_PS = ('Process scan = new ProcessBuilder("python3", "-c", PID_SCAN).start();'
           ' System.out.print(new String(scan.getInputStream().readAllBytes())); scan.waitFor();')
JAVA = Lang(
    name="java", dataset="humaneval-java=humaneval-java/humaneval_java.jsonl.gz",
    known={},
    answer=lambda body: ("```java\nimport java.util.*;\n\nclass Solution {\n"
                         "    public boolean hasCloseElements(List<Double> numbers, double threshold) {\n"
                         f"        {body}\n    }}\n}}\n```\n"),
    good="for (int i = 0; i < numbers.size(); i++) for (int j = i + 1; j < numbers.size(); j++)"
         " if (Math.abs(numbers.get(i) - numbers.get(j)) < threshold) return true;\n        return false;",
    verdicts={
        "wrong": ("return false;", Status.FAIL, "AssertionError"),
        "compile_error": ("return nope;", Status.COMPILE_ERROR, "error: cannot find symbol"),
        "runtime_error": ("Object o = null; return o.hashCode() == 1;", Status.RUNTIME_ERROR, "NullPointerException"),
        "exception": ("throw new IllegalStateException(\"boom\");", Status.RUNTIME_ERROR,
                      "IllegalStateException: boom"),
        "early_exit": ("System.exit(0); return true;", Status.FAIL, "ended before its tests finished"),
        "infinite_loop": ("while (true) { }", Status.TIMEOUT, None),
        "memory_bomb": ("List<long[]> a = new ArrayList<>(); while (true) a.add(new long[1 << 20]);", Status.OOM,
                        "OutOfMemoryError"),
    },
    program=java_program,
    snippets={
        "honest": JAVA_HONEST,
        "fork_bomb": ('List<Process> ps = new ArrayList<>();\n'
                      'while (true) { try { ps.add(new ProcessBuilder("sh", "-c", ":(){ :|:& };:").start()); }'
                      ' catch (IOException e) { } }'),
        "thread_bomb": ('while (true) { Thread t = new Thread(() -> { try { Thread.sleep(100000); }'
                        ' catch (InterruptedException e) { } }); t.start(); }'),
        "sleep_forever": "Thread.sleep(1000000000L);",
        "memory_bomb": "List<long[]> a = new ArrayList<>(); while (true) a.add(new long[1 << 20]);",
        # direct buffers past the JVM's limit: an OutOfMemoryError, or the container's limit
        "native_memory_bomb": "List<java.nio.ByteBuffer> a = new ArrayList<>();"
                              " while (true) a.add(java.nio.ByteBuffer.allocateDirect(1 << 24));",
        "output_flood": 'char[] line = new char[1000]; Arrays.fill(line, \'x\'); String s = new String(line);\n'
                        'for (int i = 0; i < 200000; i++) { System.out.println(s); System.err.println(s); }',
        "network": ('try (Socket s = new Socket()) { s.connect(new InetSocketAddress("1.1.1.1", 53), 1000);'
                    ' System.out.println("connected"); }\n'
                    'catch (IOException e) { System.out.println("refused " + e); }'),
        "writes": ("for (String p : new String[]{PATHS}) {\n"
                   "    try (FileWriter w = new FileWriter(p)) { w.write(\"pwned\"); System.out.println(p + \" written\"); }\n"
                   "    catch (IOException e) { System.out.println(p + \" refused\"); }\n}"),
        "background_child": 'new ProcessBuilder("sleep", "1000").start();',
        # it waits until the child has left the job's process group (setsid), so that the child is a
        # straggler to find, not killed with the group when a loaded machine is slow to run it
        "background_setsid": 'new ProcessBuilder("setsid", "sh", "-c", "echo ready; exec sleep 1000").start()'
                             '.getInputStream().read();',
        "list": 'for (String d : new String[]{"/tmp", "/cache"}) System.out.println(Arrays.toString(new File(d).list()));',
        "ps": JAVA_PS,
        # rewrites every cached class file with its own valid bytecode
        "tamper": ('byte[] mine = java.nio.file.Files.readAllBytes(new File("Main.class").toPath()); int n = 0;\n'
                   'for (File entry : new File("/cache").listFiles()) for (File f : entry.listFiles())\n'
                   '    { java.nio.file.Files.write(f.toPath(), mine); n++; }\n'
                   'System.out.println("tampered " + n);'),
        "plant": 'new File("/cache/planted").mkdir();',
    },
    wrong_completion=("        throw new AssertionError(\"wrong\");\n    }\n}\n", "fail"),
    protected=["/opt/toolchain/java/version"],
    compile_error_prefix="error: ",
    compile_bombs={
        "constant_explosion": "public class Main {\n    static final String A0 = \"aaaaaaaaaaaaaaaa\";\n"
                              + "".join(f"    static final String A{i} = A{i - 1} + A{i - 1};\n" for i in range(1, 40))
                              + "    public static void main(String[] a) { System.out.println(A39.length()); }\n}\n",
        "huge_method": "public class Main {\n    public static void main(String[] a) {\n        int x = 0;\n"
                       + "        x += 1;\n" * 70000 + "        System.out.println(x);\n    }\n}\n",
    },
)

# ---------------------------------------------------------------- Rust


def rust_program(_question, snippet: str) -> str:
    """`snippet` is one #[test] of a HumanEval-X-style test module."""
    test = ("#[cfg(test)]\nmod tests {\n    #[allow(unused_imports)]\n    use super::*;\n"
            "    use std::io::Write;\n\n    #[test]\n    fn t() {\n" + snippet + "\n    }\n}\n")
    return languages.get("rust").compose_program("", test, TOKEN)


RUST = Lang(
    name="rust", dataset="humaneval-rust=humaneval-rust/humaneval_rust.jsonl.gz",
    # Rust/50's test calls rand 0.4's gen_range(a, b); Debian packages rand 0.8 (gen_range(a..b))
    known={"Rust/50": ("compile_error", ("gen_range", "error[E0277]"))},
    answer=lambda body: f"```rust\nfn has_close_elements(numbers: Vec<f32>, threshold: f32) -> bool {{\n    {body}\n}}\n```\n",
    good="for i in 0..numbers.len() { for j in i + 1..numbers.len() {"
         " if (numbers[i] - numbers[j]).abs() < threshold { return true; } } }\n    false",
    verdicts={
        "wrong": ("return false;", Status.FAIL, "assertion failed"),
        "compile_error": ("return nope;", Status.COMPILE_ERROR, "error[E0425]: cannot find value `nope`"),
        "index_panic": ("let v: Vec<i32> = Vec::new(); v[numbers.len()] == 1", Status.RUNTIME_ERROR,
                        "index out of bounds"),
        "unwrap_panic": ("let x: Option<i32> = None; x.unwrap() == 1", Status.RUNTIME_ERROR, "on a `None` value"),
        # Rust names a stack overflow only where it can find the main thread's stack in
        # /proc/self/maps; in the native root (no /proc) the same run ends by SIGSEGV
        "stack_overflow": ("fn r(n: u64) -> u64 { if n == u64::MAX { 0 } else { r(n + 1) + 1 } } r(0) == 1",
                           Status.RUNTIME_ERROR, None),
        "early_exit": ("std::process::exit(0)", Status.FAIL, "ended before its tests finished"),
        "infinite_loop": ("loop {}", Status.TIMEOUT, None),
        "memory_bomb": ("let mut v: Vec<Vec<u8>> = Vec::new(); loop { v.push(vec![1u8; 1 << 24]); }", Status.OOM,
                        "memory allocation of"),
    },
    program=rust_program,
    snippets={
        "honest": "assert_eq!((1..=10).sum::<i32>(), 55);",
        "fork_bomb": 'loop { let _ = std::process::Command::new("sh").arg("-c").arg(":(){ :|:& };:").spawn(); }',
        "thread_bomb": "loop { let _ = std::thread::Builder::new()"
                       ".spawn(|| std::thread::sleep(std::time::Duration::from_secs(100000))); }",
        "sleep_forever": "std::thread::sleep(std::time::Duration::from_secs(1 << 30));",
        "memory_bomb": "let mut v: Vec<Vec<u8>> = Vec::new(); loop { v.push(vec![1u8; 1 << 24]); }",
        # straight to the file descriptors: the harness buffers what print! writes in a test
        "output_flood": 'let line = [b\'x\'; 1000];\nfor _ in 0..200000 { let _ = std::io::stdout().write_all(&line);'
                        ' let _ = std::io::stderr().write_all(&line); }',
        "network": ('let addr: std::net::SocketAddr = "1.1.1.1:53".parse().unwrap();\n'
                    'match std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(1)) {\n'
                    '    Ok(_) => { let _ = writeln!(std::io::stdout(), "connected"); }\n'
                    '    Err(e) => { let _ = writeln!(std::io::stdout(), "refused {}", e); }\n}'),
        "writes": ("for p in [PATHS] {\n"
                   "    match std::fs::write(p, b\"pwned\") {\n"
                   "        Ok(_) => { let _ = writeln!(std::io::stdout(), \"{} written\", p); }\n"
                   "        Err(_) => { let _ = writeln!(std::io::stdout(), \"{} refused\", p); }\n    }\n}"),
        "background_child": 'std::process::Command::new("sleep").arg("1000").spawn().unwrap();',
        "background_setsid": ('let mut c = std::process::Command::new("setsid").arg("sh").arg("-c")'
                              '.arg("echo ready; exec sleep 1000").stdout(std::process::Stdio::piped()).spawn().unwrap();\n'
                              'let _ = std::io::Read::read(c.stdout.as_mut().unwrap(), &mut [0u8; 1]);'),
        "list": ('for d in ["/tmp", "/cache"] { for e in std::fs::read_dir(d).unwrap() {'
                 ' let _ = writeln!(std::io::stdout(), "{:?}", e.unwrap().path()); } }'),
        "ps": ('let out = std::process::Command::new("python3").arg("-c").arg(PID_SCAN).output().unwrap();'
               ' let _ = std::io::stdout().write_all(&out.stdout);'),
        # rewrites every cached binary with itself
        "tamper": ('let mine = std::fs::read(std::env::args().next().unwrap()).unwrap(); let mut n = 0;\n'
                   'for entry in std::fs::read_dir("/cache").unwrap() {\n'
                   '    for f in std::fs::read_dir(entry.unwrap().path()).unwrap() {\n'
                   '        let p = f.unwrap().path(); let _ = std::fs::remove_file(&p);\n'
                   '        if std::fs::write(&p, &mine).is_ok() { n += 1; }\n    }\n}\n'
                   'let _ = writeln!(std::io::stdout(), "tampered {}", n);'),
        "plant": 'std::fs::create_dir("/cache/planted").unwrap();',
    },
    wrong_completion=("    panic!(\"assertion failed: wrong on purpose\")\n}\n", "fail"),
    protected=["/opt/toolchain/rust/flags"],
    compile_error_prefix="error[",
    compile_bombs={
        "include_bytes_dev_zero": 'static Z: &[u8] = include_bytes!("/dev/zero");\n'
                                  "#[test]\nfn z() { assert!(Z.len() > 0); }\n",
        "include_str_dev_urandom": 'static R: &str = include_str!("/dev/urandom");\n'
                                   "#[test]\nfn r() { assert!(R.len() > 0); }\n",
        "macro_explosion": "macro_rules! m { ($($t:tt)*) => { m!($($t)* $($t)*); }; }\nm!(x);\n"
                           "#[test]\nfn m() {}\n",
        "huge_constant": "static BIG: [u8; 1 << 34] = [1; 1 << 34];\n#[test]\nfn b() { assert_eq!(BIG[0], 1); }\n",
    },
)

LANGS = {row.name: row for row in (CPP, GO, JAVA, RUST)}
Q0: dict = {}  # language -> its task 0 (has_close_elements), loaded once by the `task0` fixture
# what each hostile case may end as (a runaway never passes; the others pass, contained)
RUNAWAYS = {"fork_bomb": {Status.TIMEOUT, Status.RUNTIME_ERROR, Status.OOM},
            "thread_bomb": {Status.TIMEOUT, Status.RUNTIME_ERROR, Status.OOM},
            "sleep_forever": {Status.TIMEOUT, Status.RUNTIME_ERROR, Status.OOM},
            "memory_bomb": {Status.OOM, Status.RUNTIME_ERROR},
            "native_memory_bomb": {Status.OOM}}
CONTAINED = ("output_flood", "network", "writes", "background_child", "background_setsid")
REQUIRED = {"honest", "fork_bomb", "memory_bomb", *CONTAINED, "list", "ps", "tamper", "plant"}


def cases(table: Callable[[Lang], object]) -> list:
    return [pytest.param(name, case, id=f"{name}-{case}") for name, row in LANGS.items() for case in table(row)]


@pytest.fixture(scope="module")
def task0():
    """Each language's has_close_elements (HumanEval-X's task 0)."""
    for name, row in LANGS.items():
        importer, relative = row.dataset.split("=", 1)
        suite = load_benchmark(f"{importer}={dataset_file(relative)}")
        Q0[name] = suite.questions[0] if hasattr(suite.questions, "__getitem__") else next(iter(suite.questions))
    return Q0


def grade(sb, row: Lang, body: str, question=None):
    question = question or Q0[row.name]
    return grade_program(sb, question, row.name, row.answer(body), None, LIMITS, FIXED)


def assert_honest_passes(sb, row: Lang):
    result, status = row.run(sb, row.program(Q0[row.name], row.snippets["honest"]))
    assert status == Status.PASS, result


# ---------------------------------------------------------------- the registry's rows


@pytest.mark.fast
def test_every_compiled_language_has_a_row():
    assert sorted(LANGS) == sorted(lang.name for lang in languages.all_languages() if lang.compiled)
    for row in LANGS.values():
        assert REQUIRED <= set(row.snippets), (row.name, REQUIRED - set(row.snippets))
        assert set(row.snippets) - REQUIRED <= set(RUNAWAYS), row.name
        assert {"wrong", "compile_error", "early_exit", "infinite_loop"} <= set(row.verdicts), row.name
        assert len(row.compile_bombs) >= 2, row.name


# ---------------------------------------------------------------- the dataset, through the pipeline


@pytest.mark.dataset
@pytest.mark.timeout(1800)  # the whole dataset (--full): 164 compiles, minutes on two busy cores
@pytest.mark.parametrize("name", LANGS)
def test_canonical_solutions_pass_but_for_known_data_bugs(name, tmp_path):
    """The reference executor's answers (chat template) pass but for the known data bugs; in the
    same evaluate run, completion-style answers (the canonical body alone, or a wrong body)
    stitched onto the prompt of three tasks pass and fail."""
    row = LANGS[name]
    importer, relative = row.dataset.split("=", 1)
    spec = f"{importer}={dataset_file(relative)}"
    suite = {q.name: q for q in load_benchmark(spec).questions}
    chosen = sample(importer, suite)
    known = {task: why for task, why in row.known.items() if task in chosen}
    chat = output_path(stage("prepare.py", "--interview", spec, "--template", "program-chat", *questions_flag(chosen),
                             "--output", tmp_path / "prepare-chat.ndjson"))
    canonical = records(output_path(stage("interview.py", "--input", chat,
                                          "--output", tmp_path / "interview-chat.ndjson")))
    # three ordinary tasks (no data bug, no special case), the same under --full
    three = [task for task in stratified(importer, suite) if task not in row.known and task not in SPECIAL.get(
        importer, {})][:3]
    completion = records(output_path(stage("prepare.py", "--interview", spec, "--template", "program-completion",
                                           "--questions", ",".join(three),
                                           "--output", tmp_path / "prepare-completion.ndjson")))
    bodies = {task: suite[task].fields["Reference"][name][len(suite[task].fields["Prompt"][name]):] for task in three}
    hand = [{**r, "stage": "interview", "sample": s, "answer": a, "executor": "test", "model": "hand"}
            for r in completion for s, a in enumerate([bodies[r["name"]], row.wrong_completion[0]])]
    interviewed = write_records(tmp_path / "interview.ndjson", canonical + hand)
    rows = records(output_path(stage("evaluate.py", "--input", interviewed, "--output", tmp_path / "eval.ndjson",
                                     "--workers", "2", timeout=1800)))
    assert all(r["language"] == name for r in rows)
    reference = [r for r in rows if r["executor"] != "test"]
    assert sorted(r["name"] for r in reference) == sorted(chosen)
    for r in reference:
        if r["name"] in row.unstable:  # either verdict, but never another kind of failure
            assert r["status"] in (Status.PASS, Status.FAIL), r
    reference = [r for r in reference if r["name"] not in row.unstable]
    failing = {r["name"]: r for r in reference if r["status"] != "pass"}
    assert set(failing) == set(known), {k: (v["status"], v["error"]) for k, v in failing.items()}
    for task, (status, needles) in known.items():
        assert failing[task]["status"] == status, failing[task]
        for needle in needles:
            assert needle in (failing[task]["error"] or "") + (failing[task]["stderr"] or ""), (needle, failing[task])
    for r in reference:
        if r["status"] == "pass":  # the reference's run time alone (compiling has its own limit)
            timing = r["timing"]
            assert timing["reference_s"] > 0 and timing["reference_status"] == "pass", r["name"]
            assert timing["limit_s"] == round(max(3.0, 4 * timing["reference_s"]), 3), r["name"]
    stitched = sorted((r["sample"], r["status"]) for r in rows if r["executor"] == "test")
    assert stitched == [(0, "pass")] * 3 + [(1, row.wrong_completion[1])] * 3, stitched


# ---------------------------------------------------------------- verdicts of wrong answers


@pytest.mark.parametrize("name,case", cases(lambda row: sorted(row.verdicts)))
def test_wrong_answers_get_their_verdict(pool, task0, name, case):
    row = LANGS[name]
    body, status, needle = row.verdicts[case]
    graded = grade(pool, row, body)
    assert graded["status"] == status, graded
    if needle:
        assert needle in graded["error"], graded["error"]
    if status == Status.COMPILE_ERROR:  # the first error line, not the whole compiler output
        assert "\n" not in graded["error"] and graded["error"].startswith(row.compile_error_prefix), graded["error"]
    honest = grade(pool, row, row.good)
    assert honest["status"] == Status.PASS, honest


# ---------------------------------------------------------------- hostile programs


@pytest.mark.parametrize("name,case", cases(lambda row: sorted(set(row.snippets) & set(RUNAWAYS))))
def test_runaway_programs_are_contained(pool, task0, name, case):
    row = LANGS[name]
    limits = ROOMY if "memory" in case else RUNAWAY
    result, status = row.run(pool, row.program(Q0[name], row.snippets[case]), limits)
    assert status in RUNAWAYS[case], (status, result)
    assert_honest_passes(pool, row)


BOMB_LIMITS = dataclasses.replace(LIMITS, compile_timeout_s=30.0)


@pytest.mark.parametrize("name,case", cases(lambda row: sorted(row.compile_bombs)))
def test_compile_time_bombs_end_as_compile_errors(pool, task0, name, case):
    """No program can make the compiler read a device forever, exhaust the memory or
    outlast the compile limit: each is a compile error, and the next answer passes."""
    row = LANGS[name]
    result, status = row.run(pool, row.compile_bombs[case], BOMB_LIMITS)
    assert status == Status.COMPILE_ERROR, (status, result)
    assert result.compile_s is not None and result.compile_s <= BOMB_LIMITS.compile_timeout_s + 5, result
    assert_honest_passes(pool, row)


@pytest.mark.parametrize("name", LANGS)
def test_no_network(pool, task0, name):
    row = LANGS[name]
    result, status = row.run(pool, row.program(Q0[name], row.snippets["network"]))
    assert status == Status.PASS and "refused" in result.stdout and "connected" not in result.stdout, result
    assert_honest_passes(pool, row)


@pytest.mark.parametrize("name", LANGS)
def test_output_flood_is_capped(pool, task0, name):
    row = LANGS[name]
    result, status = row.run(pool, row.program(Q0[name], row.snippets["output_flood"]))
    assert "more bytes not shown" in result.stdout, result.stdout[-300:]
    assert len(result.stdout) <= LIMITS.output_bytes + 200 and len(result.stderr) <= LIMITS.output_bytes + 200
    assert status in (Status.PASS, Status.FAIL, Status.TIMEOUT), (status, result)
    assert_honest_passes(pool, row)


@pytest.mark.parametrize("name", LANGS)
def test_writes_outside_the_job_dir_fail_or_taint(solo_pool, task0, name):
    row = LANGS[name]
    paths = PROTECTED + row.protected + LEFT
    code = row.snippets["writes"].replace("PATHS", ", ".join('"%s"' % p for p in paths))
    result, status = row.run(solo_pool, row.program(Q0[name], code))
    assert status == Status.PASS, result
    written = {line.split()[0] for line in result.stdout.splitlines() if line.endswith(" written")}
    assert written == set(LEFT), result.stdout
    assert result.replaced, "files left in /tmp or /cache must taint the container"
    listing, status = row.run(solo_pool, row.program(Q0[name], row.snippets["list"]))
    assert status == Status.PASS and STAMP not in listing.stdout, listing.stdout
    assert_honest_passes(solo_pool, row)


@pytest.mark.parametrize("name,case", cases(lambda row: ["background_child", "background_setsid"]))
def test_a_stray_background_process_is_gone_for_the_next_answer(solo_pool, task0, name, case):
    row = LANGS[name]
    result, status = row.run(solo_pool, row.program(Q0[name], row.snippets[case]))
    assert status == Status.PASS, result
    if case == "background_setsid":  # a straggler outside the job's process group: the worker is replaced
        assert result.replaced, result
    ps, status = row.run(solo_pool, row.program(Q0[name], row.snippets["ps"].replace("PID_SCAN", '"%s"' % PID_SCAN)))
    assert status == Status.PASS and "pids []" in ps.stdout, ps.stdout
    assert_honest_passes(solo_pool, row)


# ---------------------------------------------------------------- the compile cache


def salted(row: Lang, snippet: str, word: str) -> str:
    return snippet + "\n" + languages.get(row.name).comment + f" {word} {uuid.uuid4().hex}\n"


@pytest.mark.parametrize("name", LANGS)
def test_the_compile_cache_serves_a_repeated_program(solo_pool, task0, name):
    row = LANGS[name]
    source = row.program(Q0[name], salted(row, row.snippets["honest"], "cache"))
    first, status = row.run(solo_pool, source)
    assert status == Status.PASS and first.compile_cached is False and first.compile_s > 0, first
    second, status = row.run(solo_pool, source)
    assert status == Status.PASS and second.compile_cached is True and second.compile_s == 0, second
    assert not first.replaced and not second.replaced


@pytest.mark.parametrize("name", LANGS)
def test_a_tampered_cache_entry_is_never_used(solo_pool, task0, name):
    """An answer rewrites every cached file: the next run of the cached program notices the
    change, compiles again and passes; a name of its own in the cache taints the worker."""
    row = LANGS[name]
    source = row.program(Q0[name], salted(row, row.snippets["honest"], "tamper"))
    first, status = row.run(solo_pool, source)
    assert status == Status.PASS and first.compile_cached is False, first
    hostile, status = row.run(solo_pool, row.program(Q0[name], row.snippets["tamper"]))
    assert status == Status.PASS and "tampered" in hostile.stdout and "tampered 0" not in hostile.stdout, hostile
    assert not hostile.replaced, hostile
    again, status = row.run(solo_pool, source)
    assert status == Status.PASS and again.compile_cached is False, again
    assert TOKEN in again.stderr or TOKEN in again.stdout
    planted, _ = row.run(solo_pool, row.program(Q0[name], row.snippets["plant"]))
    assert planted.replaced, "a name of its own in the cache must taint the container"
    assert_honest_passes(solo_pool, row)


@pytest.mark.parametrize("name", LANGS)
def test_identical_answers_compile_once_in_grading(solo_pool, task0, name):
    """Each grading draws its own finish token, yet one answer's program is the same text
    every time (the token travels in the run's environment): the worker's compile cache
    serves the second grading, with no verdict cache in between."""
    row = LANGS[name]
    body = salted(row, row.good, "once")
    first, second = grade(solo_pool, row, body), grade(solo_pool, row, body)
    assert first["status"] == second["status"] == "pass", (first, second)
    assert first["sandbox"]["compile_cached"] is False and first["sandbox"]["compile_s"] > 0, first["sandbox"]
    assert second["sandbox"]["compile_cached"] is True and second["sandbox"]["compile_s"] == 0.0, second["sandbox"]


# ---------------------------------------------------------------- answers only some languages show

PASSING_ANSWERS = {  # (language, task, the answer from the task): each passes
    # Java/50's prompt holds a helper method before the one asked for: restating only decodeShift keeps it
    "java-method-alone": ("java", "Java/50", lambda q: "```java\npublic String decodeShift" + q.fields[
        "Reference"]["java"].split("public String decodeShift", 1)[1].rstrip()[:-1] + "```\n"),
    # the prompt's `use` lines become a glob the answer's own imports shadow (the same name imported
    # twice is an error in Rust), and an answer's demo main replaces the empty one
    "rust-own-imports-and-main": ("rust", "Rust/0", lambda q: (
        "```rust\nuse std::collections::HashMap;\nuse std::cmp::max;\n\n"
        "fn has_close_elements(numbers: Vec<f32>, threshold: f32) -> bool {"
        + q.fields["Reference"]["rust"][len(q.fields["Prompt"]["rust"]):]
        + "\nfn main() {\n    let _m: HashMap<i32, i32> = HashMap::new();\n    println!(\"{}\", max(1, 2));\n}\n```\n")),
}
# Go/2's test calls math.Abs and imports nothing: it relies on the prompt's import block, which
# HumanEval-X's own evaluator removes, adding back only the packages the completion uses
# (CodeGeeX evaluate_humaneval_x.py, the "go" branch: `if p + "." in code`; ../shared/datasets
# README, HumanEval-X). So a right answer that needs no math fails to compile there, and here:
# a data bug of the benchmark's (Go/4, 32, 38, 44, 90, 108, 151 too), graded as its evaluator grades it.
AS_THE_OFFICIAL_EVALUATOR = {  # case -> (language, task, answer, status, a word of the error)
    "go-test-uses-an-import-only-the-prompt-has": ("go", "Go/2", lambda q: (
        "```go\nfunc TruncateNumber(number float64) float64 {\n    return number - float64(int(number))\n}\n```\n"),
        Status.COMPILE_ERROR, "undefined: math"),
}


# case -> (language, task, answer, status, a word of the error or None)
GRADED_ANSWERS = {**{case: (*row, Status.PASS, None) for case, row in PASSING_ANSWERS.items()},
                  **AS_THE_OFFICIAL_EVALUATOR}


@pytest.mark.parametrize("case", sorted(GRADED_ANSWERS))
def test_answers_some_languages_show_get_their_grade(pool, case):
    name, task, answer, status, word = GRADED_ANSWERS[case]
    importer, relative = LANGS[name].dataset.split("=", 1)
    question = {q.name: q for q in load_benchmark(f"{importer}={dataset_file(relative)}").questions}[task]
    graded = grade_program(pool, question, name, answer(question), None, LIMITS, RelativeTimeout())
    assert graded["status"] == status and (word is None or word in str(graded.get("error"))), graded


COMPILER_ERRORS = {  # language -> (compiler output, the runner's first_error of it)
    "java": ("Main.java:14: error: cannot find symbol\n        return nope;\n               ^\n"
             "  symbol:   variable nope\nMain.java:20: error: ';' expected\n2 errors\n",
             ("error: cannot find symbol", 14)),
    "rust": ("error[E0425]: cannot find value `nope` in this scope\n --> prog.rs:12:12\n   |\n"
             "12 |     return nope;\n   |            ^^^^ not found in this scope\n\n"
             "error: aborting due to previous error\n",
             ("error[E0425]: cannot find value `nope` in this scope", 12)),
}


@pytest.mark.fast
@pytest.mark.parametrize("name", sorted(COMPILER_ERRORS))
def test_compiler_errors_are_one_line(name):
    from helpers import runner_language

    runner = runner_language(name)
    output, expected = COMPILER_ERRORS[name]
    assert runner.first_error(output) == expected
    assert runner.first_error("") == (None, None)
    assert runner.first_error("error: aborting due to previous error\n")[1] is None


# ---------------------------------------------------------------- host side: names, stitching, composing


@pytest.mark.fast
def test_cpp_names_tags_and_whole_function_answers():
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


@pytest.mark.fast
def test_go_names_tags_and_imports():
    from codeinterview.languages import by_fence_tag, get
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


@pytest.mark.fast
def test_java_answers_are_found_and_stitched():
    java = languages.get("java")
    importer, relative = JAVA.dataset.split("=", 1)
    question = {q.name: q for q in load_benchmark(f"{importer}={dataset_file(relative)}").questions}["Java/0"]
    prompt = question.fields["Prompt"]["java"]
    method = "public boolean hasCloseElements(List<Double> numbers, double threshold) {\n    return true;\n}\n"
    assert java.defined_names(method) == ["hasCloseElements"]
    assert java.defined_names("if (x) {\n} else if (y) {\n}\nfor (int i = 0; i < n; i++) {\n}\n") == []
    stitched = java.prompt_then_function(prompt, method)
    assert stitched.startswith("import java.util.*;") and stitched.count("class Solution") == 1
    assert stitched.rstrip().endswith("}\n}") and stitched.count("boolean hasCloseElements(") == 1
    whole = "public class Solution {\n" + method + "}\n"
    assert java.prompt_then_function(prompt, whole) == "import java.util.*;\nimport java.lang.*;\nclass Solution {\n" \
        + method + "}\n"
    assert java.code_hint.search("Here is the answer; return the list {sorted}.") is None


@pytest.mark.fast
def test_rust_answers_are_found_and_stitched():
    rust = languages.get("rust")
    importer, relative = RUST.dataset.split("=", 1)
    question = {q.name: q for q in load_benchmark(f"{importer}={dataset_file(relative)}").questions}["Rust/0"]
    prompt = question.fields["Prompt"]["rust"]
    assert question.fields["Signature"] == "has_close_elements(numbers, threshold)"
    assert prompt.lstrip().startswith("/*") and prompt.rstrip().endswith("-> bool{")
    answer = "use std::collections::HashMap;\npub fn has_close_elements(numbers: Vec<f32>, t: f32) -> bool {\n    true\n}\n"
    assert rust.defined_names(answer) == ["has_close_elements"]
    stitched = rust.prompt_then_function(prompt, answer)
    assert stitched.count("fn has_close_elements") == 1 and stitched.endswith(answer)
    assert "    pub use rand::Rng;\n" in stitched and "\nuse codeinterview_prelude::*;\n" in stitched
    assert rust.code_hint.search("Let me explain: use the standard library.") is None
    program = rust.compose_program(stitched, "", "codeinterview-done-1")
    assert program.startswith("fn main(){}\n") and program.rstrip().endswith("}")
    assert not rust.compose_program("fn main() {}\n", "", "codeinterview-done-1").startswith("fn main(){}")


# ---------------------------------------------------------------- Java's compile server

# kills every process it may signal, its own JVM included: never the compile server (another uid)
JAVA_KILL_ALL = 'new ProcessBuilder("sh", "-c", "kill -9 -1").start().waitFor();'


def test_java_compiles_in_a_server_no_answer_can_reach(solo_pool, task0):
    """javac runs in the worker's compile server (compile_server.py), under a uid of its own:
    an answer that kills every process it may signal leaves it serving, and the next
    program compiles in it and passes on the same worker."""
    row = JAVA
    first, status = row.run(solo_pool, row.program(Q0["java"], salted(row, row.snippets["honest"], "server")))
    assert status == Status.PASS and first.compile_server is True, first
    killer, _ = row.run(solo_pool, row.program(Q0["java"], JAVA_KILL_ALL))
    assert killer.compile_server is True, killer
    after, status = row.run(solo_pool, row.program(Q0["java"], salted(row, row.snippets["honest"], "after")))
    assert status == Status.PASS and after.compile_server is True and not after.replaced, after


def test_a_compile_over_its_limit_in_the_server_replaces_the_worker(solo_pool, task0):
    """The server keeps each compile's time limit itself and exits past it: that compile is a
    compile error, the worker is replaced, and the next one starts with a fresh server."""
    row = JAVA
    hurried = dataclasses.replace(LIMITS, compile_timeout_s=0.001)
    late, status = row.run(solo_pool, row.program(Q0["java"], salted(row, row.snippets["honest"], "late")), hurried)
    assert status == Status.COMPILE_ERROR and "compilation ran over" in late.error["message"], late
    assert late.compile_server is True and late.replaced, late
    again, status = row.run(solo_pool, row.program(Q0["java"], salted(row, row.snippets["honest"], "again")))
    assert status == Status.PASS and again.compile_server is True, again
