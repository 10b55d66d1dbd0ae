"""ndjson(.gz) records: resume, torn-line repair, no duplicates, stage checks,
run identity in keys, the key set, the typed schema."""

import gzip
import json

import pytest

from codeinterview.errors import UserError
from codeinterview.records import (EvalFields, InterviewFields, KeySet, RecordWriter, RunIdentity, Status,
                                   read_records, record_key, stage_fields)

pytestmark = pytest.mark.fast  # no Docker engine, no server, no model


def done(writer, *names):
    """Whether exactly these names' keys (of rec()) count as done."""
    return all(record_key(rec(n)) in writer.done for n in names) and len(writer.done) == len(names)


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
        assert done(w, "a", "b")
        assert not w.write(rec("b"))
        assert w.write(rec("c"))
    keys = [record_key(r) for r in read_records(out)]
    assert keys == [record_key(rec(n)) for n in "abc"] and keys[0].endswith("|s/a/python/0")


def test_torn_last_line_is_repaired(tmp_path):
    out = tmp_path / "o.ndjson"
    out.write_text(json.dumps(rec("a")) + "\n" + json.dumps(rec("b"))[:17])
    with RecordWriter(out, "interview") as w:
        assert done(w, "a")
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
        assert all(record_key(rec(n, stage="eval")) in w.done for n in "ac")
        assert record_key(rec("b", stage="eval")) not in w.done and len(w.done) == 2
    assert [r["name"] for r in read_records(out)] == ["a", "c"]


def test_the_key_holds_the_run_so_two_models_answers_are_two_records(tmp_path):
    # can-ai-code files carry no run id: the run comes from their provenance (the model)
    first, second = rec("a", model="gpt-4o-mini"), rec("a", model="o4-mini")
    assert record_key(first) != record_key(second)
    out = tmp_path / "o.ndjson"
    with RecordWriter(out, "interview") as w:
        assert w.write(first) and w.write(second) and not w.write(dict(first))
    assert [r["model"] for r in read_records(out)] == ["gpt-4o-mini", "o4-mini"]


def test_a_resume_into_another_runs_file_names_what_differs(tmp_path):
    out = tmp_path / "o.ndjson"
    config = {"executor": "openai", "model": "gpt-4o-mini", "params_name": "greedy",
              "params": {"temperature": 0.0}}
    first = RunIdentity("interview", config)
    with RecordWriter(out, "interview", run=first) as w:
        w.write(first.stamp({**rec("a"), **config}, rec("a")))
    again = RunIdentity("interview", dict(config))
    with RecordWriter(out, "interview", run=again) as w:  # the same config resumes the same run
        assert w.resumed == 1 and again.id == first.id
        assert again.key_of(rec("a"), "s/a/python/0") in w.done
    other = RunIdentity("interview", {**config, "model": "o4-mini", "params": {"temperature": 0.5}})
    with pytest.raises(UserError) as info:
        RecordWriter(out, "interview", run=other)
    message = str(info.value)
    assert f"{out}:1: this file holds another run's records" in message
    assert 'model "gpt-4o-mini" -> "o4-mini"' in message and "params.temperature 0.0 -> 0.5" in message
    assert "--output" in message and first.id in message and other.fingerprint in message


def test_two_runs_of_one_config_are_two_runs(tmp_path):
    # the same model sampled twice into two files: pooled by a report, never merged into one run
    runs = [RunIdentity("interview", {"model": "m"}) for _ in range(2)]
    for i, run in enumerate(runs):
        with RecordWriter(tmp_path / f"{i}.ndjson", "interview", run=run):
            pass
    assert runs[0].fingerprint == runs[1].fingerprint and runs[0].id != runs[1].id


def test_stamp_keeps_the_lineage_and_the_upstream_run_splits_keys():
    prepare = RunIdentity("prepare", {"template": "t"}, instance="aaaaaa")
    prompt = prepare.stamp(rec("a", stage="prepare"), {})
    interview = RunIdentity("interview", {"model": "m"}, instance="bbbbbb")
    answer = interview.stamp({**prompt, "stage": "interview", "answer": "x"}, prompt)
    assert answer["runs"] == {"prepare": prompt["run"], "interview": answer["run"]} and answer["run"] == interview.id
    assert record_key(answer) == interview.key_of(prompt, "s/a/python/0")
    # one grading run over two models' answers keeps both
    grading = RunIdentity("eval", {"grading": {}}, instance="cccccc")
    graded = [grading.stamp({**rec("a", model=m), "stage": "eval", "status": "pass", "checks": []}, rec("a", model=m))
              for m in ("m1", "m2")]
    assert graded[0]["run"] == graded[1]["run"] and record_key(graded[0]) != record_key(graded[1])


