"""Docker access: connecting to the daemon and one-shot script containers.

Every container swe-runner starts carries the ``swe-runner.managed`` label, so a cleanup
can find whatever an interrupted run left behind.
"""

from __future__ import annotations

import contextlib
import io
import tarfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import docker
import docker.errors
import requests

from swe_runner.errors import ContainerError, DockerUnavailableError, ImageError

__all__ = ["MANAGED_LABEL", "ContainerLimits", "ScriptResult", "connect", "run_script", "tar_files"]

MANAGED_LABEL = "swe-runner.managed"


@lru_cache(maxsize=1)
def connect() -> Any:
    """A docker client for the daemon in the environment (``DOCKER_HOST`` or the socket).

    Raises:
        DockerUnavailableError: no daemon answers.
    """
    try:
        client = docker.from_env(timeout=600)
        client.ping()
    except (docker.errors.DockerException, requests.RequestException) as exc:
        connect.cache_clear()
        raise DockerUnavailableError(
            f"cannot reach the Docker daemon ({exc.__class__.__name__}): start dockerd "
            "(or set DOCKER_HOST) and try again"
        ) from None
    return client


@dataclass(frozen=True)
class ContainerLimits:
    """Resource limits and network of a container."""

    mem_limit: str = "4g"
    pids_limit: int = 1024
    nano_cpus: int = 2_000_000_000
    network: str = "none"


@dataclass(frozen=True)
class ScriptResult:
    """What a one-shot container produced."""

    exit_code: int | None  # None when it was killed for running past its timeout
    output: str
    timed_out: bool
    timings: dict[str, float] = field(default_factory=dict)


def tar_files(files: Mapping[str, bytes | str], mode: int = 0o644) -> bytes:
    """An in-memory tar of ``{absolute path: content}`` for ``put_archive('/')``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(path.lstrip("/"))
            info.size, info.mode, info.mtime = len(data), mode, int(time.time())
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def run_script(
    image: str,
    command: list[str],
    files: Mapping[str, bytes | str],
    timeout: float,
    limits: ContainerLimits = ContainerLimits(),
    labels: Mapping[str, str] | None = None,
) -> ScriptResult:
    """Run ``command`` in a fresh container of ``image`` with ``files`` copied in first.

    The container is removed whatever happens. Output is stdout and stderr interleaved.

    Raises:
        ImageError: the image does not exist.
        ContainerError: the daemon failed to create, start or read the container.
    """
    client = connect()
    timings: dict[str, float] = {}
    start = time.perf_counter()
    try:
        container = client.containers.create(
            image,
            command,
            detach=True,
            network_mode=limits.network,
            mem_limit=limits.mem_limit,
            memswap_limit=limits.mem_limit,
            pids_limit=limits.pids_limit,
            nano_cpus=limits.nano_cpus,
            labels={MANAGED_LABEL: "1", **(labels or {})},
        )
    except docker.errors.ImageNotFound:
        raise ImageError(
            f"image {image} not found: build it with `swe-runner images build`"
        ) from None
    except docker.errors.APIError as exc:
        raise ContainerError(f"cannot create a container from {image}: {exc.explanation}") from exc
    try:
        container.put_archive("/", tar_files(files))
        container.start()
        timings["container_start"] = time.perf_counter() - start
        run_start = time.perf_counter()
        timed_out = False
        try:
            status = container.wait(timeout=timeout)
            exit_code: int | None = int(status.get("StatusCode", -1))
        except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
            timed_out, exit_code = True, None
            container.kill()
        timings["run"] = time.perf_counter() - run_start
        output = container.logs(stdout=True, stderr=True).decode("utf-8", errors="replace")
    except docker.errors.APIError as exc:
        raise ContainerError(f"container of {image} failed: {exc.explanation}") from exc
    finally:
        teardown = time.perf_counter()
        _remove(container)
        timings["teardown"] = time.perf_counter() - teardown
    return ScriptResult(exit_code, output, timed_out, timings)


def _remove(container: Any) -> None:
    with contextlib.suppress(docker.errors.NotFound):  # already gone: nothing left behind
        container.remove(force=True)
