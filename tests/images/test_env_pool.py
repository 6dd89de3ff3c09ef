"""A repository's environments stored on its hub (swe_runner/images/pool.py), on the
daemon: an environment other than the hub's is a delta layer on it whose venv is a fresh
build's, file for file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from swe_runner.images import pool
from swe_runner.images.build import PACKAGES_LABEL
from swe_runner.inputs.peers import with_peers
from swe_runner.sandbox.containers import connect
from swe_runner.task import EnvSpec
from tests.images import daemon
from tests.images.dated_repo import years_of_history

pytestmark = pytest.mark.docker

# Releases older than each task's creation (packages resolve as of it).
OLD = EnvSpec(python="3.11", packages=("six==1.15.0", "idna==2.10"), install=("true",))
NEW = EnvSpec(python="3.11", packages=("six==1.16.0", "attrs==21.2.0"), install=("true",))
FREEZE = "pip freeze --all | sort"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    repo, c = years_of_history(tmp_path_factory.mktemp("pool") / "repo")
    old = daemon.task("acme__app-1", c["2021b"], "1.0", OLD)
    new = daemon.task("acme__app-2", c["2022c"], "2.0", NEW)
    tasks = with_peers(
        [
            old.model_copy(update={"created_at": "2021-10-01T00:00:00Z"}),
            new.model_copy(update={"created_at": "2022-07-01T00:00:00Z"}),
        ]
    )
    builder = daemon.builder(tmp_path_factory)
    images = [builder.ensure_instance(t, repo.path) for t in tasks]
    plan = builder.plan(tasks[1], NEW, repo.path)
    fresh = builder.env_tag(NEW, plan.fallback or plan)
    removed_after_use = not builder.exists(fresh)
    yield {"images": images, "builder": builder, "plan": plan, "removed": removed_after_use}
    daemon.remove(images)


def _envs_under(image: str) -> list[Any]:
    """The environment images ``image`` stands on, lowest first."""
    mine = daemon.layers(image)
    found = [
        e
        for e in connect().images.list(filters={"label": "swe-runner.kind=env"})
        if mine[: len(daemon.layers(e.id))] == daemon.layers(e.id)
        and PACKAGES_LABEL not in e.labels  # a packages layer on one (installs.py)
    ]
    return sorted(found, key=lambda e: len(daemon.layers(e.id)))


def test_the_newer_environment_is_a_delta_on_the_hub_and_its_fresh_build_is_gone(
    built: dict[str, Any],
) -> None:
    old, new = built["images"]
    (hub,) = _envs_under(old)
    hub_again, delta = _envs_under(new)
    assert hub_again.id == hub.id  # the second task's image stands on the first's environment
    below = [
        i.attrs["Size"]
        for i in connect().images.list(filters={"label": "swe-runner.kind"})
        if daemon.layers(delta.id)[: len(daemon.layers(i.id))] == daemon.layers(i.id)
        and daemon.layers(i.id) != daemon.layers(delta.id)  # (an empty packages layer)
    ]
    own = delta.attrs["Size"] - max(below)
    assert 0 < own < 5_000_000  # six and attrs, idna removed: not a second venv (40 MB)
    assert built["removed"]  # the fresh build was removed once its files were in the delta


def test_the_delta_environment_is_the_fresh_build_file_for_file(built: dict[str, Any]) -> None:
    old, new = built["images"]
    builder = built["builder"]
    fresh = builder.build_env(NEW, built["plan"]).tag  # built again, on the base image alone
    try:
        _, delta = _envs_under(new)
        client = connect()
        assert pool.manifest(client, delta.id) == pool.manifest(client, fresh)
        assert daemon.run(new, FREEZE) == daemon.run(fresh, FREEZE)
    finally:
        daemon.remove([fresh])
    frozen = daemon.run(new, FREEZE)
    assert "six==1.16.0" in frozen and "attrs==21.2.0" in frozen
    assert "idna" not in frozen  # the hub's package this environment lacks is gone
    assert "idna==2.10" in daemon.run(old, FREEZE)
