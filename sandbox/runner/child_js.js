// Untrusted side, JavaScript: loads one answer in this fresh process and serves calls.
//
//   node child_js.js function IN_FD OUT_FD PATH NAME
//   node child_js.js program PATH
//   node child_js.js wait CTRL_FD IN_FD OUT_FD   (started ahead by the daemon: one JSON line
//        on CTRL_FD, {mode, path, name, dir, env}, then as `function` or `program` above)
//
// Same protocol as child_py.py (JSON lines on private pipes, tagged values).
'use strict';
const fs = require('fs');
const vm = require('vm');
const Module = require('module');

try { fs.writeFileSync('/proc/self/oom_score_adj', '1000'); } catch (e) { /* not Linux */ }

const IDENT = /^[A-Za-z_$][\w$]*$/;
const stringify = JSON.stringify, parse = JSON.parse;  // ours, even if the answer patches JSON

const MAX_REPLY = 15 << 20;  // bytes; the daemon refuses a reply over 16 MiB
const MAX_VALUES = 1 << 20, MAX_CHARS = 12 << 20, MAX_DEPTH = 100, REPR_CAP = 1000;

function send(fd, obj) {
  let data = Buffer.from(stringify(obj) + '\n');
  if (data.length > MAX_REPLY && obj.ok !== undefined) {
    data = Buffer.from(stringify({ error: { type: 'ValueTooLarge', traceback: '',
      message: `the value is too large to return (${data.length} bytes of JSON)` } }) + '\n');
  }
  let off = 0;
  while (off < data.length) off += fs.writeSync(fd, data, off);
}

function safeString(x, cap = REPR_CAP) {
  try {
    if (typeof x === 'function') return Function.prototype.toString.call(x).slice(0, cap);
    return String(x).slice(0, cap);
  } catch (e) {
    try { return Object.prototype.toString.call(x).slice(0, cap); } catch (e2) { return '<unprintable>'; }
  }
}

class ValueTooLarge extends Error {
  constructor(what) { super(`the value is too large to return (over ${what})`); this.name = 'ValueTooLarge'; }
}

// Tagged JSON, as codec.py reads it. Throws only ValueTooLarge: a getter or proxy
// trap that throws makes that part a $repr; cycles are marked, shared sub-values
// encoded once (their size still counts), sizes are budgeted.
function encode(value) {
  const state = { values: MAX_VALUES, chars: MAX_CHARS, path: new Set(), done: new Map() };
  const items = (n) => { if ((state.values -= n) < 0) throw new ValueTooLarge(`${MAX_VALUES} items`); };
  const text = (n) => { if ((state.chars -= n) < 0) throw new ValueTooLarge(`${MAX_CHARS} characters`); };
  const setKey = (out, k, x) => {
    if (k === '__proto__') Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
    else out[k] = x;
  };

  function leaf(v) {
    if (v === undefined || v === null) return null;
    const t = typeof v;
    if (t === 'boolean') return v;
    if (t === 'string') { text(v.length); return v; }
    if (t === 'number') {
      if (Number.isFinite(v)) return Object.is(v, -0) ? 0 : v;
      return { $float: Number.isNaN(v) ? 'nan' : (v > 0 ? 'inf' : '-inf') };
    }
    if (t === 'bigint') {
      const hex = v < 0n ? '-0x' + (-v).toString(16) : '0x' + v.toString(16);
      text(hex.length);
      return { $int: hex };
    }
    if (t !== 'object') return { $repr: safeString(v) };  // symbol, function
    return undefined;  // an object: not a leaf
  }

  function walk(v, depth) {
    const l = leaf(v);
    if (l !== undefined) return l;
    if (depth >= MAX_DEPTH) return { $repr: `<${Array.isArray(v) ? 'Array' : 'object'} nested too deeply>` };
    if (state.path.has(v)) return { $repr: '<cycle>' };
    const done = state.done.get(v);
    if (done && done[0] === depth) { items(done[2]); text(done[3]); return done[1]; }
    const values = state.values, chars = state.chars;
    state.path.add(v);
    let out;
    try {
      out = container(v, depth + 1);
    } catch (e) {
      if (e instanceof ValueTooLarge) throw e;
      out = { $repr: `<unrepresentable: ${safeString(e && e.name, 100)}>` };
    } finally {
      state.path.delete(v);
    }
    state.done.set(v, [depth, out, values - state.values, chars - state.chars]);
    return out;
  }

  function container(v, d) {
    if (Array.isArray(v)) {
      const n = v.length;
      items(n);
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = walk(v[i], d);
      return out;
    }
    if (ArrayBuffer.isView(v)) {
      items(v.length >>> 0);
      return Array.from(v, (x) => walk(x, d));
    }
    if (v instanceof Set) { items(v.size); return { $set: Array.from(v, (x) => walk(x, d)) }; }
    if (v instanceof Map) { items(2 * v.size); return { $dict: Array.from(v, ([k, x]) => [walk(k, d), walk(x, d)]) }; }
    if (v instanceof Date) return { $repr: isNaN(v) ? 'Invalid Date' : v.toISOString() };
    if (v instanceof Error || v instanceof RegExp || v instanceof Promise || v instanceof WeakMap ||
        v instanceof WeakSet) return { $repr: safeString(v) };
    const keys = Object.keys(v);  // plain objects and class instances: own enumerable props, as JSON does
    items(keys.length);
    if (keys.length === 1 && keys[0].startsWith('$')) {
      text(keys[0].length);
      return { $dict: [[keys[0], field(v, keys[0], d)]] };
    }
    const out = {};
    for (const k of keys) { text(k.length); setKey(out, k, field(v, k, d)); }
    return out;
  }

  function field(v, k, d) {
    let x;
    try { x = v[k]; } catch (e) { return { $repr: `<getter threw ${safeString(e && e.name, 100)}>` }; }
    return walk(x, d);
  }

  return walk(value, 0);
}

