"""Shared fixtures: a clean environment for every test, and docker-test plumbing.

A docker test says so with the marker (``pytestmark = pytest.mark.docker`` in its module, or
a parameter marked ``docker``); it fails, never skips, without a daemon, and
:func:`no_leftover_containers` checks that it leaves no container behind.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from swe_runner.config import Settings, load_settings
from swe_runner.inputs.dataset import Dataset, load_dataset
from swe_runner.sandbox.base import Sandbox
from swe_runner.sandbox.fake import FakeSandbox

if TYPE_CHECKING:
    from swe_runner.runtime.docker import DockerRuntime
    from swe_runner.sandbox.containers import ContainerLimits

# Captured before any test runs (the autouse fixture below clears SWE_RUNNER_*): CI points
# this at the host CA bundle so image builds can reach PyPI through its TLS proxy.
HOST_CA_BUNDLE = os.environ.get("SWE_RUNNER_CA_BUNDLE")
# Clones of real repositories (owner__name), for the docker tests on real SWE-bench instances.
HOST_MIRROR_DIR = os.environ.get("SWE_RUNNER_MIRROR_DIR")
# Every container this test session starts (in-process or through a CLI subprocess) is
# labelled with this owner, so leftover checks ignore other sessions sharing the daemon.
TEST_OWNER = f"pytest-{uuid.uuid4().hex[:12]}"
os.environ["SWE_RUNNER_OWNER"] = TEST_OWNER


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No API key and no SWE_RUNNER_* setting leaks into a test from the developer's shell."""
    for name in list(os.environ):
        if name in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY") or (
            name.startswith("SWE_RUNNER_") and name != "SWE_RUNNER_OWNER"
        ):
            monkeypatch.delenv(name)
    yield


@pytest.fixture(scope="session")
def fake_runtime_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the session's fake runtimes: each task's folder is made once."""
    return tmp_path_factory.mktemp("cache")


def ca_args() -> list[str]:
    """The ``--ca-bundle`` flag for a command line that builds images, when the host has one."""
    return ["--ca-bundle", HOST_CA_BUNDLE] if HOST_CA_BUNDLE else []


@pytest.fixture(autouse=True)
def no_leftover_containers(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every docker test must leave no swe-runner container behind (others: nothing checked)."""
    if request.node.get_closest_marker("docker") is None:
        yield
        return
    from swe_runner.sandbox.containers import connect
    from swe_runner.sandbox.labels import MANAGED_LABEL, OWNER_LABEL

    client = connect()
    mine = {"label": [MANAGED_LABEL, f"{OWNER_LABEL}={TEST_OWNER}"]}
    before = {c.id for c in client.containers.list(all=True, filters=mine)}
    yield
    after = {c.id for c in client.containers.list(all=True, filters=mine)}
    assert after <= before, f"containers left behind: {sorted(after - before)}"


@pytest.fixture(scope="session")
def demo() -> Dataset:
    return load_dataset("demo")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        None, {"results_dir": tmp_path / "results", "ca_bundle": HOST_CA_BUNDLE}, environ={}
    )


@pytest.fixture(scope="session")
def demo_images(demo: Dataset) -> dict[str, str]:
    """Instance image of every demo task (built once; reused when CI built them already)."""
    from swe_runner.images.build import ImageBuilder

    builder = ImageBuilder(load_settings(None, {"ca_bundle": HOST_CA_BUNDLE}, environ={}))
    return {
        t.instance_id: builder.ensure_instance(t, demo.repo_sources.get(t.repo)) for t in demo.tasks
    }


EvalRuntime = Callable[..., "DockerRuntime"]


@pytest.fixture
def eval_runtime() -> Iterator[EvalRuntime]:
    """Docker runtimes for calling ``evaluate`` directly, with the given container limits
    (default: the defaults, offline); closed at the end, so their containers are gone."""
    from swe_runner.runtime.docker import DockerRuntime
    from swe_runner.sandbox.containers import ContainerLimits

    opened: list[DockerRuntime] = []

    def make(limits: ContainerLimits | None = None) -> DockerRuntime:
        settings = load_settings(None, {"ca_bundle": HOST_CA_BUNDLE}, environ={})
        opened.append(DockerRuntime(settings, {}, eval_limits=limits or ContainerLimits()))
        return opened[-1]

    yield make
    for runtime in opened:
        runtime.close()


SETUP = """
set -e
git init -q -b main .
git config user.email t@example.org && git config user.name t
printf 'one\\ntwo\\n' > keep.txt
printf 'bye\\n' > gone.txt
git add -A && git commit -qm base
git rev-parse HEAD
"""


def make_docker_sandbox() -> Sandbox:
    from swe_runner.images.build import ImageBuilder
    from swe_runner.sandbox.docker import DockerSandbox

    base = ImageBuilder(load_settings(None, {}, environ={})).ensure_base("3.11")
    return DockerSandbox(base, "HEAD", workdir="/work/conformance")


def make_jail_sandbox(folder: Path) -> Sandbox:
    from swe_runner.sandbox.jail import JailSandbox

    (folder / "root").mkdir()
    (folder / "testbed").mkdir()
    return JailSandbox(folder / "root", folder / "testbed", "HEAD")


@pytest.fixture(params=["fake", "jail", pytest.param("docker", marks=pytest.mark.docker)])
def sandbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Sandbox]:
    makers = {
        "fake": lambda: FakeSandbox(tmp_path, "HEAD"),
        "jail": lambda: make_jail_sandbox(tmp_path),
        "docker": make_docker_sandbox,
    }
    sb: Sandbox = makers[request.param]()
    try:
        result = sb.exec(SETUP)
        assert result.exit_code == 0, result.text
        sb.start = result.text.strip()
        yield sb
    finally:
        sb.close()
