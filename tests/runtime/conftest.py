"""A runtime of each kind, for the runtime conformance suite and the pipeline tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from swe_runner.config import Settings, load_settings
from swe_runner.inputs.dataset import Dataset, load_dataset
from swe_runner.runtime import Runtime, open_runtime
from tests.conftest import HOST_CA_BUNDLE

RUNTIMES = ["fake", pytest.param("docker", marks=pytest.mark.docker)]


@pytest.fixture(scope="session")
def demo_suite() -> Dataset:
    return load_dataset("demo")


def runtime_settings(kind: str, cache: Path, results: Path) -> Settings:
    values: dict[str, object] = {"runtime": kind, "results_dir": results}
    if kind == "fake":
        values["cache_dir"] = cache  # docker's images use the real cache's repositories
    else:
        values["ca_bundle"] = HOST_CA_BUNDLE
    return load_settings(None, values, environ={})


def _opened(kind: str, cache: Path, tmp_path: Path, keep: bool) -> Iterator[Runtime]:
    settings = runtime_settings(kind, cache, tmp_path / "results")
    labels = {"swe-runner.run": f"conformance-{tmp_path.name}"}
    opened = open_runtime(settings, labels, keep=keep)
    try:
        yield opened
    finally:
        opened.remove_all()
        opened.close()


@pytest.fixture(params=RUNTIMES)
def runtime(
    request: pytest.FixtureRequest, fake_runtime_cache: Path, tmp_path: Path
) -> Iterator[Runtime]:
    yield from _opened(request.param, fake_runtime_cache, tmp_path, keep=False)


@pytest.fixture(params=RUNTIMES)
def keeping(
    request: pytest.FixtureRequest, fake_runtime_cache: Path, tmp_path: Path
) -> Iterator[Runtime]:
    """A runtime opened to keep its evaluation sandboxes (``reproduce --keep``)."""
    yield from _opened(request.param, fake_runtime_cache, tmp_path, keep=True)
