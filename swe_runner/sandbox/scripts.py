"""One-shot scripts in fresh containers, used by evaluation.

Every script gets a container nobody has used. Starting one costs a few hundred
milliseconds, so a :class:`ContainerPool` can start it *ahead* of need (while an agent
works, or while the previous instance's tests run): the script then only pays for an exec.
Removal happens off the critical path too.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import docker.errors

from swe_runner.errors import ContainerError, ImageError
from swe_runner.sandbox.diskwatch import DiskWatch
from swe_runner.sandbox.docker import (
    DEFAULT_CONTAINER_LIMITS,
    ContainerLimits,
    ExecStream,
    connect,
    remove_container,
    start_idle,
    tar_files,
)

__all__ = ["ContainerPool", "KeepingPool", "ScriptResult", "run_script"]


@dataclass(frozen=True)
class ScriptResult:
    """What a one-shot container produced."""

    exit_code: int | None  # None when it was killed for running past its timeout
    output: str
    timed_out: bool
    timings: dict[str, float] = field(default_factory=dict)
    limit: str | None = None  # the container was stopped for a resource limit (disk)


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


def _exec(container: Any, command: list[str], timeout: float) -> tuple[int | None, str, bool]:
    stream = ExecStream(connect(), container, "/", command, stdin=False)
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            chunk = stream.recv(remaining)
            if chunk == b"":
                break
            if chunk:
                chunks.append(chunk)
        else:
            return None, b"".join(chunks).decode("utf-8", errors="replace"), True
    finally:
        stream.close()
    state = stream.client.api.exec_inspect(stream.exec_id)
    while state.get("Running"):  # the stream can end a moment before the exit is recorded
        time.sleep(0.005)
        state = stream.client.api.exec_inspect(stream.exec_id)
    return int(state["ExitCode"]), b"".join(chunks).decode("utf-8", errors="replace"), False


def run_script(
    image: str,
    command: list[str],
    files: Mapping[str, bytes | str],
    timeout: float,
    limits: ContainerLimits = DEFAULT_CONTAINER_LIMITS,
    labels: Mapping[str, str] | None = None,
    pool: ContainerPool | None = None,
) -> ScriptResult:
    """Run ``command`` in a fresh container of ``image`` with ``files`` copied in first.

    With a ``pool``, the container comes from it (possibly started ahead) and must have the
    pool's limits; without, one is started now. It is removed whatever happens. Output is
    stdout and stderr interleaved.

    Raises:
        ImageError: the image does not exist.
        ContainerError: the daemon failed to start or run the container.
    """
    began = time.perf_counter()
    container = pool.take(image) if pool else start_idle(image, limits, labels)
    timings = {"container_start": time.perf_counter() - began}
    disk = DiskWatch(connect().api, container.id, (pool.limits if pool else limits).disk_limit_mb)
    try:
        began = time.perf_counter()
        container.put_archive("/", tar_files(files))
        exit_code, output, timed_out = _exec(container, command, timeout)
        timings["run"] = time.perf_counter() - began
    except docker.errors.APIError as exc:
        if disk.stop() is None:
            raise ContainerError(f"container of {image} failed: {exc.explanation}") from exc
        exit_code, output, timed_out = None, "", False
    finally:
        disk.stop()
        began = time.perf_counter()
        if pool:
            pool.discard(container)
        else:
            remove_container(container)
        timings["teardown"] = time.perf_counter() - began
    return ScriptResult(exit_code, output, timed_out, timings, disk.reason)
