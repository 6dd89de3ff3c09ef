"""The local executor: a bounded pool of threads in this process, one station."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Generic

from swe_runner.executors.base import J, Listener, NodeServices, R, Recipe, Station

__all__ = ["LocalExecutor"]


class LocalExecutor(Generic[J, R]):
    """``workers`` jobs at once on threads, all on the station ``recipe`` builds here
    (built on first need)."""

    name = "local"

    def __init__(self, workers: int, recipe: Recipe[J, R]) -> None:
        self.workers, self.recipe = workers, recipe
        self.lookahead = workers
        self._station: Station[J, R] | None = None
        self._lock = threading.Lock()

    @property
    def station(self) -> Station[J, R]:
        with self._lock:
            if self._station is None:
                self._station = self.recipe(NodeServices())
            return self._station

    def versions(self) -> dict[str, str]:
        return self.station.versions()

    def remove_all(self) -> int:
        return self.station.remove_all()

    def run(self, jobs: Sequence[J], listener: Listener[J, R], stop: threading.Event) -> None:
        station = self.station

        def one(job: J) -> R:
            listener.started(job)
            return station.run(job)

        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="instance")
        futures = {pool.submit(one, job): job for job in jobs}
        try:
            for future in as_completed(futures):
                listener.finished(futures[future], future.result())
        except BaseException:
            stop.set()
            pool.shutdown(wait=False, cancel_futures=True)
            station.remove_all()  # unblocks the running workers
            pool.shutdown(wait=True)
            station.close()
            station.remove_all()
            raise
        pool.shutdown(wait=True)

    def close(self) -> None:
        if self._station is not None:
            self._station.close()
