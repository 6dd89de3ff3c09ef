"""Tools run against both sandboxes: the fake on the host and a real container."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from swe_runner.sandbox.base import Sandbox
from swe_runner.sandbox.fake import FakeSandbox
from tests.sandbox.test_conformance import SETUP, make_docker_sandbox


@pytest.fixture(params=["fake", pytest.param("docker", marks=pytest.mark.docker)])
def sandbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Sandbox]:
    sb: Sandbox = (
        FakeSandbox(tmp_path, "HEAD") if request.param == "fake" else make_docker_sandbox()
    )
    try:
        result = sb.exec(SETUP)
        assert result.exit_code == 0, result.text
        sb.base_commit = result.text.strip()
        yield sb
    finally:
        sb.close()
