"""A persistent bash session over a byte stream, shared by every sandbox.

One bash process lives for the whole session, so ``cd``, variables and background jobs
survive between commands. Each command is sent as a single ANSI-C quoted ``eval`` line
(any bytes, and a syntax error cannot swallow what follows), with stdin from /dev/null,
followed by a sentinel line carrying a fresh nonce and the exit status. A command that runs
past its timeout gets its whole process group killed; the session is then dead and must be
replaced, which the bash tool does, telling the model.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Protocol

from swe_runner.sandbox.result import ExecResult

__all__ = ["SHELL_COMMAND", "ShellDead", "ShellSession", "Transport", "ansi_c_quote"]

# Started by each sandbox: a new session (so one kill reaches every child), stderr merged
# into stdout, and its process group id reported first.
SHELL_COMMAND = [
    "setsid",
    "--wait",  # the exec's own process stays until the shell ends: docker closes the
    # stdio of an exec whose first process has exited at its next exec in the container
    "bash",
    "--noprofile",
    "--norc",
    "-c",
    'read -r _ _ _ _ pgid _ < /proc/$$/stat; echo "__SWE_RUNNER_PGID_${pgid}__"; '
    "exec bash --noprofile --norc 2>&1",
]
_PGID = re.compile(rb"__SWE_RUNNER_PGID_(\d+)__\n")
_SAFE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-+=.,/:@%^")


class ShellDead(Exception):
    """The shell exited or was killed; open a new session. ``output`` is what it printed."""

    def __init__(self, message: str, output: bytes = b"") -> None:
        super().__init__(message)
        self.output = output


class Transport(Protocol):
    """A bidirectional byte stream to a bash process (stdout and stderr merged)."""

    def send(self, data: bytes) -> None: ...

    def recv(self, timeout: float) -> bytes | None:
        """Up to a chunk of output; ``b""`` at end of stream, None if nothing came in time."""
        ...

    def kill_group(self, pgid: int) -> None:
        """Kill the shell's process group (the shell and everything it started)."""
        ...

    def close(self) -> None: ...


def ansi_c_quote(command: str | bytes) -> str:
    """``$'...'`` quoting that carries any bytes (invalid UTF-8 included) through bash."""
    data = (
        command.encode("utf-8", errors="surrogateescape") if isinstance(command, str) else command
    )
    return "$'" + "".join(chr(b) if b in _SAFE else f"\\x{b:02x}" for b in data) + "'"


class ShellSession:
    """One live bash process. Not thread-safe: one command at a time."""

    def __init__(self, transport: Transport, start_timeout: float = 30.0) -> None:
        self.transport = transport
        self.alive = True
        self._buffer = b""
        try:
            found = self._read_until(_PGID, time.monotonic() + start_timeout)
        except TimeoutError:
            transport.close()
            raise ShellDead(f"the shell did not start within {start_timeout:g}s") from None
        self.pgid = int(found.group(1))
        self._buffer = b""

    def run(self, command: str, timeout: float) -> ExecResult:
        """Run ``command`` in the session; on timeout kill it and raise nothing but return
        ``timed_out=True`` (the session is then dead).

        Raises:
            ShellDead: the shell was already dead, or exited during the command.
        """
        if not self.alive:
            raise ShellDead("the shell is no longer running")
        nonce = secrets.token_hex(8)
        sentinel = re.compile(rb"\n__SWE_RUNNER_DONE_" + nonce.encode() + rb"_(\d+)__\n")
        # One line: a syntax error inside eval must not make bash drop the sentinel.
        line = (
            f"eval {ansi_c_quote(command)} < /dev/null; "
            f"printf '\\n__SWE_RUNNER_DONE_%s_%d__\\n' {nonce} \"$?\"\n"
        )
        self.transport.send(line.encode())
        try:
            match = self._read_until(sentinel, time.monotonic() + timeout)
        except TimeoutError:
            output, self._buffer = self._buffer, b""
            self.kill()
            return ExecResult(None, output, timed_out=True)
        output = self._buffer[: match.start()]
        self._buffer = self._buffer[match.end() :]
        return ExecResult(int(match.group(1)), output)

    def _read_until(self, pattern: re.Pattern[bytes], deadline: float) -> re.Match[bytes]:
        searched = 0
        while True:
            # Only look at what is new (plus room for a sentinel split across chunks).
            match = pattern.search(self._buffer, max(0, searched - 64))
            if match:
                return match
            searched = len(self._buffer)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            chunk = self.transport.recv(remaining)
            if chunk == b"":
                self.alive = False
                self.transport.close()
                raise ShellDead("the shell exited", self._buffer)
            if chunk:
                self._buffer += chunk

    def kill(self) -> None:
        """Kill the shell and everything it started; the session is dead afterwards."""
        if self.alive:
            self.alive = False
            try:
                self.transport.kill_group(self.pgid)
            finally:
                self.transport.close()

    def close(self) -> None:
        self.kill()
