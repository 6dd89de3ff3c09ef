"""The Docker sandbox: an agent's (or an evaluation's) container from an instance image.

Container plumbing (the daemon, starting, removal, exec streams) is
:mod:`swe_runner.sandbox.containers`.
"""

from __future__ import annotations

import io
import secrets
import tarfile
import time
from collections.abc import Callable, Mapping
from pathlib import PurePosixPath
from typing import Any

import docker.errors

from swe_runner.errors import ContainerError
from swe_runner.sandbox.base import ExecResult, worktree_diff
from swe_runner.sandbox.containers import (
    DEFAULT_CONTAINER_LIMITS,
    ContainerLimits,
    ExecStream,
    connect,
    remove_container,
    start_idle,
    tar_files,
)
from swe_runner.sandbox.diskwatch import DiskWatch
from swe_runner.sandbox.profiles import BUILD, ImageProfile
from swe_runner.sandbox.shell import ShellSession

__all__ = ["DockerSandbox", "activated_environment"]

TIMEOUT_EXIT, KILL_EXIT = 124, 137  # coreutils timeout: TERM worked / had to KILL


class DockerSandbox:
    """A container from an instance image, resource-limited, network off unless asked.

    The image's ``profile`` says how its task environment is activated: the variables
    activation sets are found once, at start, and given to every command and shell. The
    diff is taken against the commit ``/testbed`` holds at start (:attr:`start`; an agent's
    sandbox replaces it with a snapshot of the whole work tree, :func:`snapshot`).

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
        self.start = base_commit
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
        no profile is applied and the diff is taken against ``HEAD``; ``release`` disposes of the
        container when the sandbox is closed."""
        sandbox = cls.__new__(cls)
        sandbox._attach(container, limits, workdir, release)
        sandbox.start = "HEAD"
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
        # The diff is taken against the commit the image's repository starts at (the
        # official images built since 2025 commit their setup's edits on top of the base).
        # (A workdir that is no repository keeps the given base: diff() will say so.)
        head = self.exec("git rev-parse --verify -q HEAD", timeout=60)
        if head.exit_code == 0:
            self.start = head.text.strip()

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
        self.write_files({path: data})

    def write_files(self, files: Mapping[str, bytes]) -> None:
        # One archive: each put_archive costs the daemon about as much as an exec.
        self.container.put_archive("/", tar_files({self._path(p): d for p, d in files.items()}))

    def diff(self) -> str:
        return worktree_diff(self)

    def open_shell(self) -> ShellSession:
        stream = ExecStream(self.client, self.container, self.workdir, environment=self.environment)
        return ShellSession(stream)

    def limit_reached(self) -> str | None:
        return self.disk.stop()

    def detach(self) -> None:
        """Leave the container running for a person: :meth:`close` from now on only stops
        watching it."""
        self._release = _leave

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.disk.stop()
            self._release(self.container)

    def __enter__(self) -> DockerSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _leave(container: Any) -> None:
    """A detached sandbox's container stays: a person enters and removes it."""


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
