"""A repository's environments stored once where they agree: an environment as the files
by which it differs from another.

The environments of one repository's versions share most of their packages (xarray's four
hold the same hundred-odd projects, a few at other releases), yet each is a venv of its
own, 1 GB apiece. Where a repository's versions need several environments on the same
base, the oldest is the *hub*: each other one is built as usual (the environment exactly
as a fresh build makes it), then stored as a *delta* layer on the hub: the files of its
/opt/venv that the hub lacks or holds otherwise (content, mode, owner or time), and the
removal of the hub's files it lacks. Its /opt/venv in the delta image is then the fresh
build's, file for file (content, mode and owner; a file both hold alike keeps the hub's
time), which the build checks before the fresh image is removed.

Pip is not asked to turn one environment into the other: it keeps an installed release
whenever it satisfies a requirement, where a fresh install takes the newest one allowed,
so the result would depend on what was installed before. Comparing files does not.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from swe_runner.errors import ImageError

__all__ = ["VENV", "Entry", "Manifest", "differences", "manifest", "write_delta"]

VENV = "/opt/venv"

# What a file of the venv is: kind, mode, owner, size and content digest (or link
# target). Times are left out: pip writes every file at the moment it installs it, so two
# builds of one release differ in nothing else; the delta keeps the hub's copy and time.
# A compiled module's digest leaves out the source time it records (.pyc bytes 8-12,
# when its flags say it is checked by time): it then matches the hub's source's.
Entry = tuple[str, int, int, int, int, str]
Manifest = dict[str, Entry]
_CHUNK = 1 << 20


class _Stream(io.RawIOBase):
    """A readable stream over the chunks of ``docker cp``'s tar."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)
        self._left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._left:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._left = chunk
        size = min(len(buffer), len(self._left))
        buffer[:size] = self._left[:size]
        self._left = self._left[size:]
        return size


@dataclass(frozen=True)
class _Member:
    info: tarfile.TarInfo
    entry: Entry
    data: bytes | None  # a regular file's content when it is kept (see _members)


def _entry(info: tarfile.TarInfo, digest: str) -> Entry:
    if info.isdir():
        return ("dir", info.mode, info.uid, info.gid, 0, "")
    kind = "file" if info.isfile() else "link" if info.issym() else info.type.decode()
    return (kind, info.mode, info.uid, info.gid, info.size, digest)


def _digest(name: str, data: bytes) -> str:
    if name.endswith(".pyc") and len(data) >= 16 and data[4:8] == b"\0\0\0\0":
        data = data[:8] + data[12:]  # the source's time left out
    return hashlib.sha256(data).hexdigest()


def _members(client: Any, source: Any, keep: bool = False) -> Iterator[_Member]:
    """Each file of the venv of ``source`` (an image, read from a container made and never
    started, or a container), names as ``venv/...``, read with ``docker cp``; its content
    kept with ``keep``."""
    if not isinstance(source, str):
        yield from _read(source, keep)
        return
    container = client.containers.create(source, command=["true"])
    try:
        yield from _read(container, keep)
    finally:
        container.remove(force=True)


def _read(container: Any, keep: bool) -> Iterator[_Member]:
    """Each file under ``container``'s /opt/venv (a volume mounted there included)."""
    image = container.attrs.get("Config", {}).get("Image") or container.short_id
    chunks, _ = container.get_archive(VENV)
    stream = io.BufferedReader(_Stream(chunks), buffer_size=_CHUNK)
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        for info in tar:
            if info.islnk():
                raise ImageError(
                    f"{image}: {info.name} is a hard link, which a delta layer cannot "
                    "carry apart from its target"
                )
            data, digest = None, info.linkname
            if info.isfile():
                body: IO[bytes] | None = tar.extractfile(info)
                data = body.read() if body is not None else b""
                digest = _digest(info.name, data)
            yield _Member(info, _entry(info, digest), data if keep else None)


def manifest(client: Any, image: str) -> Manifest:
    """Every file of ``image``'s /opt/venv by path: what it is, for comparing two images."""
    return {m.info.name: m.entry for m in _members(client, image)}


def write_delta(client: Any, fresh: Any, hub: Manifest, out: Path) -> tuple[Manifest, int]:
    """Write ``out/delta.tar`` (the files of the venv of ``fresh``, an image or a
    container, that ``hub`` lacks or holds otherwise, directories whose mode or owner
    differs included) and ``out/deleted`` (NUL-separated: the paths of ``hub`` that
    ``fresh`` lacks, under /opt). Returns ``fresh``'s manifest and the bytes the delta's
    files hold."""
    mine: Manifest = {}
    held = 0
    with tarfile.open(out / "delta.tar", "w", format=tarfile.PAX_FORMAT) as tar:
        for member in _members(client, fresh, keep=True):
            name = member.info.name
            mine[name] = member.entry
            if hub.get(name) == member.entry:
                continue
            if member.data is None:
                tar.addfile(member.info)
            else:
                tar.addfile(member.info, io.BytesIO(member.data))
                held += len(member.data)
    gone = sorted(
        (name for name in hub if name not in mine),
        key=lambda name: name.count("/"),
    )
    (out / "deleted").write_bytes(b"".join(name.encode() + b"\0" for name in gone))
    return mine, held


def differences(want: Manifest, got: Manifest, most: int = 5) -> list[str]:
    """Up to ``most`` paths where ``got`` is not ``want``, each with what differs."""
    found = []
    for name in sorted(set(want) | set(got)):
        if want.get(name) != got.get(name):
            found.append(
                f"{name}: {want.get(name) or 'absent'} wanted, {got.get(name) or 'absent'}"
            )
            if len(found) == most:
                break
    return found
