"""One model rate limit for every worker of a run on a Ray cluster.

The limit is an :class:`~swe_runner.models.ratelimit.AdaptiveLimit` held by one actor (on
the driver's node); :class:`ClusterLimit`, picklable, is the
:class:`~swe_runner.models.ratelimit.RateLimit` each node's model client holds: entering a
slot asks the actor for one (waiting there while the run has ``limit`` requests in flight
or a ``retry-after`` pause lasts), a 429 or 529 anywhere cuts it for every node.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ray

from swe_runner.models.ratelimit import AdaptiveLimit

__all__ = ["ClusterLimit", "start_limit"]

# Each request waiting for a slot holds one of the actor's threads: more than any run's
# workers (64 at most) can ever ask for at once.
WAITERS = 256


class _Limit:
    """The actor: the run's one limit, the generation passed in by each caller."""

    def __init__(self, ceiling: int) -> None:
        self.limit = AdaptiveLimit(ceiling)

    def acquire(self) -> int:
        return self.limit.acquire()

    def release(self) -> None:
        self.limit.release()

    def cut(self, retry_after: float | None, generation: int | None) -> None:
        self.limit.cut(retry_after, self.limit.cuts if generation is None else generation)

    def success(self) -> None:
        self.limit.on_success()

    def state(self) -> dict[str, float]:
        """The limit, the requests in flight and the cuts so far (for tests and logs)."""
        limit = self.limit
        return {"limit": limit.limit, "in_flight": limit.in_flight, "cuts": limit.cuts}


class ClusterLimit:
    """A :class:`~swe_runner.models.ratelimit.RateLimit` over the run's limit actor."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self._mine = threading.local()  # the generation the calling thread's slot began in

    def __getstate__(self) -> dict[str, Any]:
        return {"actor": self.actor}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["actor"])  # type: ignore[misc]

    @contextmanager
    def slot(self) -> Iterator[None]:
        self._mine.generation = ray.get(self.actor.acquire.remote())
        try:
            yield
        finally:
            ray.get(self.actor.release.remote())

    def on_rate_limited(self, retry_after: float | None) -> None:
        generation = getattr(self._mine, "generation", None)
        ray.get(self.actor.cut.remote(retry_after, generation))

    def on_success(self) -> None:
        ray.get(self.actor.success.remote())

    def state(self) -> dict[str, float]:
        result: dict[str, float] = ray.get(self.actor.state.remote())
        return result


def start_limit(ceiling: int, node_id: str) -> ClusterLimit:
    """Start the run's limit actor on node ``node_id`` (the driver's: it lives as long as
    the run) with ``ceiling`` requests in flight at most."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    actor = (
        ray.remote(_Limit)
        .options(
            num_cpus=0,
            max_concurrency=WAITERS,
            scheduling_strategy=NodeAffinitySchedulingStrategy(node_id, soft=False),
        )
        .remote(max(1, ceiling))
    )
    return ClusterLimit(actor)
