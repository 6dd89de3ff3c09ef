"""Fresh containers for evaluation, started ahead of need.

Every evaluation gets a container nobody has used. Starting one costs a few hundred
milliseconds, so a :class:`ContainerPool` can start it *ahead* of need (while an agent
works, or while the previous instance's tests run): the evaluation then only pays for an exec.
Removal happens off the critical path too.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from swe_runner.errors import ContainerError, ImageError
from swe_runner.sandbox.containers import (
    DEFAULT_CONTAINER_LIMITS,
    ContainerLimits,
    remove_container,
    start_idle,
)

__all__ = ["ContainerPool", "KeepingPool"]


class ContainerPool:
    """Fresh idle containers started in the background, each handed out once.

    ``warm(image)`` asks for one more to be ready, for one later ``take(image)``, which
    returns a ready one or starts one now. Containers are removed in the background after
    use; ``close()`` removes the spares. Thread-safe.
    """

    def __init__(
        self,
        limits: ContainerLimits = DEFAULT_CONTAINER_LIMITS,
        labels: Mapping[str, str] | None = None,
        threads: int = 2,
    ) -> None:
        self.limits, self.labels = limits, dict(labels or {})
        self._spares: dict[str, list[Future[Any]]] = {}
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="container-pool")

    def warm(self, image: str) -> None:
        """Start a container of ``image`` in the background for one later ``take``: two
        evaluations of one image in a row (attempts, validation) each find theirs ready."""
        future = self._executor.submit(start_idle, image, self.limits, self.labels)
        with self._lock:
            self._spares.setdefault(image, []).append(future)

    def take(self, image: str) -> Any:
        """A running container nobody has used. Raises ImageError, ContainerError."""
        with self._lock:
            spares = self._spares.get(image) or []
            future = spares.pop(0) if spares else None
        return future.result() if future else start_idle(image, self.limits, self.labels)

    def discard(self, container: Any) -> None:
        """Remove a used container, off the caller's critical path."""
        self._executor.submit(remove_container, container)

    def close(self) -> None:
        with self._lock:
            spares = [f for futures in self._spares.values() for f in futures]
            self._spares.clear()
        for future in spares:
            if not future.cancel():
                with contextlib.suppress(ContainerError, ImageError):  # never started
                    remove_container(future.result())
        self._executor.shutdown(wait=True)


class KeepingPool(ContainerPool):
    """A pool that leaves each used container running, for a person to inspect, instead
    of removing it: ``kept`` lists them in the order they were used. The caller says how
    to remove them (they carry the pool's labels)."""

    def __init__(
        self,
        limits: ContainerLimits = DEFAULT_CONTAINER_LIMITS,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(limits, labels, threads=1)
        self.kept: list[Any] = []

    def discard(self, container: Any) -> None:
        self.kept.append(container)
