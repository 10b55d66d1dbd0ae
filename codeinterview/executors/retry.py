"""Retries with exponential backoff for network backends.

Transient failures (429, 5xx, 408, timeouts, dropped connections) are retried;
everything else is raised at once. A server's Retry-After (seconds or an HTTP
date) wins over our own backoff. The caller gets the retry count so records
show how hard an answer was to get.
"""

from __future__ import annotations

import email.utils
import random
import time
from typing import Any, Callable, TypeVar

from ..errors import InfrastructureError

T = TypeVar("T")

RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529})
MAX_RETRY_AFTER_S = 300.0   # a server asking for longer than this is treated as down


def status_of(exc: BaseException) -> int | None:
    """The HTTP status an SDK exception carries (openai, anthropic, httpx style)."""
    status = getattr(exc, "status_code", None)
    if status is None:
        status = getattr(getattr(exc, "response", None), "status_code", None)
    return status if isinstance(status, int) else None


def is_transient(exc: BaseException) -> bool:
    status = status_of(exc)
    if status is not None:
        return status in RETRY_STATUSES or status >= 500
    # No status: a timeout or a connection that failed or dropped. SDKs name
    # these differently (APITimeoutError, APIConnectionError, ReadTimeout,
    # RemoteProtocolError, ConnectError), so match on the class hierarchy names.
    names = " ".join(cls.__name__ for cls in type(exc).__mro__)
    return isinstance(exc, (TimeoutError, ConnectionError)) or any(
        word in names for word in ("Timeout", "Connection", "Connect", "RemoteProtocol", "ReadError"))


def retry_after_s(exc: BaseException, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait (Retry-After / retry-after-ms), if any."""
    headers = getattr(getattr(exc, "response", None), "headers", None)
    if not headers:
        return None
    try:
        if headers.get("retry-after-ms"):
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
    except ValueError:
        pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def refusal(exc: BaseException, where: str) -> str | None:
    """Sort a non-transient failure: raise UserError for a configuration mistake
    (401/403/404: wrong key, model or URL; every request would fail alike),
    return an error message for a refused prompt (400/413/422: too long, bad
    parameter), which the caller records as an answer; None otherwise.
    """
    from ..errors import UserError

    status = status_of(exc)
    if status in (401, 403, 404):
        raise UserError(f"{where} refused the request with HTTP {status}: {exc}") from exc
    if status in (400, 413, 422):
        return f"HTTP {status}: {exc}"
    return None


class RetriesExhausted(InfrastructureError):
    """A transient failure persisted past max_retries (an infrastructure error)."""

    def __init__(self, message: str, retries: int):
        super().__init__(message)
        self.retries = retries


def call_with_retries(fn: Callable[[], T], max_retries: int, backoff_s: float = 1.0,
                      max_backoff_s: float = 60.0,
                      sleep: Callable[[float], Any] = time.sleep) -> tuple[T, int]:
    """Call fn until it succeeds; return (result, retries used).

    Backoff doubles from backoff_s up to max_backoff_s, with jitter on the
    upper half (so many threads hitting one rate limit do not retry in lockstep).
    """
    retries = 0
    while True:
        try:
            return fn(), retries
        except Exception as exc:  # noqa: BLE001 - classified below, re-raised if not transient
            if not is_transient(exc):
                raise
            if retries >= max_retries:
                raise RetriesExhausted(
                    f"the model backend kept failing, giving up after {retries} retries: "
                    f"{type(exc).__name__}: {exc}", retries) from exc
            wait = retry_after_s(exc)
            if wait is None:
                cap = min(max_backoff_s, backoff_s * 2 ** retries)
                wait = random.uniform(cap / 2, cap)
            elif wait > MAX_RETRY_AFTER_S:
                raise RetriesExhausted(
                    f"server asked to retry after {wait:.0f}s (more than {MAX_RETRY_AFTER_S:.0f}s): {exc}",
                    retries) from exc
            retries += 1
            sleep(wait)


def timed_call_with_retries(fn: Callable[[], T], max_retries: int,
                            backoff_s: float = 1.0) -> tuple[T, int, float]:
    """call_with_retries, plus the latency of the attempt that succeeded
    (waiting between retries is not the model's time)."""
    started = [0.0]

    def attempt():
        started[0] = time.monotonic()
        return fn()

    result, retries = call_with_retries(attempt, max_retries, backoff_s)
    return result, retries, round(time.monotonic() - started[0], 4)


def refused_answer(exc: Exception, where: str, key: str, params_sent: dict[str, Any]):
    """The Answer that records a prompt the server refused (see refusal());
    any other failure is raised again."""
    from .base import Answer

    error = refusal(exc, where)
    if error is None:
        raise exc
    return Answer(key=key, text="", finish_reason="error", params_sent=params_sent,
                  extra={"answer_error": error})
