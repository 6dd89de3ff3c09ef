"""The evaluation container pool: each warm is one ready container for one take."""

from __future__ import annotations

import time
from typing import Any

import pytest

from swe_runner.sandbox.containers import connect
from swe_runner.sandbox.pool import ContainerPool

pytestmark = pytest.mark.docker

LABEL = "swe-runner.test=pool"


def _pool_containers() -> list[Any]:
    return list(connect().containers.list(all=True, filters={"label": LABEL}))


def test_each_warm_readies_one_container_for_one_take(demo_images: dict[str, str]) -> None:
    image = next(iter(demo_images.values()))
    pool = ContainerPool(labels=dict([LABEL.split("=")]))
    try:
        pool.warm(image)
        pool.warm(image)  # a second evaluation of the same image, right after the first
        deadline = time.monotonic() + 60
        while len(ready := _pool_containers()) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(ready) == 2  # both started ahead of need
        first, second = pool.take(image), pool.take(image)
        assert {first.id, second.id} == {c.id for c in ready}  # no third one started
        pool.discard(first)
        pool.discard(second)
    finally:
        pool.close()
    assert _pool_containers() == []  # used ones removed in the background, spares by close()
