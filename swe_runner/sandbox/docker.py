"""Docker access: connecting to the daemon and one-shot script containers.

Every container swe-runner starts carries the ``swe-runner.managed`` label, so a cleanup
can find whatever an interrupted run left behind.
"""

from __future__ import annotations

import contextlib
import io
import secrets
import struct
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

import docker
import docker.errors
import docker.types
import requests

from swe_runner.config import Settings, owner_id, process_gone
from swe_runner.errors import ContainerError, DockerUnavailableError, ImageError
from swe_runner.sandbox.base import ExecResult, worktree_diff
from swe_runner.sandbox.diskwatch import DiskWatch
from swe_runner.sandbox.labels import (
    INSTANCE_LABEL,
    KEPT_LABEL,
    MANAGED_LABEL,
    OWNER_LABEL,
    RUN_DIR_LABEL,
    RUN_LABEL,
)
from swe_runner.sandbox.profiles import BUILD, ImageProfile
from swe_runner.sandbox.shell import SHELL_COMMAND, ShellSession

__all__ = [
    "DEFAULT_CONTAINER_LIMITS",
    "INSTANCE_LABEL",
    "KEPT_LABEL",
    "MANAGED_LABEL",
    "OWNER_LABEL",
    "RUN_DIR_LABEL",
    "RUN_LABEL",
    "ContainerLimits",
    "DockerSandbox",
    "ExecStream",
    "activated_environment",
    "connect",
    "interactive_shell",
    "orphaned_containers",
    "remove_container",
    "remove_containers",
    "remove_ids",
    "start_idle",
    "tar_files",
]

