"""Docker access: connecting to the daemon, starting and removing containers, and a
process's byte stream over ``docker exec``.

Every container swe-runner starts carries the ``swe-runner.managed`` label (and its owner's,
:mod:`swe_runner.sandbox.labels`), so a cleanup can find whatever an interrupted run left.
"""

from __future__ import annotations

import contextlib
import io
import struct
import subprocess
import sys
import tarfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import docker
import docker.errors
import docker.types
import requests

from swe_runner.config import Settings, owner_id, process_gone
from swe_runner.errors import ContainerError, DockerUnavailableError, ImageError
from swe_runner.sandbox.labels import KEPT_LABEL, MANAGED_LABEL, OWNER_LABEL, WORKTREE_LABEL
from swe_runner.sandbox.shell import SHELL_COMMAND

__all__ = [
    "DEFAULT_CONTAINER_LIMITS",
    "ContainerLimits",
    "ExecStream",
    "connect",
    "interactive_shell",
    "orphaned_containers",
    "remove_container",
    "remove_containers",
    "remove_ids",
    "start_idle",
    "tar_files",
]


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
    # Largest file a process may write (RLIMIT_FSIZE). overlay2 on ext4 has no disk quota,
    # so this bounds what one runaway write can take; writers get EFBIG past it.
    file_size_mb: int = 2048
    disk_limit_mb: int = 10240  # all writes together; see sandbox/diskwatch.py (0: none)

    @classmethod
    def of(cls, settings: Settings, network: str | None = None) -> ContainerLimits:
        """The limits the settings ask for (network: ``network``, else the eval network)."""
        return cls(
            mem_limit=settings.mem_limit,
            pids_limit=settings.pids_limit,
            nano_cpus=settings.nano_cpus,
            network=network or settings.eval_network,
            file_size_mb=settings.file_size_mb,
            disk_limit_mb=settings.disk_limit_mb,
        )


DEFAULT_CONTAINER_LIMITS = ContainerLimits()

# What writes the work tree an image labelled WORKTREE_LABEL leaves out (its entrypoint runs
# it too; it runs once, whoever comes first).
RESTORE_WORKTREE = ["/usr/bin/python3", "/opt/swe-runner/worktree.py", "restore"]


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


def start_idle(
    image: str,
    limits: ContainerLimits,
    labels: Mapping[str, str] | None,
    workdir: str | None = None,
) -> Any:
    """A running, untouched container of ``image`` that waits (``sleep infinity``), its
    work tree whole (an image that leaves files out, ``WORKTREE_LABEL``, gets them written
    first). An image that is not here is not pulled: images are built or pulled before (a
    missing one is a clear error, not a slow failing pull).

    Raises:
        ImageError: the image does not exist.
        ContainerError: the daemon could not start it.
    """
    fsize = limits.file_size_mb * 2**20
    try:
        container = connect().containers.create(
            image,
            ["sleep", "infinity"],
            init=True,
            working_dir=workdir,
            network_mode=limits.network,
            mem_limit=limits.mem_limit,
            memswap_limit=limits.mem_limit,
            pids_limit=limits.pids_limit,
            nano_cpus=limits.nano_cpus,
            ulimits=[docker.types.Ulimit(name="fsize", soft=fsize, hard=fsize)],
            labels={MANAGED_LABEL: "1", OWNER_LABEL: owner_id(), **(labels or {})},
        )
    except docker.errors.ImageNotFound:
        raise ImageError(
            f"image {image} not found: build it with `swe-runner images build`"
        ) from None
    except docker.errors.APIError as exc:
        raise ContainerError(f"cannot start a container of {image}: {exc.explanation}") from exc
    try:
        container.start()
        if container.labels.get(WORKTREE_LABEL):  # its files written before anyone looks
            status, output = container.exec_run(RESTORE_WORKTREE)
            if status != 0:
                told = output.decode(errors="replace").strip()
                raise ContainerError(f"cannot write the work tree of {image}: {told}")
    except docker.errors.APIError as exc:
        remove_container(container)
        raise ContainerError(f"cannot start a container of {image}: {exc.explanation}") from exc
    except ContainerError:
        remove_container(container)
        raise
    return container


def remove_ids(ids: list[str]) -> None:
    """Force-remove containers by id; ones already gone are fine."""
    api = connect().api
    for container_id in ids:
        _remove_id(api, container_id)


def remove_containers(labels: Mapping[str, str]) -> int:
    """Force-remove every swe-runner container carrying all ``labels``; returns how many."""
    filters = {"label": [f"{k}={v}" for k, v in labels.items()] + [MANAGED_LABEL]}
    found = connect().api.containers(all=True, filters=filters)  # no inspect: races lose
    remove_ids([entry["Id"] for entry in found])
    return len(found)


def orphaned_containers(everyone: bool = False) -> list[dict[str, Any]]:
    """swe-runner containers whose owning process is gone (killed, crashed): what no run
    will remove until its run id is resumed. Containers kept on purpose (``KEPT_LABEL``)
    are not orphans. ``everyone``: all swe-runner containers."""
    found = connect().api.containers(all=True, filters={"label": [MANAGED_LABEL]})
    if everyone:
        return list(found)
    return [
        c
        for c in found
        if KEPT_LABEL not in c["Labels"] and process_gone(c["Labels"].get(OWNER_LABEL, ""))
    ]


def remove_container(container: Any) -> None:
    """Force-remove a container; one already gone (or going) is fine."""
    _remove_id(connect().api, container.id)


def _remove_id(api: Any, container_id: str) -> None:
    try:
        api.remove_container(container_id, force=True)
    except docker.errors.NotFound:
        pass  # already gone: nothing left behind
    except docker.errors.APIError as exc:
        if exc.status_code != 409:  # 409: its removal is already in progress
            raise


class ExecStream:
    """A process's stdin/stdout over a hijacked ``docker exec`` socket (demultiplexed)."""

    def __init__(
        self,
        client: Any,
        container: Any,
        workdir: str,
        command: list[str] = SHELL_COMMAND,
        stdin: bool = True,
        environment: Mapping[str, str] | None = None,
    ) -> None:
        self.client, self.container = client, container
        self.exec_id = client.api.exec_create(
            container.id,
            command,
            stdin=stdin,
            tty=False,
            workdir=workdir,
            environment=dict(environment) if environment else None,
        )["Id"]
        self.sock = client.api.exec_start(self.exec_id, socket=True)._sock
        self.raw = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def recv(self, timeout: float) -> bytes | None:
        self.sock.settimeout(max(timeout, 0.001))
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            return None
        except OSError:
            data = b""
        if not data:
            return b""
        self.raw += data
        payload = []
        while len(self.raw) >= 8:  # frames: 1 byte stream, 3 padding, 4 bytes length
            size = struct.unpack(">I", self.raw[4:8])[0]
            if len(self.raw) < 8 + size:
                break
            payload.append(self.raw[8 : 8 + size])
            self.raw = self.raw[8 + size :]
        return b"".join(payload) or None

    def kill_group(self, pgid: int) -> None:
        with contextlib.suppress(docker.errors.APIError):
            self.container.exec_run(["bash", "-c", f"kill -9 -- -{pgid}"])

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


def interactive_shell(container_id: str, workdir: str) -> int:
    """Attach the user's terminal to a bash in the container (the docker CLI does TTYs
    well; the SDK does not); returns the shell's exit status."""
    flags = "-it" if sys.stdin.isatty() else "-i"
    return subprocess.call(["docker", "exec", flags, "-w", workdir, container_id, "bash"])