function decode(v) {
  if (Array.isArray(v)) return v.map(decode);
  if (v === null || typeof v !== 'object') return v;
  const keys = Object.keys(v);
  if (keys.length === 1) {
    const [k] = keys, x = v[k];
    if (k === '$tuple') return x.map(decode);
    if (k === '$set') return new Set(x.map(decode));
    if (k === '$dict') {
      const pairs = x.map(([a, b]) => [decode(a), decode(b)]);
      return pairs.every(([a]) => typeof a === 'string') ? Object.fromEntries(pairs) : new Map(pairs);
    }
    if (k === '$float') return Number(x === 'nan' ? NaN : x === 'inf' ? Infinity : -Infinity);
    if (k === '$int') return Number(x.startsWith('-') ? -BigInt(x.slice(1)) : BigInt(x));
    if (k === '$bytes') return Buffer.from(x, 'base64');
    if (k === '$complex') return x.map(decode);
    if (k === '$repr') return String(x);
  }
  return Object.fromEntries(keys.map((k) => [k, decode(v[k])]));  // "__proto__" stays a key
}

function errorInfo(e) {
  let isErr = false, stack = [], name = typeof e, message;
  try { isErr = e instanceof Error; } catch (x) { /* a revoked proxy */ }
  try { if (isErr && typeof e.stack === 'string') stack = e.stack.split('\n'); } catch (x) { /* getter */ }
  try { if (isErr) name = e.name; } catch (x) { /* getter */ }
  try { message = isErr ? e.message : e; } catch (x) { message = '<message getter threw>'; }
  return {
    type: safeString(name, 200),
    message: safeString(message, 2000),
    traceback: stack.slice(0, 6).join('\n').slice(0, 2000),
  };
}

// Split a parameter list at top-level commas (skipping brackets and strings).
function splitParams(text) {
  const parts = [];
  let depth = 0, cur = '', quote = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) { cur += c; if (c === '\\') { cur += text[++i] || ''; } else if (c === quote) quote = null; continue; }
    if (c === '"' || c === "'" || c === '`') { quote = c; cur += c; continue; }
    if ('([{'.includes(c)) depth++;
    if (')]}'.includes(c)) depth--;
    if (c === ',' && depth === 0) { parts.push(cur); cur = ''; continue; }
    cur += c;
  }
  if (cur.trim()) parts.push(cur);
  return parts.map((p) => p.trim()).filter(Boolean);
}

function paramName(p) {
  let depth = 0;
  for (let i = 0; i < p.length; i++) {  // cut a default value at the top-level '='
    const c = p[i];
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === '=' && depth === 0 && p[i + 1] !== '>') { p = p.slice(0, i); break; }
  }
  return p.replace(/^\.\.\./, '').trim();
}

// Best-effort parameter names from the function's own source text.
function paramsOf(fn) {
  let src;
  try { src = Function.prototype.toString.call(fn); } catch (e) { return []; }
  src = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  let start = src.indexOf('(');
  const arrow = src.indexOf('=>');
  if (arrow !== -1 && (start === -1 || arrow < start)) {  // x => ...
    const m = src.slice(0, arrow).match(/([A-Za-z_$][\w$]*)\s*$/);
    return m ? [m[1]] : [];
  }
  if (start === -1) return [];
  let depth = 0, end = start;
  for (; end < src.length; end++) {
    if (src[end] === '(') depth++;
    else if (src[end] === ')' && --depth === 0) break;
  }
  return splitParams(src.slice(start + 1, end)).map(paramName);
}

function lookupGlobal(name) {
  if (!IDENT.test(name)) return undefined;
  try {
    return vm.runInThisContext(`typeof ${name} === 'function' ? ${name} : undefined`);
  } catch (e) { return undefined; }
}

