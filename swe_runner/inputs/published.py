"""Published trajectories of other scaffolds, read for a replay: mini-swe-agent's
``.traj.json`` (1.x: ``mini-swe-agent-1``; 2.x: ``mini-swe-agent-1.1``) and SWE-agent's
``.traj``.

Each is read into one :class:`PublishedTrajectory`: how the scaffold ran each action
(:class:`Shell`), the actions in order with what was recorded of them
(:class:`RecordedStep`), and the recorded submission. The format modules
(:mod:`~swe_runner.inputs.published_mini`, :mod:`~swe_runner.inputs.published_sweagent`)
say how each scaffold lays these out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from swe_runner.errors import InputError

__all__ = [
    "SUFFIXES",
    "PublishedTrajectory",
    "RecordedStep",
    "Shell",
    "StepKind",
    "find_trajectories",
    "is_published",
    "read_published",
]

SUFFIXES = (".traj.json", ".traj")


class StepKind(StrEnum):
    """What a recorded action is, for a replay."""

    SHELL = "shell"  # a shell command, run as the scaffold ran it
    EDITOR = "editor"  # an editor command swe-runner's editor runs (``arguments``)
    SUBMIT = "submit"  # the final step: its output is the submission
    OTHER = "other"  # a tool swe-runner cannot run (``tool`` names it)


@dataclass(frozen=True)
class Shell:
    """How the scaffold ran a shell action: a fresh ``interpreter`` per action (mini-swe-
    agent) or one persistent shell (``persistent``: SWE-agent), in ``cwd``, with ``env``,
    for at most ``timeout`` seconds."""

    interpreter: tuple[str, ...] = ("bash", "-lc")
    env: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    cwd: str = "/testbed"
    persistent: bool = False


@dataclass(frozen=True)
class RecordedStep:
    """One action of a published trajectory and what was recorded of it.

    ``output`` is None when nothing comparable was recorded; ``clipped`` holds the head and
    the tail the scaffold kept of a long output (``output`` is then None); ``exit_code`` is
    None when none was recorded (or the action timed out: ``timed_out``).
    """

    number: int  # 1-based, in the order the actions ran
    kind: StepKind
    action: str
    tool: str | None = None  # the tool's name (OTHER, EDITOR)
    arguments: dict[str, Any] | None = None  # swe-runner's editor arguments (EDITOR)
    output: str | None = None
    exit_code: int | None = None
    timed_out: bool = False
    clipped: tuple[str, str] | None = None


@dataclass(frozen=True)
class PublishedTrajectory:
    """A published trajectory: its actions, how they ran, and its submission."""

    instance_id: str
    path: Path
    scaffold: str  # "mini-swe-agent" or "SWE-agent"
    version: str  # the scaffold's version, or its trajectory format's
    shell: Shell
    steps: tuple[RecordedStep, ...]
    submission: str  # what the scaffold handed on as the patch
    exit_status: str
    submit_needs_zero_exit: bool = False  # mini-swe-agent 2.x: a failed submit continues

    @property
    def source(self) -> str:
        return f"{self.scaffold} {self.version} ({self.path.name})"


def _instance_id(path: Path) -> str:
    for suffix in SUFFIXES:
        if path.name.endswith(suffix):
            return path.name[: -len(suffix)]
    return path.stem


def find_trajectories(source: Path) -> dict[str, Path]:
    """The trajectory files at ``source`` by instance id: the file itself, or a folder's
    ``<id>.traj.json``, ``<id>/<id>.traj.json``, ``<id>.traj`` or ``<id>/<id>.traj``.

    Raises:
        InputError: two files claim one instance.
    """
    if source.is_file():
        return {_instance_id(source): source}
    if (source / "trajs").is_dir():  # an experiments folder (trajs/ beside logs/)
        source = source / "trajs"
    found: dict[str, Path] = {}
    for pattern in ("*.traj.json", "*/*.traj.json", "*.traj", "*/*.traj"):
        for path in sorted(source.glob(pattern)):
            iid = _instance_id(path)
            if path.parent != source and path.parent.name != iid:
                continue  # <other>/<id>.traj.json: not this layout
            if iid in found and found[iid] != path:
                raise InputError(
                    f"--from {source}: two trajectories of {iid}: {found[iid]} and {path}"
                )
            found[iid] = path
    return found


def is_published(source: Path) -> bool:
    """Is ``source`` a published trajectory, or a folder of them (not a swe-runner run)?"""
    if source.is_file():
        return source.name.endswith(SUFFIXES)
    return (
        source.is_dir() and not (source / "run.json").is_file() and bool(find_trajectories(source))
    )


def read_published(path: Path) -> PublishedTrajectory:
    """The trajectory at ``path``, in whichever of the known formats it is.

    Raises:
        InputError: unreadable, or in no format a replay knows.
    """
    from swe_runner.inputs import published_mini, published_sweagent

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"--from: unreadable trajectory {path}: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"--from: {path} is not a trajectory (not a JSON object)")
    iid = _instance_id(path)
    if str(data.get("trajectory_format", "")).startswith("mini-swe-agent"):
        return published_mini.read(iid, path, data)
    if isinstance(data.get("trajectory"), list):
        return published_sweagent.read(iid, path, data)
    raise InputError(
        f"--from: {path} is in no format a replay knows: mini-swe-agent's .traj.json "
        "(trajectory_format mini-swe-agent-1 or -1.1) or SWE-agent's .traj (a trajectory list)"
    )
