"""Executors: where a run's instances run, behind one interface
(:mod:`swe_runner.executors.base`). ``local`` is a pool of threads in this process (the
default); ``ray`` spreads them over the nodes of a Ray cluster, imported only when chosen
(``pip install 'swe-runner[ray]'``)."""

from __future__ import annotations

from collections.abc import Callable

from swe_runner.config import Settings
from swe_runner.errors import ConfigError
from swe_runner.executors.base import Executor, J, Listener, NodeServices, R, Recipe, Station
from swe_runner.executors.local import LocalExecutor

__all__ = [
    "Executor",
    "Listener",
    "LocalExecutor",
    "NodeServices",
    "Recipe",
    "Station",
    "container_memory",
    "ray_executor",
]


def ray_executor(
    settings: Settings,
    recipe: Recipe[J, R],
    notify: Callable[[str], None] = lambda _: None,
) -> Executor[J, R]:
    """The executor on the Ray cluster at ``settings.ray_address`` (connected on first
    use): ``settings.workers`` jobs at once, at most ``settings.node_workers`` a node.

    Raises:
        ConfigError: Ray is not installed.
    """
    try:
        from swe_runner.executors.ray import RayExecutor
    except ImportError as exc:
        raise ConfigError(
            f"--executor ray needs Ray ({exc}): pip install 'swe-runner[ray]' on this "
            "machine and on every node of the cluster"
        ) from None
    return RayExecutor(
        settings.ray_address,
        settings.workers,
        settings.node_workers,
        container_memory(settings.mem_limit),
        settings.runtime == "docker",
        recipe,
        notify,
    )


_UNITS = {"b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def container_memory(limit: str) -> int:
    """Bytes of a Docker memory limit (``4g``, ``512m``, ``0``: none)."""
    text = limit.strip().lower()
    unit = _UNITS.get(text[-1:], 1) if text[-1:].isalpha() else 1
    number = text[:-1] if text[-1:].isalpha() else text
    try:
        return int(float(number) * unit)
    except ValueError:
        return 0
