"""Runtimes: what a run needs of the world (images, sandboxes, cleanup) behind one
interface (:mod:`swe_runner.runtime.base`). ``docker`` is the real one; ``fake`` runs the
same pipeline on host folders, for swe-runner's own tests and debugging."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from swe_runner.config import Settings
from swe_runner.runtime.base import Kept, Leftover, Runtime

__all__ = ["Kept", "Leftover", "Runtime", "leftovers", "open_runtime", "remove_leftovers"]


def open_runtime(
    settings: Settings,
    labels: Mapping[str, str],
    notify: Callable[[str], None] = lambda _: None,
    keep: bool = False,
) -> Runtime:
    """The runtime ``settings.runtime`` names, for the run ``labels`` identify; ``keep``:
    one that leaves its evaluation sandboxes running for a person (``reproduce --keep``).
    Docker is imported only here, and only when chosen."""
    if settings.runtime == "fake":
        from swe_runner.runtime.fake import FakeRuntime

        return FakeRuntime(settings, labels, notify, keep=keep)
    from swe_runner.runtime.docker import DockerRuntime

    return DockerRuntime(settings, labels, notify, keep=keep)


def leftovers(everyone: bool = False) -> list[Leftover]:
    """The Docker containers swe-runner processes that are gone left behind, kept ones
    aside (``everyone``: all of swe-runner's), whichever run or runtime setting made them.

    Raises:
        DockerUnavailableError: no daemon answers.
    """
    from swe_runner.runtime.docker import leftovers as docker_leftovers

    return docker_leftovers(everyone)


def remove_leftovers(found: list[Leftover]) -> None:
    """Force-remove ``found`` (:func:`leftovers`); ones already gone are fine."""
    from swe_runner.runtime.docker import remove_leftovers as docker_remove

    docker_remove(found)
