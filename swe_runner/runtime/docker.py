"""The Docker runtime: images built or pulled (:mod:`swe_runner.images.source`), agent
containers, a pool of fresh evaluation containers started ahead of need, and removal by
the run's labels."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from swe_runner.config import Settings
from swe_runner.images.source import ImageSource, image_source
from swe_runner.runtime.base import Kept, Leftover
from swe_runner.sandbox.base import Sandbox, snapshot
from swe_runner.sandbox.containers import (
    ContainerLimits,
    connect,
    interactive_shell,
    orphaned_containers,
    remove_containers,
    remove_ids,
)
from swe_runner.sandbox.docker import DockerSandbox
from swe_runner.sandbox.labels import INSTANCE_LABEL, KEPT_LABEL, OWNER_LABEL, RUN_LABEL
from swe_runner.sandbox.pool import ContainerPool, KeepingPool
from swe_runner.sandbox.profiles import ImageProfile, get_profile
from swe_runner.task import Task

__all__ = ["DockerRuntime", "leftovers", "remove_leftovers"]


class DockerRuntime:
    """Containers on the daemon in the environment (``DOCKER_HOST`` or the socket).

    ``keep``: evaluation containers are left running for a person to inspect
    (``reproduce --keep``), listed by :meth:`kept`, instead of being removed; every
    container carries :data:`KEPT_LABEL` (``clean`` spares it).
    ``eval_limits``: the evaluation containers' limits, instead of the settings' ones.
    """

    name = "docker"

    def __init__(
        self,
        settings: Settings,
        labels: Mapping[str, str],
        notify: Callable[[str], None] = lambda _: None,
        keep: bool = False,
        eval_limits: ContainerLimits | None = None,
    ) -> None:
        self.settings, self.notify = settings, notify
        self.labels = {**labels, KEPT_LABEL: "1"} if keep else dict(labels)
        self.keeping = keep
        self.eval_limits = eval_limits or ContainerLimits.of(settings)
        self._images: ImageSource | None = None
        self._pool: ContainerPool | None = None
        self._lock = threading.Lock()

    @property
    def profile(self) -> ImageProfile:
        return get_profile(self.settings.images)

    @property
    def images(self) -> ImageSource:
        with self._lock:
            if self._images is None:
                self._images = image_source(self.settings, self.notify)
            return self._images

    @property
    def pool(self) -> ContainerPool:
        with self._lock:
            if self._pool is None:
                make = KeepingPool if self.keeping else ContainerPool
                self._pool = make(self.eval_limits, self.labels)
            return self._pool

    @property
    def ca_bundle(self) -> Path | None:
        return self.settings.ca_bundle

    def versions(self) -> dict[str, str]:
        return {"docker": str(connect().version().get("Version", "?"))}

    def image(self, task: Task, source: Path | None) -> str:
        return self.images.ensure(task, source)

    def image_ready(self, task: Task) -> str | None:
        return self.images.ready(task)

    def agent_sandbox(self, image: str, task: Task, network: str) -> DockerSandbox:
        sandbox = DockerSandbox(
            image,
            task.base_commit,
            ContainerLimits.of(self.settings, network),
            labels={**self.labels, INSTANCE_LABEL: task.instance_id},
            profile=self.profile,
        )
        try:
            sandbox.start = snapshot(sandbox)
        except BaseException:
            sandbox.close()
            raise
        return sandbox

    def warm(self, image: str) -> None:
        self.pool.warm(image)

    def eval_sandbox(self, image: str) -> DockerSandbox:
        pool = self.pool
        return DockerSandbox.adopt(pool.take(image), pool.limits, release=pool.discard)

    def kept(self) -> list[Kept]:
        pool = self._pool
        return [_kept(c.id) for c in pool.kept] if isinstance(pool, KeepingPool) else []

    def keep(self, sandbox: Sandbox) -> Kept:
        container = _container(sandbox)
        container.detach()
        return _kept(container.container.id)

    def discard(self, kept: Sequence[Kept]) -> None:
        remove_ids([k.id for k in kept])

    def shell(self, sandbox: Sandbox) -> int:
        return interactive_shell(_container(sandbox).container.id, sandbox.workdir)

    def remove_all(self) -> int:
        return remove_containers(self.labels)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()


def _container(sandbox: Sandbox) -> DockerSandbox:
    if not isinstance(sandbox, DockerSandbox):
        raise TypeError(f"not a sandbox of the Docker runtime: {sandbox!r}")
    return sandbox


def _kept(container_id: str) -> Kept:
    cid = container_id[:12]
    return Kept(cid, f"docker exec -it {cid} bash", f"docker rm -f {cid}")


def leftovers(everyone: bool = False) -> list[Leftover]:
    """swe-runner containers whose process is gone (killed, crashed), kept ones aside;
    ``everyone``: every swe-runner container.

    Raises:
        DockerUnavailableError: no daemon answers.
    """
    return [
        Leftover(
            entry["Id"],
            entry["Labels"].get(OWNER_LABEL, "?"),
            entry["Labels"].get(RUN_LABEL, "-"),
            entry["Labels"].get(INSTANCE_LABEL, "-"),
            entry.get("State", "?"),
        )
        for entry in orphaned_containers(everyone)
    ]


def remove_leftovers(found: list[Leftover]) -> None:
    """Force-remove ``found``; ones already gone are fine."""
    remove_ids([leftover.id for leftover in found])
