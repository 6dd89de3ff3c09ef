"""Where a task's image comes from: built here, or the official prebuilt one pulled.

The ``images`` setting picks one: ``build`` (base -> env -> instance, :mod:`images`) or
``official`` (:mod:`official_images`). Both answer the same two questions (the image of a
task, made ready; the image of a task if it is already here) and carry the
:class:`~swe_runner.sandbox.profiles.ImageProfile` their containers need.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from swe_runner.config import Settings
from swe_runner.images.build import ImageBuilder
from swe_runner.images.official import ImagePuller, PullProgress, official_image
from swe_runner.sandbox.containers import connect
from swe_runner.sandbox.profiles import BUILD, OFFICIAL, ImageProfile
from swe_runner.task import Task

__all__ = ["BuiltImages", "ImageSource", "OfficialImages", "image_source"]


class ImageSource(Protocol):
    """The images of a run's tasks. Safe to share between worker threads."""

    profile: ImageProfile

    def ensure(self, task: Task, source: Path | None) -> str:
        """``task``'s image, built or pulled if missing (``source``: the suite's own copy of
        its repository, for builds).

        Raises:
            ImageError, RepoError: the image cannot be made ready (only this task fails).
        """
        ...

    def ready(self, task: Task) -> str | None:
        """``task``'s image if it is already here, else None (nothing is built or pulled)."""
        ...


class BuiltImages:
    """Images built here from the task's environment spec."""

    profile = BUILD

    def __init__(self, settings: Settings, notify: Callable[[str], None]) -> None:
        self.builder = ImageBuilder(settings, notify)

    def ensure(self, task: Task, source: Path | None) -> str:
        return self.builder.ensure_instance(task, source)

    def ready(self, task: Task) -> str | None:
        if task.env_spec is None:
            return None
        tag = self.builder.instance_tag(task, task.env_spec)
        return tag if self.builder.exists(tag) else None


class OfficialImages:
    """The official prebuilt instance images, pulled on demand from ``namespace``."""

    profile = OFFICIAL

    def __init__(
        self,
        namespace: str | None,
        notify: Callable[[str], None],
        progress: PullProgress | None = None,
    ) -> None:
        self.namespace = namespace
        self.puller = ImagePuller(connect(), notify, progress)

    def ensure(self, task: Task, source: Path | None) -> str:
        return self.puller.ensure(official_image(task, self.namespace))

    def ready(self, task: Task) -> str | None:
        image = official_image(task, self.namespace)
        return image if self.puller.exists(image) else None


def image_source(
    settings: Settings,
    notify: Callable[[str], None] = lambda _: None,
    progress: PullProgress | None = None,
) -> ImageSource:
    """The image source ``settings.images`` names."""
    if settings.images == "official":
        return OfficialImages(settings.image_namespace, notify, progress)
    return BuiltImages(settings, notify)
