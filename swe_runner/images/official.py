"""The official prebuilt SWE-bench instance images: their names, pulling them, their sizes.

An instance's image is ``<namespace>/sweb.eval.x86_64.<instance id>:latest`` with ``__`` in
the id written ``_1776_``; the namespace is ``swebench`` (Docker Hub) unless another is
given (a mirror, a local registry, Epoch AI's registry). A task record in SWE-bench 5.x's
format names its image itself (its ``image`` column); another namespace replaces the part
before the image's last ``/``. Each image is pulled once, even when several workers ask at
the same time; a missing image or an unreachable registry is an :class:`ImageError` naming
the image, so only that instance fails.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import docker.errors
import requests

from swe_runner.errors import ImageError
from swe_runner.sandbox.containers import connect
from swe_runner.task import Task

__all__ = [
    "DEFAULT_NAMESPACE",
    "ImagePuller",
    "PullProgress",
    "download_size",
    "image_name",
    "official_image",
]

DEFAULT_NAMESPACE = "swebench"
_MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
    ]
)


def image_name(instance_id: str, namespace: str = DEFAULT_NAMESPACE) -> str:
    """The official image of ``instance_id`` under ``namespace``."""
    key = instance_id.replace("__", "_1776_").lower()
    return f"{namespace.rstrip('/')}/sweb.eval.x86_64.{key}:latest"


def official_image(task: Task, namespace: str | None = None) -> str:
    """``task``'s official image: its record's own ``image`` (under ``namespace`` when one is
    given), else the official name under ``namespace`` (default ``swebench``)."""
    if not task.image:
        return image_name(task.instance_id, namespace or DEFAULT_NAMESPACE)
    if namespace is None:
        return task.image
    return f"{namespace.rstrip('/')}/{task.image.rsplit('/', 1)[-1]}"


# (image, bytes done, bytes in all) as a pull goes on; totals grow as layers are announced.
PullProgress = Callable[[str, int, int], None]


@dataclass
class ImagePuller:
    """Pulls images on demand, each once; safe to share between worker threads."""

    client: Any
    notify: Callable[[str], None] = lambda _: None
    progress: PullProgress | None = None
    _locks: dict[str, threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)
    _told: dict[str, int] = field(default_factory=dict)

    @classmethod
    def local(cls, notify: Callable[[str], None] = lambda _: None) -> ImagePuller:
        """A puller into the daemon of the environment (``DOCKER_HOST`` or the socket).

        Raises:
            DockerUnavailableError: no daemon answers.
        """
        return cls(connect(), notify)

    def size(self, image: str) -> int:
        """Bytes ``image`` (here) takes on disk, layers it shares with others included."""
        return int(self.client.images.get(image).attrs.get("Size", 0))

    def exists(self, image: str) -> bool:
        try:
            self.client.images.get(image)
        except docker.errors.ImageNotFound:
            return False
        return True

    def ensure(self, image: str) -> str:
        """``image``, pulled if it is not here yet.

        Raises:
            ImageError: the registry has no such image or cannot be reached.
        """
        with self._guard:
            lock = self._locks.setdefault(image, threading.Lock())
        with lock:
            if not self.exists(image):
                self.notify(f"pulling {image}")
                self._pull(image)
        return image

    def _pull(self, image: str) -> None:
        repository, _, tag = image.rpartition(":")
        if "/" in tag or not repository:  # a registry port, not a tag
            repository, tag = image, "latest"
        layers: dict[str, tuple[int, int]] = {}
        try:
            for event in self.client.api.pull(repository, tag, stream=True, decode=True):
                if "error" in event:
                    raise ImageError(f"cannot pull {image}: {event['error']}")
                self._track(image, event, layers)
        except docker.errors.APIError as exc:
            raise ImageError(f"cannot pull {image}: {exc.explanation}") from None
        except requests.RequestException as exc:
            raise ImageError(f"cannot pull {image}: {exc}") from None
        if not self.exists(image):
            raise ImageError(f"cannot pull {image}: the daemon reports no such image after it")

    def _track(self, image: str, event: dict[str, Any], layers: dict[str, tuple[int, int]]) -> None:
        detail = event.get("progressDetail") or {}
        layer = event.get("id")
        if layer and detail.get("total") and event.get("status") == "Downloading":
            layers[layer] = (int(detail.get("current", 0)), int(detail["total"]))
        elif layer and event.get("status") in ("Download complete", "Pull complete"):
            done = layers.get(layer, (0, 0))[1]
            layers[layer] = (done, done)
        if layers:
            done, total = sum(d for d, _ in layers.values()), sum(t for _, t in layers.values())
            (self.progress or self._say)(image, done, total)

    def _say(self, image: str, done: int, total: int) -> None:
        """Progress as a line every quarter of what is known so far (no progress bar)."""
        quarter = 4 * done // max(total, 1)
        with self._guard:
            if quarter <= self._told.get(image, 0):
                return
            self._told[image] = quarter
        self.notify(f"pulling {image}: {done / 1e6:,.0f} of {total / 1e6:,.0f} MB")


def _registry_and_path(image: str) -> tuple[str, str, str]:
    """(registry host, repository path, tag) of an image reference."""
    name, _, tag = image.rpartition(":")
    if "/" in tag or not name:
        name, tag = image, "latest"
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return first, rest, tag
    return "registry-1.docker.io", name if rest else f"library/{name}", tag


def _base_url(host: str) -> str:
    local = host.startswith(("127.", "localhost")) or host.split(":")[0] == "::1"
    return f"{'http' if local else 'https'}://{host}/v2"


def _get(session: requests.Session, url: str, scope: str) -> requests.Response:
    """GET with the registry's anonymous token when it asks for one (Docker Hub does)."""
    answer = session.get(url, timeout=15)
    challenge = answer.headers.get("WWW-Authenticate", "")
    if answer.status_code == 401 and challenge.lower().startswith("bearer "):
        fields = dict(
            part.split("=", 1) for part in challenge[7:].replace('"', "").split(",") if "=" in part
        )
        token = session.get(
            fields.pop("realm", ""), params={**fields, "scope": scope}, timeout=15
        ).json()
        bearer = token.get("token") or token.get("access_token", "")
        session.headers["Authorization"] = f"Bearer {bearer}"
        answer = session.get(url, timeout=15)
    answer.raise_for_status()
    return answer


def download_size(image: str) -> dict[str, int] | None:
    """The compressed size of each layer of ``image`` (digest -> bytes) as its registry's
    manifest lists it (linux/amd64 when the manifest is a list), or None when the registry
    cannot be asked. Layers shared between images have the same digest: count them once."""
    host, path, tag = _registry_and_path(image)
    base, scope = _base_url(host), f"repository:{path}:pull"
    session = requests.Session()
    session.headers["Accept"] = _MANIFEST_TYPES
    try:
        manifest = _get(session, f"{base}/{path}/manifests/{tag}", scope).json()
        if "manifests" in manifest:  # a list: the amd64 Linux image's own manifest
            chosen = next(
                m
                for m in manifest["manifests"]
                if m.get("platform", {}).get("architecture") == "amd64"
                and m.get("platform", {}).get("os") == "linux"
            )
            manifest = _get(session, f"{base}/{path}/manifests/{chosen['digest']}", scope).json()
        return {layer["digest"]: int(layer["size"]) for layer in manifest["layers"]}
    except (requests.RequestException, ValueError, KeyError, StopIteration):
        return None
