"""A real Ray cluster on this machine for tests and benchmarks: a head node and worker
nodes, each a ``ray start --block`` process group of our own, with a private temp folder,
free ports, and token auth (one token for the cluster and its drivers, never written to
~/.ray). Every node advertises the ``docker`` resource: they share this machine's daemon.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAY = [sys.executable, "-m", "ray.scripts.scripts"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Node:
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL the node's whole process group (raylet, agents, workers): a node lost."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM the group, then SIGKILL what is left after 15 s."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        self.kill()
        _reap_group(self.process.pid)


def _reap_group(pgid: int) -> None:
    """Wait (up to 10 s) until no process of group ``pgid`` is left."""
    end = time.monotonic() + 10
    while time.monotonic() < end:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            return
        time.sleep(0.2)


@dataclass
class LocalCluster:
    """Start with :func:`local_cluster`; ``env`` is what a driver needs to join it."""

    root: Path
    cpus: int = 2
    env: dict[str, str] = field(default_factory=dict)
    address: str = ""
    head: Node | None = None
    workers: list[Node] = field(default_factory=list)

    def _start(self, name: str, args: list[str]) -> Node:
        log = self.root / f"{name}.log"
        resources = json.dumps({"docker": 1})
        command = [*RAY, "start", *args, "--num-cpus", str(self.cpus), "--resources", resources]
        command += ["--block", "--disable-usage-stats"]
        command += ["--dashboard-agent-listen-port", str(free_port())]
        command += ["--node-ip-address", "127.0.0.1"]  # the cluster stays on loopback
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **self.env},
                start_new_session=True,  # its own process group: killed as one
            )
        node = Node(process, log)
        end = time.monotonic() + 90
        while b"Ray runtime started" not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > end:
                node.stop()
                raise RuntimeError(f"ray start {name} failed:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        return node

    def start_head(self) -> None:
        token = secrets.token_hex(16)
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
        self.env = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": token, "PYTHONPATH": path}
        port = free_port()
        self.address = f"127.0.0.1:{port}"
        args = ["--head", "--port", str(port), "--temp-dir", str(self.root / "ray")]
        args += ["--include-dashboard", "false", "--ray-client-server-port", str(free_port())]
        self.head = self._start("head", args)

    def add_worker(self) -> Node:
        node = self._start(f"worker{len(self.workers)}", ["--address", self.address])
        self.workers.append(node)
        self.wait_for_nodes(1 + len([w for w in self.workers if w.process.poll() is None]))
        return node

    def wait_for_nodes(self, count: int, deadline: float = 60) -> None:
        """Until ``count`` nodes are alive (asked from a driver of its own)."""
        code = (
            "import ray, logging\n"
            f"ray.init(address={self.address!r}, logging_level=logging.ERROR)\n"
            "print('alive', sum(1 for n in ray.nodes() if n['Alive']))"
        )
        end = time.monotonic() + deadline
        while True:
            done = subprocess.run(
                [sys.executable, "-c", code],
                capture_output=True,
                text=True,
                env={**os.environ, **self.env},
                timeout=120,
            )
            # Ray prints warnings of its own to stdout (lagging heartbeats on a busy machine).
            counts = re.findall(r"^alive (\d+)$", done.stdout, re.MULTILINE)
            alive = int(counts[-1]) if done.returncode == 0 and counts else -1
            if alive >= count:
                return
            if time.monotonic() > end:
                raise RuntimeError(f"{alive} of {count} nodes alive: {done.stderr[-2000:]}")
            time.sleep(1)

    def stop(self) -> None:
        for node in [*self.workers, *([self.head] if self.head else [])]:
            node.stop()


@contextmanager
def local_cluster(root: Path, workers: int = 1, cpus: int = 2) -> Iterator[LocalCluster]:
    """A head and ``workers`` worker nodes, stopped on exit (whatever happened)."""
    root.mkdir(parents=True, exist_ok=True)
    cluster = LocalCluster(root, cpus)
    try:
        cluster.start_head()
        for _ in range(workers):
            cluster.add_worker()
        yield cluster
    finally:
        cluster.stop()
