"""One adaptive rate limit per run: how many model requests the run's workers may have in
flight at once, cut when the API says it is overloaded and grown back slowly.

The interface, :class:`RateLimit`, is all a model client uses; another implementation (one
limit shared by every node of a Ray cluster, say) stands behind it unchanged:

- ``slot()``: a context manager held around exactly one API request (one attempt). Entering
  blocks while the run already has ``limit`` requests in flight, or while a pause asked for
  by ``retry-after`` lasts; leaving frees the slot, whatever happened inside.
- ``on_rate_limited(retry_after)``: called inside the slot when that request got a rate-limit
  answer (HTTP 429, Anthropic's 529 overloaded). The limit is cut; with ``retry_after``
  (seconds, from the server's header) no request of the run starts before it has passed.
- ``on_success()``: called inside the slot when that request got an answer. The limit grows
  back by one after a full limit's worth of successes in a row.

Other failures (500, timeouts, a refused request) call neither: they say nothing about the
rate. Every method may be called from many threads at once. A request's own retry delay is
the client's business (:mod:`swe_runner.models.retry`); the limit only decides when it may
start.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

__all__ = ["AdaptiveLimit", "RateLimit", "Unlimited"]


class RateLimit(Protocol):
    """The run's shared limit on concurrent model requests (see the module docstring)."""

    def slot(self) -> AbstractContextManager[None]: ...

    def on_rate_limited(self, retry_after: float | None) -> None: ...

    def on_success(self) -> None: ...


class AdaptiveLimit:
    """Additive increase, multiplicative decrease, in one process (the run's worker threads).

    Args:
        ceiling: the most requests in flight at once (the run's workers).
        floor: the least the limit is ever cut to.
        clock: monotonic seconds (tests may pass their own).

    A burst of rate-limit answers to requests that were all in flight when the limit was
    cut counts as one signal: only a request started after the last cut cuts again.
    """

    def __init__(
        self, ceiling: int, floor: int = 1, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if not 1 <= floor <= ceiling:
            raise ValueError(f"need 1 <= floor ({floor}) <= ceiling ({ceiling})")
        self.ceiling, self.floor, self.clock = ceiling, floor, clock
        self.limit = ceiling
        self.in_flight = 0
        self.paused_until = 0.0
        self.cuts = 0  # how many times the limit was cut (a generation counter)
        self._successes = 0
        self._cond = threading.Condition()
        self._mine = threading.local()  # the generation the calling thread's slot began in

    @contextmanager
    def slot(self) -> Iterator[None]:
        self._mine.generation = self.acquire()
        try:
            yield
        finally:
            self.release()

    def on_rate_limited(self, retry_after: float | None) -> None:
        self.cut(retry_after, getattr(self._mine, "generation", self.cuts))

    # The same rules with the caller's generation passed in, not kept per thread: for a
    # limit whose slots are held in other processes (a cluster-wide one, behind an actor).

    def acquire(self) -> int:
        """Wait for a slot and take it; returns the generation (cuts so far) it began in."""
        with self._cond:
            while True:
                wait = self.paused_until - self.clock()
                if wait > 0:
                    self._cond.wait(wait)
                elif self.in_flight >= self.limit:
                    self._cond.wait()
                else:
                    break
            self.in_flight += 1
            return self.cuts

    def release(self) -> None:
        """Give back a slot taken by :meth:`acquire`."""
        with self._cond:
            self.in_flight -= 1
            self._cond.notify_all()

    def cut(self, retry_after: float | None, generation: int) -> None:
        """A request of slot ``generation`` was rate-limited: pause for ``retry_after`` and
        cut the limit, unless a request started after the last cut is needed to cut again."""
        with self._cond:
            if retry_after is not None and retry_after > 0:
                self.paused_until = max(self.paused_until, self.clock() + retry_after)
            if generation == self.cuts:
                self.limit = max(self.floor, self.limit // 2)
                self.cuts += 1
                self._successes = 0
            self._cond.notify_all()

    def on_success(self) -> None:
        with self._cond:
            self._successes += 1
            if self._successes >= self.limit and self.limit < self.ceiling:
                self.limit += 1
                self._successes = 0
                self._cond.notify_all()


class Unlimited:
    """No limit: every request starts at once (a client used on its own, outside a run)."""

    @contextmanager
    def slot(self) -> Iterator[None]:
        yield

    def on_rate_limited(self, retry_after: float | None) -> None:
        pass  # nothing to cut: the client's own backoff still applies

    def on_success(self) -> None:
        pass
