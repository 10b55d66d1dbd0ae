#!/bin/sh
# The java family: OpenJDK 17 from Debian. Runs as root at image build (no network).
# Writes what the runner reads (sandbox/runner/langs/java.py): the version, part
# of the compile cache's key, and a class-data-sharing archive of javac's own
# classes, dumped while compiling a small program (javac then starts ~2x faster).
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
rm -rf "$work"
chmod -R a+rX "$dir"
cat "$dir/version"; echo; ls -l "$dir"