function findFunction(source, name, exported) {
  let fn = lookupGlobal(name);
  if (typeof fn !== 'function' && exported) {
    if (typeof exported === 'function' && exported.name === name) fn = exported;
    else if (typeof exported === 'object' && typeof exported[name] === 'function') fn = exported[name];
  }
  if (typeof fn === 'function') return [fn, false];
  // Fallback: the last top-level function the answer defines (column-0 declarations).
  const found = [];
  const decl = /^(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)|^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=/gm;
  let m;
  while ((m = decl.exec(source)) !== null) {
    const f = lookupGlobal(m[1] || m[2]);
    if (typeof f === 'function') found.push([m.index, f]);
  }
  if (typeof exported === 'function') found.push([Infinity, exported]);
  found.sort((a, b) => a[0] - b[0]);
  return found.length ? [found[found.length - 1][1], true] : [null, true];
}

function readLines(fd, onLine) {
  const buf = Buffer.alloc(65536);
  let pending = '';
  return async function loop() {
    for (;;) {
      let n;
      try { n = fs.readSync(fd, buf, 0, buf.length, null); } catch (e) { if (e.code === 'EAGAIN') continue; throw e; }
      if (n === 0) return;
      pending += buf.toString('utf8', 0, n);
      let i;
      while ((i = pending.indexOf('\n')) !== -1) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 1);
        await onLine(line);
      }
    }
  };
}

async function runFunction(inFd, outFd, path, name) {
  let source = fs.readFileSync(path, 'utf8');
  // ES module syntax cannot run as a script; answers often add `export` anyway.
  source = source.replace(/^export\s+default\s+(?=(?:async\s+)?function|class)/gm, '')
                 .replace(/^export\s+(?=(?:async\s+)?function|const|let|var|class)/gm, '');
  const mod = { exports: {} };
  Object.assign(globalThis, { require, module: mod, exports: mod.exports });
  let script;
  try {
    script = new vm.Script(source, { filename: 'answer.js' });
  } catch (e) {
    const m = typeof e.stack === 'string' && e.stack.match(/answer\.js:(\d+)/);
    send(outFd, { event: 'loaded', status: 'syntax_error',
                  error: { type: String(e.name), message: `${e.name}: ${e.message}`, line: m ? Number(m[1]) : null } });
    return;
  }
  try {
    script.runInThisContext();
  } catch (e) {
    send(outFd, { event: 'loaded', status: 'runtime_error', error: errorInfo(e) });
    return;
  }
  const [fn, fallback] = findFunction(source, name, mod.exports);
  if (!fn) {
    send(outFd, { event: 'loaded', status: 'no_function', function: null });
    return;
  }
  send(outFd, { event: 'loaded', status: fallback ? 'no_function' : 'ok',
                function: { name: safeString(fn.name || name, 200), args: paramsOf(fn).slice(0, 100), fallback } });
  await readLines(inFd, async (line) => {
    let reply;
    try {
      let value = fn(...decode(parse(line).args));
      if (value && typeof value.then === 'function') value = await value;
      reply = { ok: encode(value) };
    } catch (e) {
      reply = { error: errorInfo(e) };
    }
    send(outFd, reply);
  })();
  process.exit(0);
}

// The job, for a node started ahead: one line on the control pipe (blocking: nothing else runs yet).
function readJob(fd) {
  const buf = Buffer.alloc(65536);
  let text = '';
  for (;;) {
    let n;
    try { n = fs.readSync(fd, buf, 0, buf.length, null); } catch (e) { if (e.code === 'EAGAIN') continue; throw e; }
    if (n === 0) process.exit(0);  // the daemon discarded us
    text += buf.toString('utf8', 0, n);
    const i = text.indexOf('\n');
    if (i !== -1) { fs.closeSync(fd); return parse(text.slice(0, i)); }
  }
}

// Become the fresh process the job would have started: its work dir and exactly its environment.
function takeJob(ctrlFd, inFd, outFd) {
  const job = readJob(ctrlFd);
  process.chdir(job.dir);
  for (const k of Object.keys(process.env)) delete process.env[k];
  Object.assign(process.env, job.env);
  if (job.mode === 'function') return ['function', String(inFd), String(outFd), job.path, job.name];
  fs.closeSync(inFd);
  fs.closeSync(outFd);
  return ['program', job.path];
}

function main() {
  let [mode, ...rest] = process.argv.slice(2);
  if (mode === 'wait') [mode, ...rest] = takeJob(...rest.map(Number));
  if (mode === 'function') {
    const [inFd, outFd, path, name] = rest;
    runFunction(Number(inFd), Number(outFd), path, name).catch((e) => {
      process.stderr.write(String(e && e.stack || e));
      process.exit(70);
    });
  } else {
    process.argv = [process.argv[0], rest[0]];  // run as `node prog.js` would
    Module.runMain();
  }
}

main();
