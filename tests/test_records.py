"""ndjson records: resume, torn-line repair, no duplicates, stage checks."""

import json

import pytest

from codeinterview.errors import UserError
from codeinterview.records import RecordWriter, read_records, record_key


def rec(name, stage="interview", sample=0, **extra):
    return {"stage": stage, "suite": "s", "name": name, "language": "python", "sample": sample,
            "prompt": "p", "answer": "a", **extra}


def test_resume_skips_done_and_never_duplicates(tmp_path):
    out = tmp_path / "o.ndjson"
    with RecordWriter(out, "interview") as w:
        w.write(rec("a"))
        w.write(rec("b"))
        w.write(rec("a"))  # duplicate key: ignored
    with RecordWriter(out, "interview") as w:
        assert w.done == {"s/a/python/0", "s/b/python/0"}
        w.write(rec("b"))
        w.write(rec("c"))
    keys = [record_key(r) for r in read_records(out)]
    assert keys == ["s/a/python/0", "s/b/python/0", "s/c/python/0"]


def test_torn_last_line_is_repaired(tmp_path):
    out = tmp_path / "o.ndjson"
    out.write_text(json.dumps(rec("a")) + "\n" + json.dumps(rec("b"))[:17])
    with RecordWriter(out, "interview") as w:
        assert w.done == {"s/a/python/0"}
        w.write(rec("b"))
    lines = out.read_text().splitlines()
    assert [json.loads(line)["name"] for line in lines] == ["a", "b"]


def test_reading_skips_a_torn_last_line_but_not_a_broken_middle_line(tmp_path):
    out = tmp_path / "o.ndjson"
    out.write_text(json.dumps(rec("a")) + "\n" + '{"stage": "interv')
    assert [r["name"] for r in read_records(out)] == ["a"]
    out.write_text('{"broken\n' + json.dumps(rec("a")) + "\n")
    with pytest.raises(UserError, match=r"o.ndjson:1: not a JSON object"):
        list(read_records(out))


def test_wrong_stage_is_named(tmp_path):
    out = tmp_path / "o.ndjson"
    out.write_text(json.dumps(rec("a", stage="prepare")) + "\n")
    with pytest.raises(UserError, match=r"o.ndjson:1: this is a prepare record; this stage reads interview or eval"):
        list(read_records(out, accept=("interview", "eval")))
    with pytest.raises(UserError, match="not a interview file|not a eval file"):
        RecordWriter(out, "eval")


def test_redo_drops_records_to_do_again(tmp_path):
    out = tmp_path / "o.ndjson"
    out.write_text("".join(json.dumps(rec(n, stage="eval", status=s, checks=[])) + "\n"
                           for n, s in [("a", "pass"), ("b", "sandbox_error"), ("c", "fail")]))
    with RecordWriter(out, "eval", redo=lambda r: r["status"] == "sandbox_error") as w:
        assert w.done == {"s/a/python/0", "s/c/python/0"}
    assert [r["name"] for r in read_records(out)] == ["a", "c"]
