"""Conda environment files as pip requirements, where the packages exist on PyPI.

The official specs of some repositories (xarray, matplotlib) are a conda ``environment.yml``
read at the environment setup commit. Without conda, each dependency becomes a pip
requirement: conda's ``=1.2`` (any 1.2.x) is ``==1.2.*``, a few packages have another name
on PyPI, and conda-only packages (C libraries, Python itself, conda's own tools) are left
out and named, so a build says what it could not meet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

__all__ = ["DEBIAN_FOR_CONDA", "DEBIAN_FOR_PYPI", "CondaTranslation", "translate_environment"]

# conda-forge name -> PyPI name, where they differ.
PYPI_NAMES = {
    "matplotlib-base": "matplotlib",
    "dask-core": "dask",
    "python-graphviz": "graphviz",
    "iris": "scitools-iris",
    "pytorch": "torch",
    "pytables": "tables",
    "msgpack-python": "msgpack",
    "python-dateutil": "python-dateutil",
    "pyqt": "PyQt5",
    "ipykernel": "ipykernel",
}
# Not Python packages on PyPI (interpreters, C libraries, conda tooling, conda-only builds).
CONDA_ONLY = {
    "python",
    "pip",
    "hdf5",
    "libnetcdf",
    "cdms2",
    "esmpy",
    "eccodes",
    "ffmpeg",
    "graphviz",
    "pkg-config",
    "compilers",
    "c-compiler",
    "cxx-compiler",
    "make",
    "cmake",
    "gdal",
    "proj",
    "geos",
    "freetype",
    "libpng",
    "tk",
    "ghostscript",
    "inkscape",
    "texlive-core",
    "nodejs",
    "mamba",
    "conda",
}
# Conda-only packages -> the Debian packages that stand in for them (in bullseye, bookworm
# and trixie alike).
DEBIAN_FOR_CONDA = {
    "hdf5": ("libhdf5-dev",),
    "libnetcdf": ("libnetcdf-dev",),
    "geos": ("libgeos-dev",),
    "proj": ("libproj-dev", "proj-bin"),
    "gdal": ("libgdal-dev", "gdal-bin"),
    "eccodes": ("libeccodes-dev",),
    "graphviz": ("graphviz",),
    "ffmpeg": ("ffmpeg",),
    "pkg-config": ("pkg-config",),
    "compilers": ("build-essential", "gfortran"),
    "c-compiler": ("build-essential",),
    "cxx-compiler": ("build-essential",),
    "make": ("make",),
    "cmake": ("cmake",),
    "freetype": ("libfreetype-dev",),
    "libpng": ("libpng-dev",),
    "tk": ("python3-tk",),
    "ghostscript": ("ghostscript",),
    "inkscape": ("inkscape",),
    "nodejs": ("nodejs",),
}
# PyPI packages that need C libraries their conda package brings along, and PyPI has no
# wheel with them: cartopy before 0.22 builds from source against GEOS (and PROJ before
# 0.20); cfgrib loads ecCodes at run time.
DEBIAN_FOR_PYPI = {
    "cartopy": ("libgeos-dev", "libproj-dev", "proj-bin"),
    "cfgrib": ("libeccodes-dev",),
}
_SPEC = re.compile(r"^([A-Za-z0-9_.\-]+)\s*(.*)$")


@dataclass
class CondaTranslation:
    """Pip requirement lines, the Debian packages to install first, and the conda-only
    dependencies: stood in for by Debian packages, or left out."""

    requirements: list[str] = field(default_factory=list)
    debian: list[str] = field(default_factory=list)
    from_debian: list[str] = field(default_factory=list)  # conda-only, Debian packages it
    left_out: list[str] = field(default_factory=list)


def _version(rest: str) -> str:
    """A conda version constraint as pip's: ``=1.2`` is any 1.2.x, ``1.2`` exactly 1.2."""
    rest = rest.strip()
    if not rest:
        return ""
    if rest.startswith("=") and not rest.startswith("=="):
        version = rest[1:].split("=")[0].strip()  # "=1.2=py39_0": the build is dropped
        return f"=={version}" if version.endswith("*") else f"=={version}.*"
    if rest[0].isdigit():  # "1.2" or "1.2.* build"
        return f"=={rest.split()[0]}"
    return rest.replace(" ", "")


def _requirement(entry: str) -> tuple[str | None, str]:
    """A conda match spec (``name``, ``name >=1``, ``name=1.2``, ``channel::name``) as a
    pip requirement, or None with the name when it has no PyPI counterpart."""
    entry = entry.split("#", 1)[0].strip().split("::")[-1]
    found = _SPEC.match(entry)
    if not found:
        return None, entry
    name = found[1].lower()
    if name in CONDA_ONLY:
        return None, name
    return f"{PYPI_NAMES.get(name, name)}{_version(found[2])}", name


def translate_environment(text: str) -> CondaTranslation:
    """Pip requirements for a conda environment file's dependencies (``pip:`` ones as is).

    Raises:
        ValueError: the text is not an environment file.
    """
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"not YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("dependencies"), list):
        raise ValueError("no 'dependencies' list")
    out = CondaTranslation()
    for dep in data["dependencies"]:
        if isinstance(dep, dict):
            out.requirements += [str(line) for line in dep.get("pip") or []]
            continue
        requirement, name = _requirement(str(dep))
        if requirement is not None:
            out.requirements.append(requirement)
            out.debian += DEBIAN_FOR_PYPI.get(name, ())
        elif name in DEBIAN_FOR_CONDA:
            out.from_debian.append(name)
            out.debian += DEBIAN_FOR_CONDA[name]
        elif name not in ("python", "pip"):
            out.left_out.append(name)
    out.debian = sorted(set(out.debian))
    return out
