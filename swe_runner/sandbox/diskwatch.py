"""A disk limit for containers where Docker cannot give one: a watchdog on the writable layer.

Docker caps a container's disk (``--storage-opt size``) only on overlay2 over xfs with
project quotas; on the usual ext4 backing filesystem it refuses. So a thread asks the daemon
for the container's ``SizeRw`` (bytes it added or changed) every ``interval`` seconds and
kills the container once that passes the limit. What is written within one interval can
overshoot the limit; the file size limit (RLIMIT_FSIZE) bounds any single file meanwhile.
"""

from __future__ import annotations

import threading
from typing import Any

import docker.errors
import requests

__all__ = ["DiskWatch"]


class DiskWatch:
    """Watch one container's writable layer; ``reason`` says why it was killed, if it was.

    A limit of 0 watches nothing. A container that is gone, or a daemon that stops
    answering, ends the watch quietly: the run's own calls report those.
    """

    def __init__(self, api: Any, container_id: str, limit_mb: int, interval: float = 1.0) -> None:
        self.api, self.container_id = api, container_id
        self.limit, self.interval = limit_mb * 2**20, interval
        self.limit_mb = limit_mb
        self.reason: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="disk-watch", daemon=True)
        if limit_mb > 0:
            self._thread.start()

    def size(self) -> int | None:
        """Bytes the container has written to its own layer (None: not known)."""
        found = self.api.containers(all=True, filters={"id": self.container_id}, size=True)
        return int(found[0].get("SizeRw") or 0) if found else None

    def _watch(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                size = self.size()
                if size is None:
                    return
                if size > self.limit:
                    self.reason = (
                        f"disk limit reached: {size / 2**20:.0f} MB written "
                        f"(limit {self.limit_mb} MB)"
                    )
                    self.api.kill(self.container_id)
                    return
        except (docker.errors.DockerException, requests.RequestException):
            return  # gone, or the daemon is down: the run itself sees and reports that

    def stop(self) -> str | None:
        """Stop watching; returns ``reason``."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        return self.reason
