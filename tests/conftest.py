"""Shared fixtures: a clean environment for every test, and docker-test plumbing."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from swe_runner.sandbox.base import Sandbox
from swe_runner.sandbox.fake import FakeSandbox

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
    from swe_runner.config import load_settings
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
