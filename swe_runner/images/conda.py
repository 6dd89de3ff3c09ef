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

__all__ = ["CondaTranslation", "translate_environment"]

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
_SPEC = re.compile(r"^([A-Za-z0-9_.\-]+)\s*(.*)$")


@dataclass
class CondaTranslation:
    """Pip requirement lines, and the conda dependencies left out (with why)."""

    requirements: list[str] = field(default_factory=list)
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
        if requirement is None:
            if name not in ("python", "pip"):
                out.left_out.append(name)
        else:
            out.requirements.append(requirement)
    return out
