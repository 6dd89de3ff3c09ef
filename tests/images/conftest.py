"""Release files recorded from the real PyPI index (tests/data/pypi/make_pypi_files.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from swe_runner.images.wheels import Releases, pypi_releases

RECORDED = Path(__file__).parent.parent / "data" / "pypi"


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    """A cache folder holding the recorded releases, as pypi_releases keeps them."""
    shutil.copytree(RECORDED, tmp_path / "pypi-files", ignore=shutil.ignore_patterns("*.py"))
    return tmp_path


def releases(name: str, cache: Path) -> Releases:
    """``name``'s releases from ``cache`` (an index that never answers behind it)."""
    return pypi_releases(name, cache, index="http://127.0.0.1:9/unreachable/{name}/")
