"""Which tasks of a dataset share image layers (:class:`~swe_runner.task.Peers`).

Computed once when a dataset is loaded, over all its tasks (before any filter), so a
slice of a dataset builds the same images as the whole of it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence

from swe_runner.task import Peers, Task

__all__ = ["with_peers"]


def _env_key(task: Task) -> Hashable:
    spec = task.env_spec
    if spec is None:
        return (task.repo, None)
    return (task.repo, spec.python, spec.base_image, spec.packages, spec.conda_env_files)


def with_peers(tasks: Sequence[Task]) -> tuple[Task, ...]:
    """``tasks``, each with the base commits of its version's and its environment's tasks."""
    by_version: dict[Hashable, set[str]] = defaultdict(set)
    by_env: dict[Hashable, set[str]] = defaultdict(set)
    for task in tasks:
        by_version[(task.repo, task.version)].add(task.base_commit)
        by_env[_env_key(task)].add(task.base_commit)
    return tuple(
        task.model_copy(
            update={
                "peers": Peers(
                    version=tuple(sorted(by_version[(task.repo, task.version)])),
                    env=tuple(sorted(by_env[_env_key(task)])),
                )
            }
        )
        for task in tasks
    )
