"""Pins without a wheel for the Python in use: the nearest release with one, chosen from
release files recorded from the real PyPI index (the ``recorded`` fixture)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.tags import Tag
from packaging.version import Version

from swe_runner.images.wheels import (
    Releases,
    pypi_releases,
    replace_unbuildable_pins,
    target_tags,
    wheel_fallback,
)
from tests.fakes.pypi import FakeIndex, simple_index
from tests.images.conftest import releases

PY39 = target_tags("3.9", "x86_64")


def test_python_3_9_on_bullseye_takes_its_manylinux_wheels_and_no_newer_glibc() -> None:
    assert Tag("cp39", "cp39", "manylinux2014_x86_64") in PY39
    assert Tag("cp39", "cp39", "manylinux_2_31_x86_64") in PY39
    assert Tag("cp39", "abi3", "manylinux1_x86_64") in PY39
    assert Tag("py3", "none", "any") in PY39 and Tag("py2", "none", "any") not in PY39
    assert Tag("cp39", "cp39", "manylinux_2_34_x86_64") not in PY39  # glibc 2.31
    assert Tag("cp310", "cp310", "manylinux2014_x86_64") not in PY39
    assert Tag("cp39", "cp39", "manylinux2014_aarch64") not in PY39


@pytest.mark.parametrize(
    ("project", "pinned", "chosen"),
    [
        ("numpy", "1.19.2", "1.19.3"),  # scikit-learn 0.20-0.22's pin: 1.19.3 has cp39 wheels
        ("scipy", "1.5.2", "1.5.4"),  # 1.5.3 has none for 3.9 either
        ("markupsafe", "1.0", "1.1.1"),  # astropy 1.3's: a source distribution only
        ("numpy", "1.16.0", "1.19.3"),
    ],
)
def test_a_compiled_pin_without_a_wheel_gets_the_nearest_release_with_one(
    recorded: Path, project: str, pinned: str, chosen: str
) -> None:
    assert wheel_fallback(Version(pinned), releases(project, recorded), PY39) == Version(chosen)


def test_a_pin_with_a_wheel_or_of_a_pure_python_project_is_kept(recorded: Path) -> None:
    assert wheel_fallback(Version("1.19.3"), releases("numpy", recorded), PY39) is None
    # only source distributions for 0.2.0; its project ships no binary wheel: it builds
    assert wheel_fallback(Version("0.2.0"), releases("pytest-openfiles", recorded), PY39) is None


def test_no_release_with_a_wheel_keeps_the_pin(recorded: Path) -> None:
    py313 = target_tags("3.13", "x86_64")  # none of the recorded numpy 1.x releases has one
    assert wheel_fallback(Version("1.19.2"), releases("numpy", recorded), py313) is None


def test_a_tie_goes_to_the_later_release_and_pre_releases_are_left_out() -> None:
    wheel = "x-{}-cp39-cp39-manylinux2014_x86_64.whl"
    other = "x-{}-cp38-cp38-manylinux2014_x86_64.whl"
    found: Releases = {
        Version("1.0"): [wheel.format("1.0")],
        Version("1.1"): [other.format("1.1")],
        Version("1.2rc1"): [wheel.format("1.2rc1")],
        Version("1.2"): [wheel.format("1.2")],
    }
    assert wheel_fallback(Version("1.1"), found, PY39) == Version("1.2")
    del found[Version("1.2")]
    assert wheel_fallback(Version("1.1"), found, PY39) == Version("1.0")


def test_scikit_learn_0_20s_packages_get_numpy_and_scipy_with_wheels(recorded: Path) -> None:
    packages = ["pytest", "cython", 'numpy==1.19.2; python_version < "3.10"', "scipy==1.5.2"]
    out, notes = replace_unbuildable_pins(packages, "3.9", lambda n: releases(n, recorded))
    assert out == ("pytest", "cython", 'numpy==1.19.3; python_version < "3.10"', "scipy==1.5.4")
    assert notes == [
        'numpy==1.19.2; python_version < "3.10" has no wheel for Python 3.9: numpy==1.19.3 '
        "used, the nearest release with one",
        "scipy==1.5.2 has no wheel for Python 3.9: scipy==1.5.4 used, the nearest release with one",
    ]


def test_a_pin_whose_releases_cannot_be_read_is_kept_and_said(tmp_path: Path) -> None:
    out, notes = replace_unbuildable_pins(
        ["numpy==1.19.2", "-e ."], "3.9", lambda n: releases(n, tmp_path)
    )
    assert out == ("numpy==1.19.2", "-e .")
    assert len(notes) == 1 and notes[0].startswith("cannot check numpy==1.19.2 for a Python 3.9")


FILES: dict[str, list[dict[str, object]]] = {
    "numpy": [
        {"filename": "numpy-1.19.3-cp39-cp39-manylinux2010_x86_64.whl", "yanked": False},
        {"filename": "numpy-1.19.4-cp39-cp39-manylinux2010_x86_64.whl", "yanked": "broken"},
        {"filename": "numpy-1.19.2.zip"},
    ]
}


@pytest.fixture
def index() -> Iterator[FakeIndex]:
    with simple_index(FILES) as served:
        yield served


def test_releases_come_from_the_simple_api_once_without_yanked_files(
    index: FakeIndex, tmp_path: Path
) -> None:
    first = pypi_releases("NumPy", tmp_path, index=index.url)
    assert first == {
        Version("1.19.3"): ["numpy-1.19.3-cp39-cp39-manylinux2010_x86_64.whl"],
        Version("1.19.2"): ["numpy-1.19.2.zip"],
    }
    assert pypi_releases("numpy", tmp_path, index=index.url) == first
    assert index.asked == ["numpy"]  # the second answer came from the cache
    with pytest.raises(LookupError, match="HTTP 404"):
        pypi_releases("no-such-project", tmp_path, index=index.url)
