"""What the image tests on the daemon share: a task of a test repository, an image builder
with a cache of its own, and looks into the images built (their layers, their files, a
command's output)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from swe_runner.config import load_settings
from swe_runner.images.build import ImageBuilder
from swe_runner.sandbox.containers import connect
from swe_runner.task import EnvSpec, Task
from tests.conftest import HOST_CA_BUNDLE


def task(iid: str, commit: str, version: str, spec: EnvSpec, repo: str = "acme/app") -> Task:
    return Task(
        instance_id=iid,
        repo=repo,
        base_commit=commit,
        problem_statement="p",
        patch="",
        test_patch="",
        FAIL_TO_PASS=("t",),
        version=version,
        env_spec=spec,
    )


def builder(tmp_path_factory: pytest.TempPathFactory) -> ImageBuilder:
    """A builder trusting the host's CA bundle, with a cache folder of its own."""
    settings = load_settings(
        None,
        {"ca_bundle": HOST_CA_BUNDLE, "cache_dir": tmp_path_factory.mktemp("cache")},
        environ={},
    )
    return ImageBuilder(settings)


def remove(tags: Iterable[str]) -> None:
    for tag in tags:
        connect().images.remove(tag, force=True)


def layers(ref: str) -> tuple[str, ...]:
    return tuple(connect().images.get(ref).attrs["RootFS"]["Layers"])


def run(ref: str, script: str) -> str:
    """What ``script`` prints in ``bash -c`` in a container of ``ref``."""
    out = connect().containers.run(ref, ["bash", "-c", script], remove=True)
    return out.decode() if isinstance(out, bytes) else str(out)


def written(ref: str, top: int = 1) -> set[str]:
    """The files the ``top`` layers of ``ref`` wrote (overlay2's diff folders)."""
    data = connect().images.get(ref).attrs["GraphDriver"]["Data"]
    folders = [data["UpperDir"], *data.get("LowerDir", "").split(":")][:top]
    files: set[str] = set()
    for folder in map(Path, folders):
        files |= {str(f.relative_to(folder)) for f in folder.rglob("*") if f.is_file()}
    return files


def remove_repository(name: str) -> None:
    """Every image tagged for the repository ``name`` (owner__name), children first."""
    mine = [i for i in connect().images.list() if any(f":{name}" in t for t in i.tags)]
    for image in sorted(mine, key=lambda i: -len(i.attrs["RootFS"]["Layers"])):
        for tag in image.tags:
            connect().images.remove(tag, force=True)
