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
    assert out.left_out == ["hdf5", "cdms2"]


@pytest.mark.parametrize("text", ["", "- a list", "dependencies: 3", "{: bad"])
def test_a_file_without_dependencies_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        translate_environment(text)
