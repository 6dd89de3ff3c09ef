"""Conda environment files as pip requirements (xarray's and matplotlib's official specs)."""

from __future__ import annotations

import pytest

from swe_runner.images.conda import translate_environment

XARRAY_LIKE = """
name: xarray-tests
channels: [conda-forge, nodefaults]
dependencies:
  - python=3.10
  - numpy>=1.21
  - pandas =1.5
  - matplotlib-base
  - hdf5
  - cdms2
  - conda-forge::netcdf4 1.6.2
  - iris   # on PyPI as scitools-iris
  - pip
  - pip:
    - numbagg
"""


def test_dependencies_become_pip_requirements_and_conda_only_ones_are_named() -> None:
    out = translate_environment(XARRAY_LIKE)
    assert out.requirements == [
        "numpy>=1.21",
        "pandas==1.5.*",
        "matplotlib",
        "netcdf4==1.6.2",
        "scitools-iris",
        "numbagg",
    ]
    assert out.left_out == ["cdms2"]
    assert out.from_debian == ["hdf5"] and out.debian == ["libhdf5-dev"]


def test_debian_stands_in_for_conda_only_libraries_and_what_cartopy_builds_against() -> None:
    out = translate_environment(
        "dependencies:\n  - cartopy\n  - geos\n  - proj\n  - graphviz\n  - esmpy\n"
    )
    assert out.requirements == ["cartopy"]  # from PyPI, built against Debian's GEOS and PROJ
    assert out.debian == ["graphviz", "libgeos-dev", "libproj-dev", "proj-bin"]
    assert out.from_debian == ["geos", "proj", "graphviz"]
    assert out.left_out == ["esmpy"]


@pytest.mark.parametrize("text", ["", "- a list", "dependencies: 3", "{: bad"])
def test_a_file_without_dependencies_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        translate_environment(text)
