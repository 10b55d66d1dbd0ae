#!/bin/sh
# The java family: OpenJDK 17 from Debian. Runs as root at image build (no network).
# Writes what the runner reads (sandbox/runner/langs/java.py): the version, part
# of the compile cache's key, and a class-data-sharing archive of javac's own
# classes, dumped while compiling a small program (javac then starts ~2x faster);
# and the compile server each worker keeps (JavacServer, javax.tools in memory).
set -e
dir=/opt/toolchain/java
mkdir -p "$dir"
java -Xshare:dump >/dev/null 2>&1 || true  # the JDK's default archive, when the package left none
{ java -version 2>&1 | head -n 1; javac -version 2>&1; } | tr '\n' ' ' | sed 's/ *$//' >"$dir/version"
# the JDK's home: its launchers find libjli.so through $ORIGIN, which the loader reads from
# /proc/self/exe; the native root has no /proc, so the runner names the library folder instead
dirname "$(dirname "$(readlink -f "$(command -v java)")")" >"$dir/home"
work=$(mktemp -d)
cat >"$work/Main.java" <<'JAVA'
import java.util.*;
import java.util.stream.*;
import java.math.BigInteger;

class Solution {
    public List<Integer> f(List<Integer> xs, String s) {
        Map<String, Integer> m = new HashMap<>();
        for (String w : s.split(" ")) m.merge(w, 1, Integer::sum);
        return xs.stream().filter(x -> x > m.size()).sorted().collect(Collectors.toList());
    }
}

public class Main {
    public static void main(String[] args) {
        Solution s = new Solution();
        if (!s.f(Arrays.asList(3, 1, 2), "a b").equals(Arrays.asList(3))) {
            throw new AssertionError(BigInteger.ONE);
        }
    }
}
JAVA
(cd "$work" && javac -J-Xshare:auto -J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC -J-XX:-UsePerfData \
    -J-XX:ArchiveClassesAtExit="$dir/javac.jsa" -encoding UTF-8 -proc:none -d . Main.java \
    && java -Xshare:auto -XX:+UseSerialGC -cp . Main) || rm -f "$dir/javac.jsa"
# the compile server (sandbox/runner/compile_server.py): built here, its classes archived while
# it compiles the program above, as the runner will start it
mkdir -p "$dir/empty"
cat >"$work/JavacServer.java" <<'JAVA'
import javax.tools.*;
import java.io.*;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.*;

/**
 * javac kept running for a sandbox worker's life (sandbox/runner/compile_server.py): compiles one
 * source after another, in memory, through javax.tools. Request: name, source, time limit (ms);
 * reply: status (0 ok, 1 errors, 2 time-out, 3 crash), diagnostics, the class files. After a
 * time-out or a crash it exits: the worker is replaced.
 */
public class JavacServer {
    static byte[] readBytes(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }

