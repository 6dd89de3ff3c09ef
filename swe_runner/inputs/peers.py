"""Which tasks of a dataset share image layers (:class:`~swe_runner.task.Peers`).

Computed once when a dataset is loaded, over all its tasks (before any filter), so a
slice of a dataset builds the same images as the whole of it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence

from swe_runner.task import Peers, Task

__all__ = ["with_peers"]


def _env_key(task: Task) -> Hashable:
    spec = task.env_spec
    if spec is None:
        return (task.repo, None)
    return (task.repo, spec.python, spec.base_image, spec.packages, spec.conda_env_files)


def _chain_key(task: Task) -> Hashable:
    """The environment and the setup: the instances whose images run the same setup on
    the same environment stand on one chain of snapshots."""
    spec = task.env_spec
    if spec is None:
        return _env_key(task)
    return (_env_key(task), spec.pre_install, spec.install)


def _hub_key(task: Task) -> Hashable:
    spec = task.env_spec
    return (task.repo, spec.python, spec.base_image) if spec is not None else None


def _oldest(tasks: Sequence[Task], key: Callable[[Task], Hashable]) -> dict[Hashable, Task]:
    """The oldest task (by creation, then by id) of each ``key`` (None: none)."""
    oldest: dict[Hashable, Task] = {}
    for task in tasks:
        k = key(task)
        if k is not None and (
            k not in oldest
            or (task.created_at, task.instance_id) < (oldest[k].created_at, oldest[k].instance_id)
        ):
            oldest[k] = task
    return oldest


def _setup(task: Task) -> tuple[str, ...]:
    spec = task.env_spec
    return (*spec.pre_install, *spec.install) if spec is not None else ()


def with_peers(tasks: Sequence[Task]) -> tuple[Task, ...]:
    """``tasks``, each with the base commits of its chain's and its environment's tasks,
    and the hub of its repository's environments: the oldest task (by creation) of the
    repository's tasks on the same Python and base image (itself, for that task)."""
    by_chain: dict[Hashable, set[tuple[str, str, str]]] = defaultdict(set)
    by_env: dict[Hashable, set[str]] = defaultdict(set)
    for task in tasks:
        setup = (task.base_commit, task.environment_setup_commit or "", task.created_at)
        by_chain[_chain_key(task)].add(setup)
        by_env[_env_key(task)].add(task.base_commit)
    first = _oldest(tasks, _env_key)  # each environment's oldest task
    peered = [
        task.model_copy(
            update={
                "peers": Peers(
                    chain_setups=tuple(sorted(by_chain[_chain_key(task)])),
                    env=tuple(sorted(by_env[_env_key(task)])),
                    env_setup=_setup(first[_env_key(task)]),
                )
            }
        )
        for task in tasks
    ]
    oldest = _oldest(peered, _hub_key)
    out = []
    for task in peered:
        hub = oldest.get(_hub_key(task))
        if hub is not None:
            task = task.model_copy(update={"peers": task.peers.model_copy(update={"hub": hub})})
        out.append(task)
    return tuple(out)
