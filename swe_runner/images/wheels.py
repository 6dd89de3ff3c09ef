"""Pins that have no wheel for the Python in use: the nearest release that has one.

The official specs pin the releases of their Python (``numpy==1.19.2`` for scikit-learn
0.20, whose spec asks for Python 3.6). On the Python Debian offers instead (3.9), such a
release has no wheel, and building it from source can fail (scipy 1.5.2: its build
requirement numpy 1.17.3 does not build with today's setuptools; MarkupSafe 1.0 neither).
Each pin of a compiled project (one that ships binary wheels) without a wheel for this
Python and platform is replaced by the nearest release that has one (``numpy==1.19.3``, the
first with Python 3.9 wheels), and the environment is built so at once (compiling such a
release from source took the better part of an hour here, then failed). Pins of
pure-Python projects are kept: they install from source.

The releases come from PyPI's simple API in JSON (PEP 691), kept per project in a cache file.
"""

from __future__ import annotations

import json
import platform
import ssl
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import (
    InvalidWheelFilename,
    canonicalize_name,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from swe_runner.images.asof import file_version

__all__ = [
    "GLIBC",
    "Releases",
    "pypi_releases",
    "replace_unbuildable_pins",
    "target_tags",
    "wheel_fallback",
]

SIMPLE_API = "https://pypi.org/simple/{name}/"
# The C library of the Debian release whose python3 is each version (plan.AVAILABLE_PYTHONS):
# manylinux wheels up to this glibc install there.
GLIBC = {"3.9": (2, 31), "3.11": (2, 36), "3.13": (2, 41)}
_LEGACY_MANYLINUX = {"manylinux2014": 17, "manylinux2010": 12, "manylinux1": 5}
_cache_lock = threading.Lock()

# A project's files by release: version -> the file names of that release (yanked ones left out).
Releases = dict[Version, list[str]]


def target_tags(python: str, machine: str | None = None) -> frozenset[Tag]:
    """The wheel tags pip accepts for CPython ``python`` on its Debian release (x86_64 or
    the host's machine), e.g. ``cp39-cp39-manylinux_2_17_x86_64`` and ``py3-none-any``.

    Raises:
        KeyError: no Debian release offers ``python``.
    """
    glibc = GLIBC[python]
    arch = machine or platform.machine() or "x86_64"
    platforms = [f"manylinux_2_{minor}_{arch}" for minor in range(glibc[1], 4, -1)]
    platforms += [f"{name}_{arch}" for name, at in _LEGACY_MANYLINUX.items() if at <= glibc[1]]
    platforms.append(f"linux_{arch}")
    major, minor = (int(p) for p in python.split("."))
    version = (major, minor)
    cp = f"cp{major}{minor}"
    return frozenset(
        [
            *cpython_tags(version, abis=[cp], platforms=platforms),
            *compatible_tags(version, interpreter=cp, platforms=platforms),
        ]
    )


def _wheel_tags(filename: str) -> frozenset[Tag] | None:
    try:
        return parse_wheel_filename(filename)[3]
    except (InvalidWheelFilename, InvalidVersion):
        return None


def _has_wheel(files: Iterable[str], tags: frozenset[Tag]) -> bool:
    return any(w is not None and w & tags for w in map(_wheel_tags, files))


def _compiled(files: Iterable[str]) -> bool:
    """Whether a release ships binary wheels (built for some Python and platform)."""
    return any(
        t.abi != "none" or t.platform != "any"
        for w in map(_wheel_tags, files)
        if w is not None
        for t in w
    )


def wheel_fallback(pinned: Version, releases: Releases, tags: frozenset[Tag]) -> Version | None:
    """The release to install instead of ``pinned``, or None to keep it.

    ``pinned`` is kept when it has a wheel for ``tags``, or the project ships no binary
    wheel in any release (pure Python: it builds from source), or no release has a wheel
    for ``tags``. Otherwise: the nearest release (by rank among the project's releases; a
    tie goes to the later one) that has one, pre-releases only for a pre-release pin.
    """
    if _has_wheel(releases.get(pinned, []), tags):
        return None
    if not any(_compiled(files) for files in releases.values()):
        return None
    eligible = [
        v for v in releases if pinned.is_prerelease or not (v.is_prerelease or v.is_devrelease)
    ]
    ranked = sorted({*eligible, pinned})
    at = ranked.index(pinned)
    candidates = [v for v in ranked if v != pinned and _has_wheel(releases[v], tags)]
    if not candidates:
        return None
    return min(candidates, key=lambda v: (abs(ranked.index(v) - at), -ranked.index(v)))


def _exact_pin(line: str) -> tuple[Requirement, Version] | None:
    try:
        req = Requirement(line)
    except InvalidRequirement:
        return None
    specs = list(req.specifier)
    if len(specs) != 1 or specs[0].operator != "==" or "*" in specs[0].version:
        return None
    try:
        return req, Version(specs[0].version)
    except InvalidVersion:
        return None


def replace_unbuildable_pins(
    packages: Sequence[str], python: str, releases_of: Callable[[str], Releases]
) -> tuple[tuple[str, ...], list[str]]:
    """``packages`` with each pin of a compiled project that has no wheel for ``python``
    replaced by the nearest release that has one (:func:`wheel_fallback`); and a note for
    each replacement, or each pin whose releases could not be read (it is kept).

    ``releases_of`` answers a project's releases; it raises :class:`LookupError` with the
    reason when they cannot be had.
    """
    tags = target_tags(python)
    out: list[str] = []
    notes: list[str] = []
    for line in packages:
        pin = _exact_pin(line)
        if pin is None:
            out.append(line)
            continue
        req, pinned = pin
        try:
            releases = releases_of(req.name)
        except LookupError as exc:
            notes.append(f"cannot check {line} for a Python {python} wheel: {exc}")
            out.append(line)
            continue
        chosen = wheel_fallback(pinned, releases, tags)
        if chosen is None:
            out.append(line)
            continue
        req.specifier = type(req.specifier)(f"=={chosen}")
        out.append(str(req))
        notes.append(
            f"{line} has no wheel for Python {python}: {req.name}=={chosen} used, the "
            "nearest release with one"
        )
    return tuple(out), notes


def pypi_releases(
    name: str, cache_dir: Path, ca_bundle: Path | None = None, index: str = SIMPLE_API
) -> Releases:
    """``name``'s releases on the index and their files (yanked files left out), cached in
    ``cache_dir/pypi-files/<name>.json``.

    Raises:
        LookupError: the index does not answer, or has no such project.
    """
    project = canonicalize_name(name)
    cache = cache_dir / "pypi-files" / f"{project}.json"
    try:
        names: list[str] = json.loads(cache.read_text())
    except (OSError, ValueError):
        names = _ask_index(index.format(name=project), ca_bundle)
        with _cache_lock:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{threading.get_ident()}.tmp")
            tmp.write_text(json.dumps(names))
            tmp.replace(cache)
    releases: Releases = {}
    for filename in names:
        version = file_version(filename)
        if version is not None:
            releases.setdefault(version, []).append(filename)
    return releases


def _ask_index(url: str, ca: Path | None) -> list[str]:
    context = ssl.create_default_context(cafile=str(ca) if ca else None)
    request = urllib.request.Request(url, headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    try:
        with urllib.request.urlopen(request, timeout=60, context=context) as answer:
            files = json.load(answer).get("files") or []
    except urllib.error.HTTPError as exc:
        raise LookupError(f"{url}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise LookupError(f"{url}: {getattr(exc, 'reason', exc)}") from None
    return [str(f["filename"]) for f in files if f.get("filename") and not f.get("yanked")]