TIMEOUT_EXIT, KILL_EXIT = 124, 137  # coreutils timeout: TERM worked / had to KILL


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
    """A running, untouched container of ``image`` that waits (``sleep infinity``). An
    image that is not here is not pulled: images are built or pulled before (a missing one
    is a clear error, not a slow failing pull).

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
    except docker.errors.APIError as exc:
        remove_container(container)
        raise ContainerError(f"cannot start a container of {image}: {exc.explanation}") from exc
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


class DockerSandbox:
    """A container from an instance image, resource-limited, network off unless asked.

    The image's ``profile`` says how its task environment is activated: the variables
    activation sets are found once, at start, and given to every command and shell. The
    patch is taken against the commit ``/testbed`` holds at start.

    Raises (constructor):
        ImageError: the image does not exist.
        ContainerError: the container could not be started.
    """

    def __init__(
        self,
        image: str,
        base_commit: str,
        limits: ContainerLimits = DEFAULT_CONTAINER_LIMITS,
        workdir: str = "/testbed",
        labels: Mapping[str, str] | None = None,
        profile: ImageProfile = BUILD,
    ) -> None:
        self._attach(start_idle(image, limits, labels, workdir), limits, workdir, remove_container)
        self.base_commit = base_commit
        try:
            self._apply_profile(profile)
        except BaseException:
            self.close()
            raise

    @classmethod
    def adopt(
        cls,
        container: Any,
        limits: ContainerLimits,
        release: Callable[[Any], None] = remove_container,
        workdir: str = "/testbed",
    ) -> DockerSandbox:
        """A sandbox over a container already running (a pool's evaluation container):
        no profile is applied and the diff base is ``HEAD``; ``release`` disposes of the
        container when the sandbox is closed."""
        sandbox = cls.__new__(cls)
        sandbox._attach(container, limits, workdir, release)
        sandbox.base_commit = "HEAD"
        return sandbox

    def _attach(
        self, container: Any, limits: ContainerLimits, workdir: str, release: Callable[[Any], None]
    ) -> None:
        self.client, self.container, self.workdir = connect(), container, workdir
        self.disk = DiskWatch(self.client.api, container.id, limits.disk_limit_mb)
        self.closed, self._release = False, release
        self.environment: dict[str, str] = {}  # what activating the task's environment sets

    def _apply_profile(self, profile: ImageProfile) -> None:
        if profile.activate:
            self.environment = activated_environment(self, profile.activate)
        # The diff base is the commit the image's repository starts at: our instance images
        # and the official ones commit what their environment setup changed in tracked
        # files (a sed on setup.py or tox.ini) on top of the base, so no patch carries it.
        # (A workdir that is no repository keeps the given base: diff() will say so.)
        head = self.exec("git rev-parse --verify -q HEAD", timeout=60)
        if head.exit_code == 0:
            self.base_commit = head.text.strip()

    def _path(self, path: str) -> str:
        return str(PurePosixPath(self.workdir, path))

    def exec(
        self,
        command: str,
        timeout: float = 60.0,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
    ) -> ExecResult:
        if stdin is not None:
            feed = f"/tmp/.swe-runner-stdin-{secrets.token_hex(6)}"
            self.container.put_archive("/", tar_files({feed: stdin}))
            command = f"{{ {command}\n}} < {feed}; rc=$?; rm -f {feed}; exit $rc"
        began = time.monotonic()
        try:
            code, out = self.container.exec_run(
                # One stream (2>&1 inside) keeps stdout and stderr in the order written.
                ["timeout", "-k", "5", f"{timeout:g}", "bash", "-c", f"exec 2>&1\n{command}"],
                workdir=self.workdir,
                # this exec's, not the container's
                environment={**self.environment, **(env or {})} or None,
            )
        except docker.errors.APIError as exc:
            raise ContainerError(f"exec failed: {exc.explanation}") from exc
        # A command may exit 124 or 137 itself (137: SIGKILL, e.g. an out-of-memory kill):
        # only one that also ran its whole timeout was stopped by `timeout`.
        ran_out = time.monotonic() - began >= timeout
        timed_out = code in (TIMEOUT_EXIT, KILL_EXIT) and ran_out
        return ExecResult(None if timed_out else code, out or b"", timed_out)

    def read_file(self, path: str) -> bytes:
        full = self._path(path)
        try:
            stream, stat = self.container.get_archive(full)
        except docker.errors.NotFound:
            raise FileNotFoundError(full) from None
        if stat.get("mode", 0) & (1 << 31):  # Go's os.ModeDir
            raise IsADirectoryError(full)
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
            member = tar.extractfile(tar.getmembers()[0])
            if member is None:
                raise IsADirectoryError(full)
            return member.read()

    def write_file(self, path: str, data: bytes) -> None:
        self.container.put_archive("/", tar_files({self._path(path): data}))

    def diff(self) -> str:
        return worktree_diff(self)

    def open_shell(self) -> ShellSession:
        stream = ExecStream(self.client, self.container, self.workdir, environment=self.environment)
        return ShellSession(stream)

    def limit_reached(self) -> str | None:
        return self.disk.stop()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.disk.stop()
            self._release(self.container)

    def __enter__(self) -> DockerSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_NOT_ENVIRONMENT = frozenset({"_", "PWD", "OLDPWD", "SHLVL"})  # the shell's own, not activation's


def activated_environment(sandbox: DockerSandbox, activate: str) -> dict[str, str]:
    """The variables ``activate`` (bash lines) sets or changes in the sandbox's shell.

    Raises:
        ContainerError: the activation failed.
    """
    probe = (
        "env -0 > /tmp/.swe-runner-env-before; "
        f"{{ {activate}\n}} > /tmp/.swe-runner-activate.log 2>&1 "
        "|| { cat /tmp/.swe-runner-activate.log; exit 1; }; "
        "cat /tmp/.swe-runner-env-before; printf '\\0--\\0'; env -0; "
        "rm -f /tmp/.swe-runner-env-before /tmp/.swe-runner-activate.log"
    )
    result = sandbox.exec(probe, timeout=120)
    if result.exit_code != 0:
        raise ContainerError(f"activating the task's environment failed: {result.text[-300:]}")
    before, _, after = result.output.partition(b"\0--\0")
    old, new = _environ(before), _environ(after)
    return {k: v for k, v in new.items() if old.get(k) != v and k not in _NOT_ENVIRONMENT}


def _environ(block: bytes) -> dict[str, str]:
    pairs = (entry.decode(errors="replace").partition("=") for entry in block.split(b"\0"))
    return {name: value for name, sep, value in pairs if sep and name}


def interactive_shell(container_id: str, workdir: str) -> int:
    """Attach the user's terminal to a bash in the container (the docker CLI does TTYs
    well; the SDK does not); returns the shell's exit status."""
    flags = "-it" if sys.stdin.isatty() else "-i"
    return subprocess.call(["docker", "exec", flags, "-w", workdir, container_id, "bash"])
