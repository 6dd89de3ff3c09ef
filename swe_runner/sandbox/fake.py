"""A sandbox on the host: a scratch repository and host processes. No isolation at all.

For unit tests (it passes the same conformance suite as the Docker sandbox) and for
debugging the agent loop without Docker. Never give it to an untrusted agent.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
from collections.abc import Mapping
from pathlib import Path

from swe_runner.sandbox.base import ExecResult, worktree_diff
from swe_runner.sandbox.shell import SHELL_COMMAND, ShellSession

__all__ = ["FakeSandbox", "PipeTransport", "run_process"]


def run_process(
    command: list[str],
    timeout: float,
    stdin: bytes | None = None,
    cwd: str | None = None,
    env: Mapping[str, str] | None = None,
) -> ExecResult:
    """Run a local process in a session of its own, stdout and stderr as one stream; past
    ``timeout`` its whole process group is killed (the result says it timed out)."""
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(stdin or b"", timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return ExecResult(None, out, timed_out=True)
    code = proc.returncode  # killed by a signal: the shell's 128 + N, as Docker reports
    return ExecResult(128 - code if code < 0 else code, out)


class PipeTransport:
    """A shell's stdin/stdout over pipes to a local process running ``command``.

    A timed-out command's process group is killed on the host; a subclass whose shell sees
    other process ids (a jail's) kills it its own way (:meth:`kill_group`).
    """

    def __init__(
        self, command: list[str], cwd: str | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout

    def send(self, data: bytes) -> None:
        try:
            self.stdin.write(data)
            self.stdin.flush()
        except BrokenPipeError:
            pass  # the shell is gone: the next recv reports end of stream

    def recv(self, timeout: float) -> bytes | None:
        ready, _, _ = select.select([self.stdout], [], [], max(timeout, 0))
        return os.read(self.stdout.fileno(), 65536) if ready else None

    def kill_group(self, pgid: int) -> None:
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(pgid, signal.SIGKILL)
        self.proc.wait()

    def close(self) -> None:
        for stream in (self.stdin, self.stdout):
            stream.close()
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class FakeSandbox:
    """The Sandbox interface over a host directory holding a git repository."""

    def __init__(self, workdir: Path, base_commit: str) -> None:
        self.workdir = str(workdir)
        self.start = base_commit
        self.shells: list[ShellSession] = []

    def _path(self, path: str) -> Path:
        return Path(self.workdir, path)

    def exec(
        self,
        command: str,
        timeout: float = 60.0,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
    ) -> ExecResult:
        env = {**os.environ, **env} if env else None
        return run_process(["bash", "-c", command], timeout, stdin, cwd=self.workdir, env=env)

    def read_file(self, path: str) -> bytes:
        return self._path(path).read_bytes()

    def write_file(self, path: str, data: bytes) -> None:
        target = self._path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def write_files(self, files: Mapping[str, bytes]) -> None:
        for path, data in files.items():
            self.write_file(path, data)

    def diff(self) -> str:
        return worktree_diff(self)

    def open_shell(self) -> ShellSession:
        shell = ShellSession(PipeTransport(SHELL_COMMAND, cwd=self.workdir))
        self.shells.append(shell)
        return shell

    def limit_reached(self) -> str | None:
        return None  # no limits on the host

    def close(self) -> None:
        for shell in self.shells:
            shell.close()
        self.shells.clear()
