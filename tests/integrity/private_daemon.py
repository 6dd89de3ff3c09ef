"""A private second Docker daemon that leaves the host's daemon and networking untouched.

dockerd sets up the networking of the network namespace it runs in when it starts: with
``--bridge none`` it deletes the ``docker0`` link, without it rewrites the bridge and the
iptables rules. Started in the host's namespace, a second daemon thus takes ``docker0``
from the host's daemon, and every networked container fails (``could not find bridge
docker0``) until that daemon restarts. So the private daemon runs in a network namespace
of its own (``ip netns add``, entered with ``nsenter --net``), with its own socket, data
root, exec root (and so its own containerd) and pidfile; the namespace and every file are
removed afterwards.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

__all__ = ["PrivateDaemon", "host_bridge", "private_daemon"]


def host_bridge() -> str | None:
    """``ip link show docker0`` in this (the host's) namespace; None when it is gone."""
    done = subprocess.run(["ip", "link", "show", "docker0"], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None


class PrivateDaemon:
    """A dockerd in the network namespace ``netns``, everything of it under ``root``."""

    def __init__(self, root: Path, netns: str) -> None:
        self.root, self.netns = root, netns
        self.host = f"unix://{root}/docker.sock"  # a file: reachable from any namespace
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the daemon and wait until it answers."""
        # nsenter, not `ip netns exec`: that also remounts /sys, hiding the cgroup mounts.
        cmd = ["nsenter", f"--net=/var/run/netns/{self.netns}", "dockerd", "--host", self.host]
        cmd += ["--data-root", str(self.root / "data"), "--exec-root", str(self.root / "exec")]
        cmd += ["--pidfile", str(self.root / "pid"), "--bridge", "none"]
        cmd += ["--iptables=false", "--ip-masq=false"]
        with open(self.root / "dockerd.log", "ab") as log:  # the child keeps its own handle
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=log)
        end = time.monotonic() + 60
        while not self.answers():
            if self.proc.poll() is not None or time.monotonic() > end:
                tail = (self.root / "dockerd.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the private dockerd did not start:\n{tail}")
            time.sleep(0.2)

    def answers(self) -> bool:
        ping = ["docker", "-H", self.host, "info"]
        return subprocess.run(ping, capture_output=True).returncode == 0

    def stop(self) -> None:
        """Stop the daemon (it stops its containers and its containerd first)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def load_images(self, tags: Sequence[str]) -> None:
        """Copy the host daemon's images ``tags`` (with the layers under them) into this
        one: only those a test needs, not every image a machine that benchmarks real
        instances holds (tens of GB)."""
        save = subprocess.Popen(["docker", "save", *tags], stdout=subprocess.PIPE)
        subprocess.run(
            ["docker", "-H", self.host, "load", "-q"],
            stdin=save.stdout,
            check=True,
            capture_output=True,
        )
        save.wait()


@contextmanager
def private_daemon() -> Iterator[PrivateDaemon]:
    """A started :class:`PrivateDaemon` in a new network namespace; on leaving, the daemon
    is stopped and its namespace and files removed."""
    # A short root: containerd's socket path must stay under the 108-byte unix limit.
    root = Path(tempfile.mkdtemp(prefix="swe-fd-", dir="/tmp"))
    netns = f"swe-fd-{os.getpid()}-{secrets.token_hex(3)}"
    subprocess.run(["ip", "netns", "add", netns], check=True, capture_output=True)
    daemon = PrivateDaemon(root, netns)
    try:
        daemon.start()
        yield daemon
    finally:
        daemon.stop()
        subprocess.run(["ip", "netns", "delete", netns], check=False, capture_output=True)
        _remove_tree(root)


def _remove_tree(root: Path) -> None:
    # The stopped daemon unmounted its layers; should a mount remain, rm does not cross it.
    subprocess.run(["rm", "-rf", "--one-file-system", str(root)], capture_output=True)
