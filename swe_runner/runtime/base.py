"""The runtime seam: what a run needs of the world, behind one interface.

A run asks its runtime for a task's image (built or pulled), for an agent sandbox started
from it, for fresh evaluation sandboxes (one per take, warmable ahead of need), and to
remove everything it started; ``reproduce`` also asks it to keep a sandbox running for a
person (:class:`Kept`: how to enter and remove it) and for an interactive shell in one.
The pipeline holds a :class:`Runtime` and never a Docker client:
:mod:`swe_runner.runtime.docker` is the real one, :mod:`swe_runner.runtime.fake` runs the
same pipeline on host folders. Every implementation passes
``tests/runtime/test_conformance.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from swe_runner.sandbox.base import Sandbox
from swe_runner.sandbox.profiles import ImageProfile
from swe_runner.task import Task

__all__ = ["Kept", "Leftover", "Runtime"]


@dataclass(frozen=True)
class Leftover:
    """A sandbox a swe-runner process started, as ``swe-runner clean`` lists it ("?" or
    "-" where its labels do not say)."""

    id: str
    owner: str  # the process that started it, host:pid
    run: str
    instance: str
    state: str


@dataclass(frozen=True)
class Kept:
    """A sandbox left running for a person (``reproduce --keep``): its short id and the
    shell command lines that enter it and remove it."""

    id: str
    enter: str
    remove: str


class Runtime(Protocol):
    """Images and sandboxes for one run. Safe to share between worker threads.

    Everything a runtime starts carries the run's identity (for Docker: the labels it was
    opened with), so :meth:`remove_all` finds it even after a crash of another process.
    A runtime opened to keep (``open_runtime(..., keep=True)``) marks everything it starts
    as kept on purpose (``swe-runner clean`` spares it) and leaves each evaluation sandbox
    running when it is closed (:meth:`kept`).
    """

    name: str  # "docker", "fake": recorded in run.json

    @property
    def profile(self) -> ImageProfile:
        """What sandboxes of this runtime's images need (environment activation...)."""
        ...

    @property
    def ca_bundle(self) -> Path | None:
        """The extra CA bundle the images are built with (setting ``ca_bundle``), or None:
        what the evaluation's reinstall trusts too."""
        ...

    def versions(self) -> dict[str, str]:
        """What to record in run.json about the runtime (e.g. the Docker daemon's version).

        Raises:
            DockerUnavailableError: the runtime's backend does not answer.
        """
        ...

    def image(self, task: Task, source: Path | None) -> str:
        """``task``'s image, built or pulled if missing (``source``: the suite's own copy
        of its repository, for builds).

        Raises:
            ImageError, RepoError: the image cannot be made ready (only this task fails).
        """
        ...

    def image_ready(self, task: Task) -> str | None:
        """``task``'s image if it is already here, else None (nothing is built or pulled)."""
        ...

    def agent_sandbox(self, image: str, task: Task, network: str) -> Sandbox:
        """A sandbox of ``image`` for an agent to work on ``task``; its diff is taken
        against the work tree as the sandbox started (:func:`~swe_runner.sandbox.base.snapshot`):
        what was untracked or edited before the agent acted is no part of its patch unless
        the agent changed it. Close it when done.

        Raises:
            ImageError, ContainerError: it could not be started.
        """
        ...

    def warm(self, image: str) -> None:
        """Start an evaluation sandbox of ``image`` ahead of one later
        :meth:`eval_sandbox`; a no-op where starting one is cheap."""
        ...

    def eval_sandbox(self, image: str) -> Sandbox:
        """A fresh sandbox of ``image`` nobody has used, with the evaluation's limits.
        Close it when done (it is removed off the caller's critical path).

        Raises:
            ImageError, ContainerError: it could not be started.
        """
        ...

    def kept(self) -> list[Kept]:
        """The evaluation sandboxes left running instead of removed, in the order used
        ([] unless the runtime was opened to keep)."""
        ...

    def keep(self, sandbox: Sandbox) -> Kept:
        """Leave ``sandbox`` (one of this runtime's) running for a person: closing it from
        now on leaves it be, and it outlives this process. Returns how to enter and
        remove it."""
        ...

    def discard(self, kept: Sequence[Kept]) -> None:
        """Remove sandboxes kept (:meth:`kept`, :meth:`keep`); ones already gone are fine."""
        ...

    def shell(self, sandbox: Sandbox) -> int:
        """An interactive bash in ``sandbox`` (one of this runtime's), at its workdir, on
        this process's terminal (its standard streams); returns the shell's exit status."""
        ...

    def remove_all(self) -> int:
        """Remove every sandbox of this run, running or left by a killed process (their
        commands fail at once); returns how many."""
        ...

    def close(self) -> None:
        """Remove the spare evaluation sandbox started ahead and release the runtime."""
        ...
