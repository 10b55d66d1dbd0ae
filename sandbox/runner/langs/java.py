"""Java programs: javac Main.java, then the JVM runs the host's entry class
(codeinterview/languages/java.py ENTRY), which calls Main.main and writes
the finish token.

JVM flags chosen for start-up: the class-data-sharing archives the image
prepared (sandbox/toolchains/java.sh; -Xshare:auto falls back without them),
the C1 compiler only, the serial collector. The run's memory is bounded by
the heap, metaspace, code cache and direct-memory limits (RLIMIT_AS does not
suit the JVM: it reserves far more address space than it uses); the
container's limit stays the backstop. Stdlib only.
"""

import os

from langs import toolchain_file

SOURCE = "Main.java"
ENTRY = "CodeinterviewMain"
ARTIFACTS = ["*.class"]
TOOLCHAIN_DIR = "/opt/toolchain/java"
JAVAC_ARCHIVE = os.path.join(TOOLCHAIN_DIR, "javac.jsa")  # javac's own classes, dumped at build time
FAST_START = ["-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData"]
JAVAC_FLAGS = ["-encoding", "UTF-8", "-proc:none", "-nowarn", "-Xlint:none", "-Xmaxerrs", "20"]


TOOLCHAIN = "%s | javac %s" % (toolchain_file(os.path.join(TOOLCHAIN_DIR, "version"), "java (version unknown)"),
                               " ".join(JAVAC_FLAGS))


def compile_argv(src, limits):
    jvm = FAST_START + ["-Xss16m", "-Xmx768m"]
    if os.path.isfile(JAVAC_ARCHIVE):
        jvm.append("-XX:SharedArchiveFile=" + JAVAC_ARCHIVE)
    return ["javac"] + ["-J" + flag for flag in jvm] + JAVAC_FLAGS + ["-d", ".", os.path.basename(src)]


def heap_mb(limits):
    """Half the run's memory for the heap; the rest covers metaspace, code,
    thread stacks and the JVM's own allocations."""
    return max(32, int(limits["memory_mb"]) // 2)


def program_argv(src, limits, note_fd):
    return ["java"] + FAST_START + [
        "-Xmx%dm" % heap_mb(limits), "-Xss8m", "-XX:MaxMetaspaceSize=96m",
        "-XX:ReservedCodeCacheSize=32m", "-XX:CompressedClassSpaceSize=32m",
        "-XX:MaxDirectMemorySize=%dm" % max(16, int(limits["memory_mb"]) // 8),
        "-XX:CICompilerCount=1", "-Djava.io.tmpdir=" + os.path.dirname(src),
        "-cp", os.path.dirname(src), ENTRY]


JAVA_HOME = toolchain_file(os.path.join(TOOLCHAIN_DIR, "home"), "")
# javac in a JVM kept for the worker's life (sandbox/runner/compile_server.py), built by
# sandbox/toolchains/java.sh: JavacServer compiles through javax.tools, in memory
SERVER_JAR = os.path.join(TOOLCHAIN_DIR, "server.jar")
SERVER_ARCHIVE = os.path.join(TOOLCHAIN_DIR, "server.jsa")
EMPTY_DIR = os.path.join(TOOLCHAIN_DIR, "empty")  # its class path: nothing but the JDK


def server_argv():
    """(argv, env, cwd) of the compile server, or None where the image has none."""
    if not JAVA_HOME or not os.path.isfile(SERVER_JAR):
        return None
    jvm = ["-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xss16m", "-Xmx768m",
           "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30"]  # give memory back after a big compile
    if os.path.isfile(SERVER_ARCHIVE):
        jvm.append("-XX:SharedArchiveFile=" + SERVER_ARCHIVE)
    argv = [os.path.join(JAVA_HOME, "bin", "java")] + jvm + ["-cp", SERVER_JAR, "JavacServer"] \
        + JAVAC_FLAGS + ["-classpath", EMPTY_DIR]
    return argv, dict(env(EMPTY_DIR), PATH="/usr/bin:/bin", LANG="C.UTF-8", HOME=EMPTY_DIR), EMPTY_DIR


def env(jobdir):
    # few malloc arenas: the JVM's native memory stays near what it uses
    found = {"MALLOC_ARENA_MAX": "2"}
    if JAVA_HOME:  # the launchers' libjli.so, which $ORIGIN cannot find without /proc (confine.py)
        found["LD_LIBRARY_PATH"] = os.path.join(JAVA_HOME, "lib")
    return found


def first_error(output):
    """javac's first diagnostic: 'Main.java:12: error: ...' -> (message, 12)."""
    for line in output.splitlines():
        head, sep, rest = line.partition(": error: ")
        if sep:
            name, _, number = head.rpartition(":")
            return "error: " + rest.strip(), int(number) if number.isdigit() else None
    for line in output.splitlines():
        if line.strip():
            return line.strip(), None
    return None, None


# Exercises: JUnit 5 and AssertJ from Debian, compiled with javac and run by
# JUnit's console launcher (no Gradle), which writes a JUnit XML report.
JARS = "/usr/share/java"
TEST_CLASSPATH = [os.path.join(JARS, jar) for jar in (
    "junit-jupiter-api.jar", "junit-jupiter-params.jar", "assertj-core.jar", "apiguardian-api.jar",
    "opentest4j.jar", "junit-platform-commons.jar")]
CONSOLE = os.path.join(JARS, "junit-platform-console-standalone.jar")
JUNIT_ARCHIVE = os.path.join(TOOLCHAIN_DIR, "junit.jsa")  # the launcher's classes (sandbox/toolchains/java.sh)


def test_steps(jobdir, tests, limits):
    import glob

    sources = sorted(os.path.relpath(p, jobdir) for p in glob.glob(os.path.join(jobdir, "src", "**", "*.java"),
                                                                   recursive=True))
    jvm = FAST_START + ["-Xss16m", "-Xmx768m"]
    if os.path.isfile(JAVAC_ARCHIVE):
        jvm.append("-XX:SharedArchiveFile=" + JAVAC_ARCHIVE)
    launcher = ["-XX:SharedArchiveFile=" + JUNIT_ARCHIVE] if os.path.isfile(JUNIT_ARCHIVE) else []
    classpath = ":".join(TEST_CLASSPATH)
    build = ["javac"] + ["-J" + flag for flag in jvm] + JAVAC_FLAGS + ["-d", "build", "-cp", classpath] + sources
    run = ["java"] + FAST_START + launcher + [
        "-Xmx%dm" % heap_mb(limits), "-Xss8m", "-Djava.io.tmpdir=" + jobdir, "-jar", CONSOLE, "--disable-banner",
        "--disable-ansi-colors", "--details=tree", "-cp", "build:" + classpath, "--scan-class-path",
        "--reports-dir", ".report"]
    return [{"phase": "compile", "argv": build}, {"phase": "run", "argv": run}]
