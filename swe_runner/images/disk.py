"""What swe-runner's images take on disk, counting each shared layer once.

Many tags can name one image, and the images share layers (every instance image holds its
environment image, which holds the base image), so adding up image sizes counts the base
once per image. Here each image's *unique* size comes from the daemon (``Size -
SharedSize``, as ``docker system df -v`` shows it), and the total on disk adds every image
only by what it puts on top of its nearest listed ancestor (the image whose layers are the
longest prefix of its own).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from swe_runner.sandbox.containers import connect

__all__ = [
    "UNTAGGED",
    "DiskUsage",
    "ImageInfo",
    "ImageRecord",
    "disk_usage",
    "images_on_disk",
    "list_images",
    "unique_sizes",
]

KIND_LABEL = "swe-runner.kind"
KINDS = ("base", "repo", "env", "snapshot", "instance")
UNTAGGED = "<none>"  # the tag column of an image without one
MB = 1e6


@dataclass(frozen=True)
class ImageInfo:
    """One tag of a swe-runner image (sizes are the image's, in MB)."""

    tag: str
    kind: str
    image_id: str
    size_mb: float
    unique_mb: float  # in no other image: what removing this image frees
    created: str


@dataclass(frozen=True)
class ImageRecord:
    """One image as the daemon describes it (sizes in bytes; shared_size -1: unknown)."""

    image_id: str
    layers: tuple[str, ...]
    size: int
    shared_size: int


@dataclass(frozen=True)
class DiskUsage:
    """Totals over distinct images: ``total_mb = unique_mb + shared_mb``."""

    images: int
    total_mb: float
    unique_mb: float
    shared_mb: float


def _own_sizes(records: Sequence[ImageRecord]) -> dict[str, int]:
    """Each image's size beyond its nearest ancestor among ``records`` (by layer prefix)."""
    own = {}
    for record in records:
        below = [
            other.size
            for other in records
            if len(other.layers) < len(record.layers)
            and record.layers[: len(other.layers)] == other.layers
        ]
        own[record.image_id] = max(0, record.size - max(below, default=0))
    return own


def unique_sizes(records: Sequence[ImageRecord]) -> dict[str, int]:
    """Bytes in each image only (the daemon's figure; its own layers when it has none)."""
    own = _own_sizes(records)
    return {
        r.image_id: max(0, r.size - r.shared_size) if r.shared_size >= 0 else own[r.image_id]
        for r in records
    }


def disk_usage(records: Sequence[ImageRecord], ancestors: Sequence[ImageRecord] = ()) -> DiskUsage:
    """The disk ``records`` take together, every shared layer counted once. ``ancestors``:
    other images of the daemon whose layers ``records`` stand on (an untagged base image),
    counted too, once."""
    ours = {r.image_id for r in records}
    below = [
        a
        for a in ancestors
        if a.image_id not in ours
        and any(r.layers[: len(a.layers)] == a.layers for r in records if r.layers)
    ]
    one_each = {r.layers: r for r in [*below, *records]}  # images of the very same layers
    total = sum(_own_sizes(list(one_each.values())).values())
    unique = sum(unique_sizes(records).values())
    return DiskUsage(len(records), total / MB, unique / MB, max(0, total - unique) / MB)


def _records(images: list[Any], shared: dict[str, int]) -> list[ImageRecord]:
    return [
        ImageRecord(
            image.id,
            tuple(image.attrs.get("RootFS", {}).get("Layers") or ()),
            int(image.attrs.get("Size", 0)),
            shared.get(image.id, -1),
        )
        for image in images
    ]


def list_images(kinds: tuple[str, ...] = KINDS) -> list[ImageInfo]:
    """Every tag of a swe-runner image of ``kinds``, base first."""
    return images_on_disk(kinds)[0]


def images_on_disk(kinds: tuple[str, ...] = KINDS) -> tuple[list[ImageInfo], DiskUsage]:
    """Every tag of a swe-runner image of ``kinds`` (base first), and their disk usage."""
    client: Any = connect()
    images = [
        image
        for image in client.images.list(filters={"label": KIND_LABEL})
        if image.labels.get(KIND_LABEL, "?") in kinds
    ]
    # Intermediate images too: two images built from one cached step share layers that no
    # listed image ends at.
    mine = {image.id for image in images}
    everything = [i for i in client.images.list(all=True) if i.id not in mine]
    shared = {i["Id"]: int(i.get("SharedSize", -1)) for i in client.df().get("Images") or []}
    records = _records(images, shared)
    others = _records(everything, shared)
    unique = unique_sizes(records)
    out = [
        ImageInfo(
            tag,
            image.labels.get(KIND_LABEL, "?"),
            image.short_id.removeprefix("sha256:"),
            record.size / MB,
            unique[image.id] / MB,
            str(image.attrs.get("Created", ""))[:19].replace("T", " "),
        )
        for image, record in zip(images, records, strict=True)
        for tag in image.tags or [UNTAGGED]
    ]
    out.sort(key=lambda i: (KINDS.index(i.kind) if i.kind in KINDS else 9, i.tag))
    return out, disk_usage(records, others)