    static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    public static void main(String[] args) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(System.out));
        List<String> options = Arrays.asList(args);
        StandardJavaFileManager files = javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);
        while (true) {
            String name;
            byte[] text;
            int limitMs;
            try {
                name = new String(readBytes(in), StandardCharsets.UTF_8);
                text = readBytes(in);
                limitMs = in.readInt();
            } catch (EOFException e) {
                return;
            }
            Map<String, ByteArrayOutputStream> classes = new TreeMap<>();
            JavaFileManager memory = new ForwardingJavaFileManager<JavaFileManager>(files) {
                @Override
                public JavaFileObject getJavaFileForOutput(Location where, String cls, JavaFileObject.Kind kind,
                                                           FileObject sibling) {
                    ByteArrayOutputStream buf = new ByteArrayOutputStream();
                    classes.put(cls, buf);
                    return new SimpleJavaFileObject(URI.create("mem:///" + cls.replace('.', '/') + kind.extension), kind) {
                        @Override
                        public OutputStream openOutputStream() { return buf; }
                    };
                }
            };
            String source = new String(text, StandardCharsets.UTF_8);
            JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///" + name), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreErrors) { return source; }
                @Override
                public String getName() { return name; }
            };
            StringWriter diagnostics = new StringWriter();
            int status;
            FutureTask<Boolean> task = new FutureTask<>(
                () -> javac.getTask(diagnostics, memory, null, options, null, List.of(unit)).call());
            Thread compiling = new Thread(null, task, "compile", 64L << 20);  // javac recurses deeply
            compiling.setDaemon(true);
            compiling.start();
            try {
                status = task.get(limitMs, TimeUnit.MILLISECONDS) ? 0 : 1;
            } catch (TimeoutException e) {
                status = 2;
            } catch (ExecutionException e) {  // a compiler crash or OutOfMemoryError
                status = 3;
                diagnostics.write(String.valueOf(e.getCause()));
            }
            boolean ok = status == 0;
            out.writeInt(status);
            writeBytes(out, diagnostics.toString().getBytes(StandardCharsets.UTF_8));
            out.writeInt(ok ? classes.size() : 0);
            if (ok) {
                for (Map.Entry<String, ByteArrayOutputStream> c : classes.entrySet()) {
                    writeBytes(out, c.getKey().getBytes(StandardCharsets.UTF_8));
                    writeBytes(out, c.getValue().toByteArray());
                }
            }
            out.flush();
            if (status >= 2) {
                Runtime.getRuntime().halt(status);
            }
        }
    }
}
JAVA
mkdir "$work/classes"
javac -J-Xshare:auto -proc:none -d "$work/classes" "$work/JavacServer.java"
jar cf "$dir/server.jar" -C "$work/classes" .  # class-data sharing takes jars, not folders
python3 - "$dir" "$work/Main.java" <<'PY'
import struct, subprocess, sys
home, source = sys.argv[1], open(sys.argv[2], "rb").read()
server = subprocess.Popen(["java", "-Xshare:auto", "-XX:+UseSerialGC", "-XX:-UsePerfData",
                           "-XX:ArchiveClassesAtExit=" + home + "/server.jsa", "-cp", home + "/server.jar",
                           "JavacServer", "-proc:none", "-classpath", home + "/empty"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE)
for _ in range(3):
    server.stdin.write(struct.pack(">i", 9) + b"Main.java" + struct.pack(">i", len(source)) + source
                       + struct.pack(">i", 60000))
    server.stdin.flush()
    assert struct.unpack(">i", server.stdout.read(4))[0] == 0, "the compile server failed its smoke test"
    server.stdout.read(struct.unpack(">i", server.stdout.read(4))[0])
    for _ in range(struct.unpack(">i", server.stdout.read(4))[0] * 2):
        server.stdout.read(struct.unpack(">i", server.stdout.read(4))[0])
server.stdin.close()
assert server.wait() == 0, "the compile server did not end cleanly"
PY
# Exercises: JUnit's console launcher, its classes archived (AppCDS) while it runs a small test
# the way the runner runs exercises (sandbox/runner/langs/java.py, JUNIT_ARCHIVE)
mkdir -p "$work/junit/build"
cat >"$work/junit/SmokeTest.java" <<'JAVA'
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

public class SmokeTest {
    @Test
    public void adds() {
        assertThat(1 + 1).isEqualTo(2);
    }
}
JAVA
jars=/usr/share/java
cp="$jars/junit-jupiter-api.jar:$jars/junit-jupiter-params.jar:$jars/assertj-core.jar:$jars/apiguardian-api.jar"
cp="$cp:$jars/opentest4j.jar:$jars/junit-platform-commons.jar"
(cd "$work/junit" && javac -d build -cp "$cp" SmokeTest.java \
    && java -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData \
        -XX:ArchiveClassesAtExit="$dir/junit.jsa" -jar "$jars/junit-platform-console-standalone.jar" \
        --disable-banner -cp "build:$cp" --scan-class-path >/dev/null) || rm -f "$dir/junit.jsa"
rm -rf "$work"
chmod -R a+rX "$dir"
cat "$dir/version"; echo; ls -l "$dir"
