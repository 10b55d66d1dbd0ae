"""Executor.ask_timed (what run() and the feedback loop call): a backend that
measures its own latency keeps it; one that does not gets the call's wall time."""

import time

import pytest

from codeinterview.executors.base import Answer, Executor, Request

pytestmark = pytest.mark.fast  # no Docker engine, no server, no model


class Sleeper(Executor):
    name = "sleeper"
    needs_model = False

    def __init__(self, reports: float | None):
        super().__init__()
        self.reports = reports

    def ask(self, request: Request) -> Answer:
        time.sleep(0.05)
        return Answer(request.key, "x", latency_s=self.reports)


def test_the_wall_time_fills_in_only_what_the_backend_did_not_measure():
    filled = Sleeper(reports=None).ask_timed(Request("k", "p")).latency_s
    assert filled is not None and 0.05 <= filled < 5
    assert Sleeper(reports=1.5).ask_timed(Request("k", "p")).latency_s == 1.5


def test_run_times_every_answer_at_any_concurrency():
    for concurrency in (1, 3):
        executor = Sleeper(reports=None)
        executor.concurrency = concurrency
        answers = list(executor.run(Request(f"k{i}", "p") for i in range(4)))
        assert sorted(a.key for a in answers) == ["k0", "k1", "k2", "k3"]
        assert all(a.latency_s is not None and a.latency_s >= 0.05 for a in answers)
