"""Environments as of the task's date: the cutoff for every requirement pip resolves.

Unpinned requirements resolved today give today's releases, which old code often cannot use
(a module removed from docutils, a numpy 2 ABI, a setuptools that no longer runs
``setup.py develop``). The official images captured the releases of their day; swe-runner
gets the same effect by resolving everything, build requirements of isolated builds
included, with pip's ``--uploaded-prior-to`` set (``PIP_UPLOADED_PRIOR_TO`` in the
environment image, so the spec's own ``pip install`` lines honour it too).

The cutoff is the latest of:

- the environment's date: the environment setup commit's date (shared by every task of a
  repo/version), else the task's ``created_at``;
- the upload of every ``name==version`` pin in the spec (a pin newer than the task, such as
  the official table's ``mpmath==1.3.0`` for 2017's sympy, must stay installable; the rest
  then resolves as of that pin's day, which is also the era of the official images);
- a floor per Python version (its release plus a few months, when wheels for it exist):
  releases made before a Python existed rarely build on it;
- a floor for editable installs (:data:`EDITABLE_FLOOR`): a current pip installs a project
  editable only through PEP 660, which setuptools has had since 64.0 (August 2022); with an
  older setuptools in the isolated build, ``pip install -e .`` fails ("missing the
  'build_editable' hook"). The official images, built in 2024, had setuptools of 2024.
"""

from __future__ import annotations

import json
import re
import ssl
import threading
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

__all__ = ["PYTHON_FLOOR", "cutoff", "file_version", "parse_date", "pins", "pypi_upload_dates"]

# Python's release date plus about three months: by then its wheels are on PyPI.
PYTHON_FLOOR = {
    "3.9": "2021-01-05",
    "3.10": "2022-01-04",
    "3.11": "2023-01-24",
    "3.12": "2024-01-02",
    "3.13": "2025-01-07",
}
# setuptools 64 (PEP 660 editable installs) with a few weeks' margin; see the module doc.
EDITABLE_FLOOR = "2022-09-15"
SIMPLE_API = "https://pypi.org/simple/{name}/"
# One day's margin after a pin's upload: its files may be uploaded over several hours.
PIN_MARGIN = timedelta(days=1)
_PIN = re.compile(
    r"(?<![\w.\-])([A-Za-z0-9][A-Za-z0-9._\-]*)(?:\[[^\]]*\])?==([0-9][A-Za-z0-9.+!\-]*[A-Za-z0-9])"
)
_cache_lock = threading.Lock()


def parse_date(text: str) -> datetime | None:
    """An ISO 8601 date or datetime (``Z`` or an offset allowed) as UTC, or None."""
    text = text.strip()
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def pins(lines: Iterable[str]) -> list[tuple[str, str]]:
    """Every ``name==version`` pin in ``lines`` (requirements, install commands, seds)."""
    found = {(m[1].lower(), m[2]) for line in lines for m in _PIN.finditer(line)}
    return sorted(found)


def pypi_upload_dates(
    wanted: Iterable[tuple[str, str]],
    cache_file: Path,
    ca_bundle: Path | None = None,
    index: str = SIMPLE_API,
) -> tuple[dict[tuple[str, str], datetime], list[str]]:
    """The latest upload time of each ``(name, version)`` release on PyPI.

    Answers are kept in ``cache_file`` (uploads never change). Returns the dates found and
    a problem line for each release that could not be dated (unknown, or PyPI unreachable).
    """
    with _cache_lock:
        known = _read_cache(cache_file)
    dates: dict[tuple[str, str], datetime] = {}
    problems: list[str] = []
    fresh: dict[str, str] = {}
    for name, version in wanted:
        key = f"{name}=={version}"
        stamp = known.get(key) or _ask_pypi(index, name, version, ca_bundle, problems)
        if stamp is None:
            continue
        fresh[key] = stamp
        parsed = parse_date(stamp)
        if parsed is not None:
            dates[(name, version)] = parsed
    if fresh.keys() - known.keys():
        with _cache_lock:
            merged = {**_read_cache(cache_file), **fresh}
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            cache_file.write_text(json.dumps(merged, indent=1, sort_keys=True))
    return dates, problems


def _read_cache(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _ask_pypi(
    index: str, name: str, version: str, ca: Path | None, problems: list[str]
) -> str | None:
    """The latest upload time among ``name``'s files of ``version``, from the simple API
    (PEP 691 JSON, upload times per PEP 700: what pip's cutoff reads too)."""
    context = ssl.create_default_context(cafile=str(ca) if ca else None)
    request = urllib.request.Request(
        index.format(name=canonicalize_name(name)),
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30, context=context) as answer:
            files = json.load(answer).get("files") or []
    except (urllib.error.URLError, OSError, ValueError) as exc:
        problems.append(f"{name}=={version}: {getattr(exc, 'reason', exc)}")
        return None
    wanted = Version(version)
    stamps = [
        str(f["upload-time"])
        for f in files
        if f.get("upload-time") and file_version(str(f.get("filename", ""))) == wanted
    ]
    if not stamps:
        problems.append(f"{name}=={version}: no such release on PyPI")
        return None
    return max(stamps)


def file_version(filename: str) -> Version | None:
    """The release a wheel's or sdist's file name holds (None: not such a name)."""
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        return parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None


def cutoff(
    environment_date: datetime | None, python: str, pin_dates: Iterable[datetime]
) -> datetime:
    """The moment every unpinned requirement is resolved as of (without an environment
    date: its pins' and floors')."""
    floors = (parse_date(PYTHON_FLOOR.get(python, "")), parse_date(EDITABLE_FLOOR))
    candidates = [d for d in (environment_date, *floors) if d is not None]
    candidates += [d + PIN_MARGIN for d in pin_dates]
    return max(candidates)
