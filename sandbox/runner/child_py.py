"""Untrusted side, Python: loads one answer in this fresh process and serves calls.

    child_py.py function IN_FD OUT_FD PATH NAME LIMITS_JSON
    child_py.py program  OUT_FD PATH LIMITS_JSON

Messages go to the daemon over the private pipes IN_FD/OUT_FD (JSON lines);
the answer's own stdout/stderr are separate pipes the daemon caps. Whatever the
answer does here can only change its own outcome: the daemon decides status,
timeouts and taint.
"""

import os
import sys
from typing import Any

# Imported lazily: a program job pays only for what it uses (startup time is
# most of the cost of grading a short program).
_dumps: Any = None  # bound by _setup(), after the rlimits: json and the codec load late
_loads: Any = None
_encode: Any = None
_decode: Any = None


def load_protocol():
    """json and the codec, bound before the answer runs so patching them changes nothing here."""
    global _dumps, _loads, _encode, _decode
    import json

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    try:
        import codec
    finally:
        del sys.path[0]
    _dumps, _loads, _encode, _decode = json.dumps, json.loads, codec.encode, codec.decode


def harden(limits):
    """Make this process the OOM killer's first choice; apply rlimits ("NAME=value,...")."""
    try:
        with open("/proc/self/oom_score_adj", "w") as fh:
            fh.write("1000")
    except OSError:
        pass
    if not limits:
        return
    import resource

    for item in limits.split(","):  # e.g. RLIMIT_AS=536870912 in the process backend
        name, _, value = item.partition("=")
        try:
            resource.setrlimit(getattr(resource, name), (int(value), int(value)))
        except (AttributeError, ValueError, OSError):
            pass


MAX_REPLY = 15 << 20  # bytes; the daemon refuses a reply over 16 MiB


def send(fd, obj):
    data = (_dumps(obj) + "\n").encode()
    if len(data) > MAX_REPLY and "ok" in obj:
        data = (_dumps({"error": {"type": "ValueTooLarge", "traceback": "", "message":
                                  "the value is too large to return (%d bytes of JSON)" % len(data)}})
                + "\n").encode()
    while data:
        data = data[os.write(fd, data):]


def skip_own_frames(tb):
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return tb


def flush_output():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


def safe_str(value, cap):
    """str(value) cut to `cap`, whatever the answer's __str__ does."""
    try:
        text = str(value)
        return str.__str__(text)[:cap] if isinstance(text, str) else "<unprintable>"
    except BaseException as exc:
        return "<unprintable: %s>" % type(exc).__name__


def error_info(exc):
    import traceback

    try:
        lines = traceback.format_exception(type(exc), exc, skip_own_frames(exc.__traceback__))
        tb = "".join(lines[-6:])[-2000:]
    except BaseException:
        tb = ""
    return {
        "type": safe_str(type(exc).__name__, 200),
        "message": safe_str(exc, 2000),
        "traceback": tb,
    }


def syntax_info(exc):
    return {"type": type(exc).__name__, "message": "%s: %s" % (type(exc).__name__, exc.msg),
            "line": exc.lineno}


def find_function(namespace, name):
    """The function the Signature names; else the last top-level one (fallback)."""
    import inspect

    target = namespace.get(name) if name else None
    if callable(target):
        return target, False
    defined = [v for k, v in namespace.items()
               if inspect.isfunction(v) and getattr(v, "__module__", None) == "answer"]
    return (defined[-1], True) if defined else (None, True)


def describe(fn):
    import inspect

    try:
        params = [p.name for p in inspect.signature(fn).parameters.values()]
    except Exception:  # a callable object with a hostile __signature__
        params = []
    try:
        name = getattr(fn, "__name__", "?")
    except BaseException:
        name = "?"
    return {"name": safe_str(name, 200), "args": [safe_str(p, 200) for p in params[:100]]}


def run_function(in_fd, out_fd, path, name):
    import types

    with open(path, encoding="utf-8", errors="replace") as fh:
        source = fh.read()
    try:
        code = compile(source, "answer.py", "exec")
    except (SyntaxError, ValueError) as exc:
        info = syntax_info(exc) if isinstance(exc, SyntaxError) else error_info(exc)
        send(out_fd, {"event": "loaded", "status": "syntax_error", "error": info})
        return
    module = types.ModuleType("answer")
    module.__file__ = path
    sys.modules["answer"] = module
    try:
        exec(code, module.__dict__)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt too: loading failed
        flush_output()
        send(out_fd, {"event": "loaded", "status": "runtime_error", "error": error_info(exc)})
        return
    fn, fallback = find_function(module.__dict__, name)
    if fn is None:
        flush_output()
        send(out_fd, {"event": "loaded", "status": "no_function", "function": None})
        return
    info = describe(fn)
    info["fallback"] = fallback
    flush_output()
    send(out_fd, {"event": "loaded", "status": "no_function" if fallback else "ok",
                  "function": info})
    serve_calls(in_fd, out_fd, fn)


def serve_calls(in_fd, out_fd, fn):
    reader = os.fdopen(in_fd, "rb", buffering=0)
    buf = b""
    while True:
        while b"\n" not in buf:
            chunk = reader.read(65536)
            if not chunk:
                return  # daemon closed the channel: job over
            buf += chunk
        line, buf = buf.split(b"\n", 1)
        try:
            args = _decode(_loads(line)["args"])
            reply = {"ok": _encode(fn(*args))}
        except BaseException as exc:
            reply = {"error": error_info(exc)}
        flush_output()  # the daemon kills us at the end; buffered prints would be lost
        try:
            send(out_fd, reply)
        except (TypeError, ValueError) as exc:
            send(out_fd, {"error": error_info(exc)})


def run_program(out_fd, path):
    with open(path, "rb") as fh:
        source = fh.read()
    try:
        code = compile(source, path, "exec")
    except (SyntaxError, ValueError) as exc:
        load_protocol()
        info = syntax_info(exc) if isinstance(exc, SyntaxError) else error_info(exc)
        send(out_fd, {"event": "syntax_error", "error": info})
        sys.exit(1)
    os.close(out_fd)
    sys.argv = [path]
    sys.path.insert(0, os.path.dirname(path))

    def hook(etype, value, tb):  # hide this wrapper's frames, as if run as `python3 prog.py`
        tb = skip_own_frames(tb)
        sys.__excepthook__(etype, value.with_traceback(tb), tb)

    sys.excepthook = hook
    main = {"__name__": "__main__", "__file__": path, "__builtins__": __builtins__}
    exec(code, main)


def main():
    mode = sys.argv[1]
    if mode == "function":
        in_fd, out_fd, path, name, limits = sys.argv[2:7]
        load_protocol()
        harden(limits)
        run_function(int(in_fd), int(out_fd), path, name)
    elif mode == "pytest":  # an exercise's tests: pytest (preloaded by the daemon we forked from)
        harden(sys.argv[2])
        import pytest

        sys.exit(int(pytest.main(sys.argv[3:])))
    else:
        out_fd, path, limits = sys.argv[2:5]
        harden(limits)
        run_program(int(out_fd), path)


if __name__ == "__main__":
    main()