def test_gzip_files_read_write_resume_and_repair_a_cut_stream(tmp_path):
    out = tmp_path / "o.ndjson.gz"
    with RecordWriter(out, "interview") as w:
        for name in "ab":
            w.write(rec(name))
    assert out.read_bytes()[:2] == b"\x1f\x8b"
    with RecordWriter(out, "interview") as w:  # appends a second gzip member
        assert done(w, "a", "b")
        w.write(rec("c"))
    assert [r["name"] for r in read_records(out)] == ["a", "b", "c"]
    data = out.read_bytes()
    out.write_bytes(data[:-7])  # a kill in the middle of the last member
    with RecordWriter(out, "interview") as w:
        w.write(rec("d"))
    names = [r["name"] for r in read_records(out)]
    assert names[:2] == ["a", "b"] and names[-1] == "d" and len(names) == len(set(names))
    with gzip.open(out, "rb") as handle:  # a whole, valid gzip file again
        assert handle.read().count(b"\n") == len(names)


def test_key_set_membership_across_merges():
    keys = KeySet()
    keys.MERGE_EVERY = 100  # merge often: membership must hold in both halves
    for i in range(1050):
        keys.add(f"run|s/q{i}/python/0")
    assert all(f"run|s/q{i}/python/0" in keys for i in range(1050))
    assert not any(f"run|s/q{i}/python/1" in keys for i in range(1050))
    for i in range(0, 1050, 3):  # added again after their merge: still one each
        keys.add(f"run|s/q{i}/python/0")
    assert len(keys) == 1050


def test_stage_fields_refuse_what_the_schema_does_not_declare():
    base = {"sample": 0, "answer": "x", "executor": "e", "model": "m", "params": {}, "params_name": "p",
            "interviewed_at": "t"}
    assert stage_fields(InterviewFields, base)["answer"] == "x"
    with pytest.raises(TypeError):
        stage_fields(InterviewFields, {**base, "grader": "old"})
    graded = {"code": None, "checks": [], "status": "pass", "passed": 1, "total": 1, "score": 1.0,
              "evaluated_at": "t", "grading": {}}
    assert stage_fields(EvalFields, graded)["status"] == "pass" == Status.PASS
    with pytest.raises(ValueError):
        stage_fields(EvalFields, {**graded, "status": "not run"})


def test_a_file_named_gz_that_is_not_gzip_is_an_error_not_a_cut(tmp_path):
    out = tmp_path / "o.ndjson.gz"
    out.write_text(json.dumps(rec("a")) + "\n")
    with pytest.raises(UserError, match="not valid gzip data"):
        list(read_records(out))
    with pytest.raises(UserError, match="not valid gzip data"):
        RecordWriter(out, "interview")
    assert json.loads(out.read_text())["name"] == "a"  # left as it was


def test_the_feedback_journal_repairs_a_torn_line_as_outputs_do(tmp_path):
    from codeinterview.feedback.journal import Journal

    path = tmp_path / "out.attempts.ndjson"
    whole = json.dumps({"key": "t/Add/python/0", "fingerprint": "f", "attempt": {"attempt": 1, "status": "fail"}})
    path.write_text(whole + "\n" + '{"key": "t/Add/python/0", "fingerp')   # killed mid-write
    journal = Journal(path, "f", fresh=False)
    assert journal.done("run.1|t/Add/python/0") == [{"attempt": 1, "status": "fail"}]
    journal.append("run.1|t/Add/python/0", {"attempt": 2, "status": "pass"})
    journal.close()
    lines = path.read_text().splitlines()
    assert lines[0] == whole and json.loads(lines[1])["attempt"] == {"attempt": 2, "status": "pass"}
    assert len(lines) == 2
    path.write_text(whole + "\n{not json}\n")   # a broken line that is not the last: refused, not skipped
    with pytest.raises(UserError, match=r"out.attempts.ndjson:2: malformed journal line"):
        Journal(path, "f", fresh=False)
