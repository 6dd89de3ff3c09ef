"""The executor seam: where a run's instances run.

A run hands its executor a list of jobs (picklable, each with a ``key``: its instance, and
a ``group``: the environment it needs) and a :class:`Listener`; the executor runs each job
on a :class:`Station` (a runtime and an agent, one per place: this process, or each node
of a cluster) and reports back on the thread that called :meth:`Executor.run`: when a job
starts, its result, a job run again elsewhere (with the reason), a job that could not be
run at all. Implementations: :mod:`swe_runner.executors.local` (a bounded pool of threads,
the default) and :mod:`swe_runner.executors.ray` (the nodes of a Ray cluster).

Every implementation, interrupted (Ctrl-C), stops its jobs, removes their sandboxes and
re-raises; a result that arrives after that is dropped, so the run records the instances
that were in flight as interrupted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from swe_runner.models.ratelimit import RateLimit

__all__ = ["Executor", "Listener", "NodeServices", "Recipe", "Station", "Unit"]


class Unit(Protocol):
    """What an executor needs to know of a job."""

    @property
    def key(self) -> str:
        """Its instance: one result per key."""
        ...

    @property
    def group(self) -> str:
        """The environment it needs (jobs of one group share most of an image)."""
        ...


J = TypeVar("J", bound=Unit)
R = TypeVar("R")
J_contra = TypeVar("J_contra", bound=Unit, contravariant=True)
R_co = TypeVar("R_co", covariant=True)


class Station(Protocol[J_contra, R_co]):
    """What runs jobs in one place. Safe to share between threads."""

    def run(self, job: J_contra) -> R_co:
        """The job's result; a failure of the job is its result, never an exception."""
        ...

    def versions(self) -> dict[str, str]:
        """What to record in run.json about this place (its Docker daemon's version...)."""
        ...

    def remove_all(self) -> int:
        """Remove every sandbox of the run here; returns how many."""
        ...

    def close(self) -> None: ...


def _ignore(_: str) -> None:
    pass


@dataclass(frozen=True)
class NodeServices:
    """What the executor gives a station as it is built: the place's name, the model rate
    limit shared by every worker of the run (None: the station makes its own) and where
    its messages go."""

    node: str = "local"
    rate_limit: RateLimit | None = None
    notify: Callable[[str], None] = _ignore


Recipe = Callable[[NodeServices], Station[J, R]]  # builds a place's station (picklable for Ray)


@dataclass(frozen=True)
class Listener(Generic[J, R]):
    """The run's side of an executor: called on the thread running :meth:`Executor.run`
    (``started`` may come from a worker thread)."""

    started: Callable[[J], None]
    finished: Callable[[J, R], None]
    failed: Callable[[J, str], None]  # no result could be had (the reason)
    retried: Callable[[J, str], None]  # lost with its place; it runs again elsewhere
    message: Callable[[str], None] = _ignore


class Executor(Protocol[J, R]):
    """Runs a run's jobs; a context manager that releases its places on exit."""

    name: str
    # How many jobs later the next one a worker takes is (a worker of the local pool takes
    # every ``workers``-th): a job may warm that one's sandbox. 0: not known.
    lookahead: int

    def versions(self) -> dict[str, str]:
        """What to record in run.json about where the jobs run.

        Raises:
            InfrastructureError: a place does not answer (the Docker daemon is down...).
        """
        ...

    def remove_all(self) -> int:
        """Remove the run's sandboxes everywhere (left by a killed process too)."""
        ...

    def run(self, jobs: Sequence[J], listener: Listener[J, R], stop: threading.Event) -> None:
        """Run every job, each to exactly one ``finished`` or ``failed``.

        Raises:
            KeyboardInterrupt (or any error of the caller's callbacks): after ``stop`` is
                set, the jobs in flight stopped and their sandboxes removed.
            ExecutorError: the jobs cannot be run at all (no place left to run them).
        """
        ...

    def close(self) -> None: ...
