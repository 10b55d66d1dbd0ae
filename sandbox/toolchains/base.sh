#!/bin/sh
# The base family (python3, node). A compiled family's script runs here as
# root at build time, after its packages are installed: prebuild libraries,
# write config the runner reads.
#
# Exercises' jest: an entry point that reads V8's compiled code for jest's own
# modules (and babel's) from a cache filled here, once, by a run over a small
# exercise. The cache is root's and read-only in the image: a test run (which
# holds the answer's code) can use it, never change it; jest then starts in a
# fraction of its cold time. sandbox/runner/langs/javascript.py runs it.
set -e
dir=/opt/toolchain
mkdir -p "$dir/jest-v8-cache"
cat >"$dir/jest-main.js" <<'JS'
'use strict';
require('/usr/share/nodejs/v8-compile-cache/v8-compile-cache.js');
require('/usr/share/nodejs/jest/bin/jest.js');
JS
work=$(mktemp -d)
cat >"$work/add.js" <<'JS'
export const add = (a, b) => a + b;
JS
cat >"$work/add.spec.js" <<'JS'
import { add } from './add';

describe('add', () => {
  test('adds', () => {
    expect(add(1, 2)).toBe(3);
    expect(() => { throw new Error('x'); }).toThrow('x');
    expect([add(1, 1)]).toEqual([2]);
  });
});
JS
config='{"rootDir":"'"$work"'","testEnvironment":"node","cache":false,"watchman":false,"transform":{"\\.[cm]?js$":["/usr/share/nodejs/babel-jest",{"plugins":["/usr/share/nodejs/@babel/plugin-transform-modules-commonjs"],"babelrc":false,"configFile":false}]},"transformIgnorePatterns":["/node_modules/","^/usr/share/nodejs/"]}'
(cd "$work" && V8_COMPILE_CACHE_CACHE_DIR="$dir/jest-v8-cache" NODE_PATH=/usr/share/nodejs \
    node "$dir/jest-main.js" --config "$config" --ci --runInBand --json --outputFile "$work/report.json" \
    --runTestsByPath add.spec.js >/dev/null 2>&1)
grep -q '"numPassedTests":1' "$work/report.json"
rm -rf "$work"
ls "$dir/jest-v8-cache" | grep -q BLOB
chmod -R a+rX,go-w "$dir"
