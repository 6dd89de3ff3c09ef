"""The retry policy every API client shares: which failures are retried, how long to wait,
and the run's rate limit around each attempt.

429, 529 and the other transient statuses (408, 409, 500, 502, 503, 504) and connection
errors are retried with exponential backoff and full jitter, ``retry-after`` winning when the
server sends it (up to a ceiling). Rate-limit answers also tell the run's
:class:`~swe_runner.models.ratelimit.RateLimit`, so every worker slows down, not only the one
that was refused. A persistent failure raises :class:`ModelAPIError`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from swe_runner.models.base import ModelAPIError
from swe_runner.models.ratelimit import RateLimit, Unlimited

__all__ = [
    "RETRYABLE_STATUS",
    "Retry",
    "RetryPolicy",
    "TryAgain",
    "call_with_retries",
    "retry_after_of",
]

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
RATE_LIMIT_STATUS = frozenset({429, 529})

T = TypeVar("T")


class RetryPolicy:
    """Exponential backoff with full jitter; ``retry-after`` wins when the server sends it."""

    def __init__(
        self,
        attempts: int = 8,
        base: float = 1.0,
        ceiling: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.attempts, self.base, self.ceiling, self.sleep = attempts, base, ceiling, sleep

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(self.ceiling, max(0.0, retry_after))
        backoff: float = min(self.ceiling, self.base * 2.0**attempt)
        return backoff * random.uniform(0.5, 1.0)


@dataclass(frozen=True)
class Retry:
    """A failed attempt worth another: what went wrong (``HTTP 429``), the server's
    ``retry-after`` in seconds, and whether it was a rate-limit answer."""

    what: str
    retry_after: float | None = None
    rate_limited: bool = False

    @classmethod
    def status(cls, code: int, headers: Mapping[str, str]) -> Retry:
        return cls(f"HTTP {code}", retry_after_of(headers), code in RATE_LIMIT_STATUS)


class TryAgain(Exception):
    """Raised by a request function to ask :func:`call_with_retries` for another attempt."""

    def __init__(self, retry: Retry) -> None:
        super().__init__(retry.what)
        self.retry = retry


def retry_after_of(headers: Mapping[str, str]) -> float | None:
    """Seconds from ``retry-after-ms`` or ``retry-after`` (a number); None if absent or a date."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is not None:
            try:
                return float(value) * scale
            except ValueError:
                continue
    return None


def call_with_retries(
    request: Callable[[], T],
    policy: RetryPolicy,
    limit: RateLimit | None = None,
) -> tuple[T, float, int]:
    """``request()`` until it returns: (its result, the successful attempt's seconds, retries).

    ``request`` raises :class:`TryAgain` (with a :class:`Retry`) for a failure worth another
    attempt, :class:`ModelAPIError` for one that is not.

    Raises:
        ModelAPIError: a refused request, or the attempts ran out.
    """
    limit = limit if limit is not None else Unlimited()
    last = ""
    for attempt in range(policy.attempts + 1):
        with limit.slot():
            began = time.monotonic()
            try:
                result = request()
            except TryAgain as failed:
                retry = failed.retry
                if retry.rate_limited:
                    limit.on_rate_limited(retry.retry_after)
            else:
                limit.on_success()
                return result, time.monotonic() - began, attempt
        last = retry.what
        if attempt < policy.attempts:
            policy.sleep(policy.delay(attempt, retry.retry_after))
    raise ModelAPIError(f"gave up after {policy.attempts + 1} attempts: {last}")
