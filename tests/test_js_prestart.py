"""The runner starts the next JavaScript job's node ahead, while idle (children.Warm):
the job still gets a fresh process with its own work dir, environment and session,
and the waiting node never runs beside answer code or outlives a tainted job."""

from __future__ import annotations

import json
import time

from conftest_sandbox import PID_SCAN, assert_honest_passes, job

# What the process a JavaScript job runs in sees of itself.
SELF = r"""
const fs = require('fs');
// its process group and session, asked of the kernel by a child (the native root has no /proc)
const ids = require('child_process').execFileSync('python3', ['-c',
  'import os, sys; p = int(sys.argv[1]); print(os.getpgid(p), os.getsid(p))', String(process.pid)],
  {encoding: 'utf8'}).trim().split(' ');
console.log(JSON.stringify({uptime: process.uptime(), pid: process.pid, pgrp: Number(ids[0]),
  session: Number(ids[1]), cwd: process.cwd(), env: process.env, files: fs.readdirSync('.'),
  os_home: require('os').homedir(), os_tmp: require('os').tmpdir()}));
"""


def seen(sb, language="javascript", code=SELF):
    res = sb.run(job(language, code, kind="program"))
    assert res.status == "ok", res
    return json.loads(res.stdout.strip().splitlines()[-1]), res


def test_a_javascript_job_finds_a_node_started_ahead_and_it_is_the_jobs_own(solo_pool):
    first, _ = seen(solo_pool)
    time.sleep(1.0)  # idle: the next node has started and waits
    second, res = seen(solo_pool)
    assert second["uptime"] > 0.8 > first["uptime"], (first["uptime"], second["uptime"])
    assert not res.replaced
    for me in (first, second):
        assert me["cwd"].startswith("/work/job-") and me["files"] == ["prog.js"]
        assert me["env"] == {"PATH": me["env"]["PATH"], "LANG": "C.UTF-8", "HOME": me["cwd"],
                             "TMPDIR": me["cwd"], "PYTHONDONTWRITEBYTECODE": "1"}
        assert me["os_home"] == me["os_tmp"] == me["cwd"]
        assert me["pgrp"] == me["session"] == me["pid"]  # its own session: one killpg ends the job
    assert first["cwd"] != second["cwd"]


def test_function_jobs_run_in_the_node_started_ahead(solo_pool):
    assert_honest_passes(solo_pool, "javascript")
    time.sleep(0.5)
    uptime = job("javascript", "function up() { return process.uptime(); }", [("u", "f.call()")], function="up")
    res = solo_pool.run(uptime)
    assert res.status == "ok" and res.checks[0].value > 0.4, res
    assert_honest_passes(solo_pool, "javascript")


def test_the_waiting_node_never_runs_beside_another_languages_answer(solo_pool):
    seen(solo_pool)  # leaves a node waiting
    time.sleep(0.5)
    res = solo_pool.run(job("python", PID_SCAN, kind="program"))
    assert res.status == "ok", res
    assert "pids []" in res.stdout, res.stdout


def test_a_tainted_javascript_job_takes_its_waiting_node_with_it(solo_pool):
    seen(solo_pool)
    stray = ("const { spawn } = require('child_process');\n"
             "spawn('sleep', ['30'], { detached: true, stdio: 'ignore' }).unref();\n")
    res = solo_pool.run(job("javascript", stray, kind="program"))
    assert res.replaced, res  # the stray tainted the worker: a fresh container next
    after, res = seen(solo_pool)
    assert after["uptime"] < 0.8 and not res.replaced
    assert_honest_passes(solo_pool, "javascript")


def test_output_and_files_of_one_job_never_reach_the_next(solo_pool):
    noisy = ("require('fs').writeFileSync('left.txt', 'x');\n"
             "console.log('first job says hi'); console.error('and warns');\n")
    res = solo_pool.run(job("javascript", noisy, kind="program"))
    assert res.status == "ok" and "first job" in res.stdout
    time.sleep(0.3)
    me, res = seen(solo_pool)
    assert me["files"] == ["prog.js"] and "first job" not in res.stdout and res.stderr.strip() == ""
