"""A disk limit for containers where Docker cannot give one: a watchdog on the writable layer.

Docker caps a container's disk (``--storage-opt size``) only on overlay2 over xfs with
project quotas; on the usual ext4 backing filesystem it refuses. So a thread measures what
the container has written to its own layer every ``interval`` seconds (half a second) and
kills the container once that passes the limit.

Measuring is cheap where the daemon is local and its storage readable (root, the usual
CI case): the thread sums the blocks of the container's overlay ``UpperDir``, which holds
only what the container wrote. Elsewhere it asks the daemon for ``SizeRw``, which also
walks the whole image, so it asks ten times less often (every 5 s). What is written
within one interval can overshoot the limit; the file size limit (RLIMIT_FSIZE) bounds
any single file meanwhile.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import docker.errors
import requests

__all__ = ["DiskWatch", "daemon_size", "tree_size", "upper_dir"]

DAEMON_SLOWDOWN = 10  # asking the daemon walks the image too: ask this much less often


def tree_size(root: str) -> int:
    """Bytes of disk the files under ``root`` take (blocks, symlinks not followed)."""
    total, stack = 0, [root]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                        total += entry.stat(follow_symlinks=False).st_blocks * 512
                    except FileNotFoundError:
                        continue  # removed while we looked
        except (FileNotFoundError, NotADirectoryError):
            continue
    return total


def upper_dir(api: Any, container_id: str) -> str | None:
    """The container's overlay upper directory, if this process can read it."""
    info = api.inspect_container(container_id)
    upper = (info.get("GraphDriver") or {}).get("Data", {}).get("UpperDir")
    return upper if upper and os.access(upper, os.R_OK | os.X_OK) else None


def daemon_size(api: Any, container_id: str) -> int | None:
    """``SizeRw`` as the daemon reports it (None: no such container)."""
    found = api.containers(all=True, filters={"id": container_id}, size=True)
    return int(found[0].get("SizeRw") or 0) if found else None


class DiskWatch:
    """Watch one container's writable layer; ``reason`` says why it was killed, if it was.

    A limit of 0 watches nothing. A container that is gone, or a daemon that stops
    answering, ends the watch quietly: the run's own calls report those.
    """

    def __init__(self, api: Any, container_id: str, limit_mb: int, interval: float = 0.5) -> None:
        self.api, self.container_id = api, container_id
        self.limit, self.limit_mb = limit_mb * 2**20, limit_mb
        self.interval = interval
        self.reason: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="disk-watch", daemon=True)
        if limit_mb > 0:
            self._thread.start()

    def _measure(self) -> tuple[Callable[[], int | None], float]:
        """How to measure the layer, and how often."""
        upper = upper_dir(self.api, self.container_id)
        if upper is not None:
            return (lambda: tree_size(upper) if os.path.isdir(upper) else None), self.interval
        return (lambda: daemon_size(self.api, self.container_id)), self.interval * DAEMON_SLOWDOWN

    def _watch(self) -> None:
        try:
            size_of, interval = self._measure()
            while not self._stop.wait(interval):
                size = size_of()
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
