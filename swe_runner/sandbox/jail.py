"""A container made of host folders: the fake runtime's sandbox, without Docker.

A jail is one Linux mount and PID namespace (``unshare``) whose root is a fresh tmpfs: the
host's top-level folders are bound into it read-only, ``/proc`` is its own (its processes
only), ``/tmp`` is a fresh tmpfs, and the jail's own folders (``/testbed``, ``/venv``) are
host folders bound writable. Every command enters it (``nsenter``) as ``docker exec``
enters a container, so paths like ``/testbed`` and ``/swe-runner`` mean what they mean in
an image, processes started by one command are seen by the next, and a script that kills
every process it did not start (the evaluation's ``reap``) reaches only the jail's.

It is not a security boundary: what runs inside is the host's own programs as root, with
the network of the host. It exists to run swe-runner's whole pipeline in the fast tests
and on a machine without Docker, on trusted code. Needs Linux and root (or unprivileged
user namespaces).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from swe_runner.errors import ContainerError
from swe_runner.sandbox.base import ExecResult, worktree_diff
from swe_runner.sandbox.fake import PipeTransport, run_process
from swe_runner.sandbox.shell import SHELL_COMMAND, ShellSession

__all__ = ["JailSandbox"]

# Builds the jail's root on a tmpfs at $1 and binds the writable folders given as
# "host:/inside" words after it; then reports it is ready and stays as the jail's init.
_SETUP = r"""
set -e
R=$1; shift
mount -t tmpfs -o mode=0755 jail "$R"
for entry in /*; do
  name=${entry#/}
  case " proc tmp $SKIP " in *" $name "*) continue ;; esac
  if [ -L "$entry" ]; then ln -s "$(readlink "$entry")" "$R/$name"
  elif [ -d "$entry" ]; then
    mkdir "$R/$name"; mount --rbind "$entry" "$R/$name"
    case "$name" in dev|sys) ;; *) mount -o remount,bind,ro "$R/$name" ;; esac
  fi
done
mkdir "$R/proc" "$R/tmp"; chmod 1777 "$R/tmp"
mount -t proc proc "$R/proc"; mount -t tmpfs -o mode=1777 tmp "$R/tmp"
for bind in "$@"; do
  mkdir -p "$R${bind#*:}"; mount --bind "${bind%%:*}" "$R${bind#*:}"
done
echo ready
exec chroot "$R" sleep infinity
"""
_PATH = "/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_READ = 'if [ -d "$1" ]; then exit 21; elif [ ! -f "$1" ]; then exit 2; fi; cat -- "$1"'


class _JailTransport(PipeTransport):
    """A shell's stdin/stdout over pipes to a process inside the jail."""

    def __init__(self, jail: JailSandbox) -> None:
        super().__init__(jail.enter(SHELL_COMMAND), env=jail.environment(None))
        self.jail = jail

    def kill_group(self, pgid: int) -> None:
        # The shell reported its group as the jail numbers it: killed from inside.
        subprocess.run(self.jail.enter(["kill", "-9", "--", f"-{pgid}"]), capture_output=True)
        self.proc.wait()


class JailSandbox:
    """The Sandbox interface over a jail whose ``/testbed`` is the host folder ``testbed``.

    ``binds`` adds more host folders, by path inside (``{"/venv": Path(...)}``); ``root``
    is an empty host folder the jail's root is mounted on (nothing is written to it);
    ``on_close`` runs once the jail is gone.

    Raises (constructor):
        ContainerError: the jail could not be made (no ``unshare``, no privileges).
    """

    def __init__(
        self,
        root: Path,
        testbed: Path,
        base_commit: str,
        binds: Mapping[str, Path] | None = None,
        env: Mapping[str, str] | None = None,
        on_close: Callable[[], None] = lambda: None,
    ) -> None:
        self.workdir, self.start = "/testbed", base_commit
        self.root, self.env, self.on_close = root, dict(env or {}), on_close
        self.shells: list[ShellSession] = []
        self.closed = self.detached = self.removed = False
        every = {"/testbed": testbed, **(binds or {})}
        words = [f"{host.resolve()}:{inside}" for inside, host in every.items()]
        skip = " ".join(inside.strip("/").split("/")[0] for inside in every)
        command = ["unshare", "--mount", "--pid", "--fork", "--propagation", "private"]
        if os.geteuid() != 0:
            command += ["--user", "--map-root-user"]
        self.init = subprocess.Popen(
            [*command, "bash", "-c", _SETUP, "jail", str(root.resolve()), *words],
            env={"PATH": os.environ.get("PATH", _PATH), "SKIP": skip},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        assert self.init.stdout is not None
        said = self.init.stdout.readline()
        if said != b"ready\n":
            rest = said + self.init.stdout.read()
            self.init.wait()
            raise ContainerError(f"cannot make a jail: {rest.decode(errors='replace')[-400:]}")
        try:
            self.pid = self._jail_init()
        except ContainerError:
            os.killpg(self.init.pid, signal.SIGKILL)  # nothing is left half made
            self.init.wait()
            raise

    def _jail_init(self) -> int:
        """The host pid of the jail's first process (``unshare`` forked it)."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                tasks = Path(f"/proc/{self.init.pid}/task")
                for task in tasks.iterdir():
                    children = (task / "children").read_text().split()
                    if children and os.readlink(f"/proc/{children[0]}/root") != "/":
                        return int(children[0])  # chrooted: ready to be entered
            time.sleep(0.01)
        raise ContainerError("the jail's first process did not start")

    def enter(self, command: list[str], workdir: str | None = None) -> list[str]:
        """``command`` as a host command line that runs it inside the jail."""
        # The jail's first process is chrooted in the jail: its root is the jail's.
        target = ["-t", str(self.pid), "--mount", "--pid", "--root", "--wd"]
        if os.geteuid() != 0:
            target += ["--user", "--preserve-credentials"]
        return ["nsenter", *target, "env", "-C", workdir or self.workdir, *command]

    def environment(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        return {"PATH": _PATH, "HOME": "/tmp", "LANG": "C.UTF-8", **self.env, **(extra or {})}

    def exec(
        self,
        command: str,
        timeout: float = 60.0,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
    ) -> ExecResult:
        if self.closed:
            raise ContainerError("the jail is closed")
        command_line = self.enter(["bash", "-c", f"exec 2>&1\n{command}"])
        result = run_process(command_line, timeout, stdin, env=self.environment(env))
        if not result.timed_out and self.init.poll() is not None:
            raise ContainerError("the jail was removed while a command ran")
        return result

    def read_file(self, path: str) -> bytes:
        got = self.exec(f"set -- {shlex.quote(path)}; {_READ}", timeout=120)
        if got.exit_code == 2:
            raise FileNotFoundError(path)
        if got.exit_code == 21:
            raise IsADirectoryError(path)
        if got.exit_code != 0:
            raise ContainerError(f"reading {path} failed: {got.text[-300:]}")
        return got.output

    def write_file(self, path: str, data: bytes) -> None:
        quoted = shlex.quote(path)
        done = self.exec(
            f'mkdir -p -- "$(dirname -- {quoted})" && cat > {quoted}', timeout=120, stdin=data
        )
        if done.exit_code != 0:
            raise ContainerError(f"writing {path} failed: {done.text[-300:]}")

    def write_files(self, files: Mapping[str, bytes]) -> None:
        for path, data in files.items():
            self.write_file(path, data)

    def diff(self) -> str:
        return worktree_diff(self)

    def open_shell(self) -> ShellSession:
        shell = ShellSession(_JailTransport(self))
        self.shells.append(shell)
        return shell

    def limit_reached(self) -> str | None:
        return None  # a jail has no limits of its own

    def detach(self) -> None:
        """Leave the jail running for a person: :meth:`close` from now on only closes this
        process's shells; :meth:`remove` still ends it."""
        self.detached = True

    def close(self) -> None:
        """Kill everything in the jail (ending its first process ends its namespace),
        unless it was detached."""
        if self.closed:
            return
        self.closed = True
        self._close_shells()
        if not self.detached:
            self.remove()

    def _close_shells(self) -> None:
        for shell in self.shells:
            shell.close()
        self.shells.clear()

    def remove(self) -> None:
        """Kill everything in the jail, detached or not; once."""
        if self.removed:
            return
        self.closed = self.removed = True
        self._close_shells()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.init.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        self.init.wait()
        assert self.init.stdout is not None
        self.init.stdout.close()
        self.on_close()

    def __enter__(self) -> JailSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
