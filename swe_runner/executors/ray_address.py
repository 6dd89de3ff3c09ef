"""Which Ray cluster ``--ray-address`` names, and whether anything answers there, found out
in seconds (``ray.init`` retries a dead address for minutes, printing GCS warnings).

``auto`` (the default) is the cluster this machine belongs to: ``RAY_ADDRESS`` if set,
else the address the last ``ray start`` on this machine wrote to
``<RAY_TMPDIR or TMPDIR or /tmp>/ray/ray_current_cluster``, as Ray itself reads it. With
neither there is no cluster: swe-runner does not start a throwaway one for the run (it
would hide a cluster that was meant to be there, and on one machine ``--executor local``
does the same work without Ray); the error says how to start one.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

from swe_runner.errors import ExecutorError

__all__ = ["ANSWER_TIMEOUT", "ClusterAddress", "current_cluster_file", "resolve_address"]

ANSWER_TIMEOUT = 5.0  # seconds a head may take to accept a connection
START_ONE = (
    "start one with `ray start --head --port 6379 --resources '{\"docker\": 1}'` and give "
    "--ray-address HOST:PORT (README: Many machines); on one machine --executor local needs "
    "no cluster"
)


@dataclass(frozen=True)
class ClusterAddress:
    """A head's ``HOST:PORT`` and where it came from (for messages)."""

    address: str
    found: str  # e.g. "--ray-address", "RAY_ADDRESS", the ray_current_cluster file

    def describe(self) -> str:
        given = self.found == "--ray-address"
        return self.address if given else f"{self.address} (from {self.found})"


def current_cluster_file() -> Path:
    """Where ``ray start`` writes the address of the cluster this machine joined."""
    temp = os.environ.get("RAY_TMPDIR") or os.environ.get("TMPDIR") or "/tmp"
    return Path(temp) / "ray" / "ray_current_cluster"


def resolve_address(address: str) -> ClusterAddress:
    """The head ``address`` names (``auto``: see the module), checked to answer.

    Raises:
        ExecutorError: no cluster to be found, a malformed address, or nothing answers
            there within :data:`ANSWER_TIMEOUT` seconds (one line: the address, what to do).
    """
    found = _find(address)
    host, _, port = found.address.rpartition(":")
    if not host or not port.isdigit():
        raise ExecutorError(f"--ray-address {found.describe()!r}: expected HOST:PORT (or 'auto')")
    try:
        socket.create_connection((host, int(port)), timeout=ANSWER_TIMEOUT).close()
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        if found.found.endswith("ray_current_cluster"):
            hint = "that file names a cluster that is no longer running:"
        else:
            hint = "check the address and that its head is running, or"
        raise ExecutorError(
            f"cannot reach the Ray cluster at {found.describe()}: {reason}; {hint} {START_ONE}"
        ) from None
    return found


def _find(address: str) -> ClusterAddress:
    if address != "auto":
        return ClusterAddress(address, "--ray-address")
    if os.environ.get("RAY_ADDRESS", "").strip() not in ("", "auto"):
        return ClusterAddress(os.environ["RAY_ADDRESS"].strip(), "RAY_ADDRESS")
    marker = current_cluster_file()
    try:
        written = marker.read_text(encoding="utf-8").strip()
    except OSError:
        written = ""
    if not written:
        raise ExecutorError(
            "no Ray cluster to join (--ray-address auto: RAY_ADDRESS is not set and no "
            f"`ray start` on this machine wrote {marker}): {START_ONE}"
        )
    return ClusterAddress(written, str(marker))
