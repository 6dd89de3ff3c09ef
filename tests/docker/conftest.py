"""Docker tests: they need a running daemon and fail (never skip) without one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from swe_runner.config import Settings, load_settings
from swe_runner.images.build import ImageBuilder
from swe_runner.inputs.dataset import Dataset, load_dataset
from swe_runner.runtime.docker import DockerRuntime
from swe_runner.sandbox.containers import ContainerLimits, connect
from swe_runner.sandbox.labels import MANAGED_LABEL, OWNER_LABEL
from tests.conftest import HOST_CA_BUNDLE, TEST_OWNER


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.docker)


@pytest.fixture(scope="session")
def demo() -> Dataset:
    return load_dataset("demo")


def ca_args() -> list[str]:
    return ["--ca-bundle", HOST_CA_BUNDLE] if HOST_CA_BUNDLE else []


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        None, {"results_dir": tmp_path / "results", "ca_bundle": HOST_CA_BUNDLE}, environ={}
    )


@pytest.fixture(scope="session")
def demo_images(demo: Dataset) -> dict[str, str]:
    """Instance image of every demo task (built once; reused when CI built them already)."""
    builder = ImageBuilder(load_settings(None, {"ca_bundle": HOST_CA_BUNDLE}, environ={}))
    return {
        t.instance_id: builder.ensure_instance(t, demo.repo_sources.get(t.repo)) for t in demo.tasks
    }


@pytest.fixture(autouse=True)
def no_leftover_containers() -> Iterator[None]:
    """Every docker test must leave no swe-runner container behind."""
    client = connect()
    mine = {"label": [MANAGED_LABEL, f"{OWNER_LABEL}={TEST_OWNER}"]}
    before = {c.id for c in client.containers.list(all=True, filters=mine)}
    yield
    after = {c.id for c in client.containers.list(all=True, filters=mine)}
    assert after <= before, f"containers left behind: {sorted(after - before)}"


EvalRuntime = Callable[..., DockerRuntime]


@pytest.fixture
def eval_runtime() -> Iterator[EvalRuntime]:
    """Docker runtimes for calling ``evaluate`` directly, with the given container limits
    (default: the defaults, offline); closed at the end, so their containers are gone."""
    opened: list[DockerRuntime] = []

    def make(limits: ContainerLimits | None = None) -> DockerRuntime:
        settings = load_settings(None, {"ca_bundle": HOST_CA_BUNDLE}, environ={})
        opened.append(DockerRuntime(settings, {}, eval_limits=limits or ContainerLimits()))
        return opened[-1]

    yield make
    for runtime in opened:
        runtime.close()
