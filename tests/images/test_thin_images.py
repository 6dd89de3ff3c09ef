"""Thin instance images on the daemon: instances of a repository share its history, its
environment and their setup's chain of snapshots, add only their own commit, and hold
nothing from after their base commit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from swe_runner.images.build import ImageBuilder
from swe_runner.inputs.peers import with_peers
from swe_runner.sandbox.containers import connect
from swe_runner.task import EnvSpec
from tests.conftest import HOST_CA_BUNDLE
from tests.images import daemon
from tests.images.daemon import layers as _layers
from tests.images.daemon import run as _run
from tests.images.dated_repo import git, years_of_history

pytestmark = pytest.mark.docker

SPEC = EnvSpec(python="3.11", install=("echo installed > /opt/installed.txt",))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    repo, c = years_of_history(tmp_path_factory.mktemp("thin") / "repo")
    tasks = with_peers(
        [
            daemon.task("acme__app-1", c["2021b"], "1.0", SPEC),
            daemon.task("acme__app-2", c["2022b"], "2.0", SPEC),
            daemon.task("acme__app-3", c["2022c"], "2.0", SPEC),
        ]
    )
    builder = daemon.builder(tmp_path_factory)
    images = {t.instance_id: builder.ensure_instance(t, repo.path) for t in tasks}
    yield {"repo": repo, "commits": c, "tasks": tasks, "images": images, "builder": builder}
    daemon.remove(images.values())


def _kind(kind: str) -> list[tuple[str, ...]]:
    images = connect().images.list(filters={"label": f"swe-runner.kind={kind}"})
    return [tuple(i.attrs["RootFS"]["Layers"]) for i in images]


def _under(layers: tuple[str, ...], image: tuple[str, ...]) -> bool:
    return image[: len(layers)] == layers


def test_instances_of_one_setup_share_a_chain_of_snapshots_across_versions(
    built: dict[str, Any],
) -> None:
    one, two, three = (_layers(t) for t in built["images"].values())
    snapshots = _kind("snapshot")
    # app-1 (version 1.0) is the chain's first link, under the 2.0 instances too
    assert any(_under(s, one) and _under(s, two) and _under(s, three) for s in snapshots)
    assert any(_under(s, two) and _under(s, three) and not _under(s, one) for s in snapshots)
    assert any(_under(e, one) and _under(e, two) and _under(e, three) for e in _kind("env"))
    packs = [p for p in _kind("repo") if _under(p, one) and _under(p, three)]
    assert len(packs) >= 2  # the root and the 2020 pack, under the environment


def test_an_instance_image_adds_only_its_own_commit_on_the_snapshot(
    built: dict[str, Any],
) -> None:
    tag = built["images"]["acme__app-3"]
    image = connect().images.get(tag)
    snapshots = connect().images.list(filters={"label": "swe-runner.kind=snapshot"})
    under = [s for s in snapshots if _under(_layers(s.id), _layers(tag))]
    # the chain: 2021b's snapshot (app-1's), 2022b's (app-2's), then its own
    assert len(under) == 3
    below, top = sorted(under, key=lambda s: len(_layers(s.id)))[1:]
    own = image.attrs["Size"] - top.attrs["Size"]  # refs and install: its base is the top
    ca = Path(HOST_CA_BUNDLE).stat().st_size if HOST_CA_BUNDLE else 0  # the build's own copy
    assert own < 100_000 + ca
    assert top.attrs["Size"] - below.attrs["Size"] < 50_000
    # the link holds the history 2022c adds, as one pack, and no file of the work tree
    written = daemon.written(top.id)
    assert {Path(f).suffix for f in written} == {".pack", ".idx"}, written
    assert all(f.startswith("testbed/.git/objects/pack/") for f in written)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_each_image_holds_its_base_commit_and_nothing_after_it(
    built: dict[str, Any], n: int
) -> None:
    repo, c = built["repo"], built["commits"]
    task = built["tasks"][n - 1]
    out = _run(
        built["images"][task.instance_id],
        "cd /testbed && git status --porcelain && git rev-parse HEAD && cat src/app.py "
        "&& git tag && echo == && git cat-file --batch-all-objects --batch-check='%(objectname)'",
    )
    head, objects = out.split("==\n")
    lines = head.splitlines()
    assert lines[0] == task.base_commit  # a clean tree at the base
    assert lines[1] == git(repo.path, "show", f"{task.base_commit}:src/app.py")
    held = set(objects.split())
    later = {sha for name, sha in c.items() if sha not in repo.objects(task.base_commit)}
    assert not held & later
    reachable = repo.objects(task.base_commit)
    assert reachable <= held
    extra = held - reachable
    tags = {"v1.0"} if n > 1 else set()
    assert set(lines[2:]) == tags
    assert len(extra) == len(tags)  # the annotated tag objects


def test_a_rebuilt_instance_builds_only_itself(built: dict[str, Any]) -> None:
    task = built["tasks"][2]
    connect().images.remove(built["images"][task.instance_id], force=True)
    said: list[str] = []
    again = ImageBuilder(built["builder"].settings, said.append).ensure_instance(
        task, built["repo"].path
    )
    assert again == built["images"][task.instance_id]
    assert [m.split()[1] for m in said if m.startswith("built")] == [again]
