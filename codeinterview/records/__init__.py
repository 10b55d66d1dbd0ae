"""Records: the typed schema of each stage, run identity, and streaming ndjson(.gz) io."""

from .identity import STAGES, RunIdentity, fingerprint, lineage, record_run, record_stage, upstream_run
from .io import OWNED, RecordWriter, count_lines, input_for, now, open_text, provenance, read_records, strip_fields
from .keys import KeySet, record_key, slot_key
from .schema import (EVAL_FIELDS, INTERVIEW_FIELDS, CheckReason, EvalFields, InterviewFields,
                     PromptFields, Status, stage_fields)

__all__ = ["EVAL_FIELDS", "INTERVIEW_FIELDS", "OWNED", "STAGES", "CheckReason", "EvalFields",
           "InterviewFields", "KeySet", "PromptFields", "count_lines", "RecordWriter", "RunIdentity", "Status",
           "fingerprint", "input_for", "lineage", "now", "open_text", "provenance", "read_records",
           "record_key", "record_run", "record_stage", "slot_key", "stage_fields", "strip_fields",
           "upstream_run"]
