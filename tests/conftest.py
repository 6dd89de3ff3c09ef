"""Shared fixtures: a clean environment for every test, and docker-test plumbing."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Captured before any test runs (the autouse fixture below clears SWE_RUNNER_*): CI points
# this at the host CA bundle so image builds can reach PyPI through its TLS proxy.
HOST_CA_BUNDLE = os.environ.get("SWE_RUNNER_CA_BUNDLE")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No API key and no SWE_RUNNER_* setting leaks into a test from the developer's shell."""
    for name in list(os.environ):
        if name == "ANTHROPIC_API_KEY" or name.startswith("SWE_RUNNER_"):
            monkeypatch.delenv(name)
    yield
