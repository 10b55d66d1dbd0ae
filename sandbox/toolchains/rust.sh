#!/bin/sh
# The rust family: Debian's rustc 1.63 and the crates HumanEval-X's programs
# use (rand, regex, md5), built ONCE here with cargo, offline, from Debian's
# crate directory (/usr/share/cargo/registry). Each program is then compiled
# by rustc alone against these rlibs (sandbox/runner/langs/rust.py reads
# /opt/toolchain/rust/flags and version). Runs as root at build time, no network.
set -e
dir=/opt/toolchain/rust
build=$(mktemp -d)
mkdir -p "$dir/deps" "$dir/cargo" "$build/src"
# cargo's home: offline, Debian's crates (also what exercises' test runs copy, langs/rust.py)
cat >"$dir/cargo/config.toml" <<'TOML'
[source.crates-io]
replace-with = "debian"
[source.debian]
directory = "/usr/share/cargo/registry"
[net]
offline = true
TOML
cat >"$build/Cargo.toml" <<'TOML'
[package]
name = "codeinterview-deps"
version = "0.0.0"
edition = "2021"

[dependencies]
rand = "0.8"
regex = "1"
md5 = "0.7"

[profile.release]
debug = false
incremental = false
TOML
echo 'pub use {md5, rand, regex};' >"$build/src/lib.rs"
(cd "$build" && CARGO_HOME="$dir/cargo" cargo build --release --offline --quiet)
cp "$build"/target/release/deps/*.rlib "$dir/deps/"
# --extern for each crate the programs name; -L for what those depend on
flags="-L dependency=$dir/deps"
for crate in rand regex md5; do
    rlib=$(ls "$dir"/deps/lib"$crate"-*.rlib | head -n 1)
    [ -f "$rlib" ] || { echo "no rlib built for $crate" >&2; exit 1; }
    flags="$flags --extern $crate=$rlib"
done
printf '%s\n' "$flags" >"$dir/flags"
rustc --version >"$dir/version"
# rustc finds its sysroot only through /proc/self/exe (even given --sysroot), and the
# native root has no /proc: it holds this link instead (codeinterview/sandbox/native_root.py)
readlink -f "$(command -v rustc)" >/opt/toolchain/self-exe
rm -rf "$build"
# a smoke test: the composition's crates link and a test harness runs
smoke=$(mktemp -d)
cat >"$smoke/t.rs" <<'RUST'
use rand::Rng;
use regex::Regex;
fn main(){}
#[test]
fn crates() {
    let n: u32 = rand::thread_rng().gen_range(0..10);
    assert!(n < 10);
    assert!(Regex::new(r"^a+$").unwrap().is_match("aaa"));
    assert_eq!(format!("{:x}", md5::compute(b"")), "d41d8cd98f00b204e9800998ecf8427e");
}
RUST
(cd "$smoke" && rustc --edition 2021 --test -A warnings $flags t.rs -o t && ./t --test-threads=1 >/dev/null)
rm -rf "$smoke"
# Exercises (aider's polyglot): cargo, offline, from Debian's crate directory; the crates
# their Cargo.toml files declare, built once here for the test profile. A test run
# starts from a copy of this target directory (sandbox/runner/langs/rust.py).
mkdir -p "$dir/exercise/src"
cat >"$dir/exercise/Cargo.toml" <<'TOML'
[package]
name = "exercise"
version = "0.0.0"
edition = "2021"

[dependencies]
time = "0.3"
anyhow = "1.0"
rand = "0.8"
TOML
echo 'pub use {anyhow, rand, time};' >"$dir/exercise/src/lib.rs"
# the runner's profile (langs/rust.py CARGO_PROFILE): no debug info, not incremental
(cd "$dir/exercise" && CARGO_HOME="$dir/cargo" CARGO_TARGET_DIR="$dir/exercise-target" \
    CARGO_PROFILE_DEV_DEBUG=0 CARGO_PROFILE_TEST_DEBUG=0 CARGO_INCREMENTAL=0 \
    cargo test --offline --quiet --no-run)
rm -rf "$dir/exercise-target/debug/incremental" "$dir/exercise-target/debug/deps/exercise-"* \
    "$dir/exercise-target/debug/deps/libexercise-"* "$dir/exercise-target/debug/.fingerprint/exercise-"*
rm -f "$dir/cargo/.package-cache"
chmod -R a+rX "$dir"
cat "$dir/version" "$dir/flags"; ls -l "$dir/deps"
