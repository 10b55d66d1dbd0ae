"""Records: the typed schema of each stage, run identity, and streaming ndjson(.gz) io."""

from .io import (EVAL_FIELDS, INTERVIEW_FIELDS, STAGES, RecordWriter, now, open_text, provenance,
                 read_records, record_key, record_stage, slot_key, strip_fields)

__all__ = ["EVAL_FIELDS", "INTERVIEW_FIELDS", "STAGES", "RecordWriter", "now", "open_text",
           "provenance", "read_records", "record_key", "record_stage", "slot_key", "strip_fields"]
