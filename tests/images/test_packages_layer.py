"""The packages layer (swe_runner/images/installs.py), on the daemon: what the setup installs
at the environment's commit is stored once under the snapshots, and an instance built on it
has the venv a build without it makes, file for file, though pip would have kept the
layer's older release."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from swe_runner.images import pool
from swe_runner.images.build import PACKAGES_FAILED, PACKAGES_LABEL, ImageBuilder
from swe_runner.inputs.peers import with_peers
from swe_runner.sandbox.containers import connect
from swe_runner.task import EnvSpec
from tests.images import daemon
from tests.images.dated_repo import DatedRepo, git

pytestmark = pytest.mark.docker

# The setup installs what the commit's requirements file names.
SPEC = EnvSpec(python="3.11", install=("python -m pip install -r requirements.txt",))
PINNED = "six==1.15.0\nidna==2.10\n"
FREEZE = "python -m pip freeze --all | sort"
OTHER = SPEC.model_copy(update={"install": (*SPEC.install, "touch /opt/venv/other.txt")})


def _repo(path: Any) -> tuple[DatedRepo, dict[str, str]]:
    """Two years of a project whose requirements loosen: six is pinned at 1.15.0 until
    2021, then left open (a fresh install takes the newest release, 1.16.0)."""
    repo = DatedRepo(path)
    first = {"requirements.txt": PINNED, "a.py": "1\n"}
    c = {
        "old": repo.commit("2020-03-01T12:00:00Z", first),
        "mid": repo.commit("2020-09-01T12:00:00Z", {"a.py": "2\n"}),
        "new": repo.commit("2021-09-01T12:00:00Z", {"requirements.txt": "six\nidna==2.10\n"}),
    }
    return repo, c


def _builder(tmp_path_factory: pytest.TempPathFactory, least: int) -> ImageBuilder:
    made = daemon.builder(tmp_path_factory)
    return ImageBuilder(made.settings, packages_min_bytes=least)


def _packages_under(image: str) -> list[Any]:
    """The packages layers ``image`` stands on (those with no layer of their own too)."""
    mine = daemon.layers(image)
    return [
        p
        for p in connect().images.list(name="swe-runner-packages")
        if mine[: len(daemon.layers(p.id))] == daemon.layers(p.id)
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    repo, c = _repo(tmp_path_factory.mktemp("packages") / "repo")
    tasks = with_peers(
        [
            daemon.task("acme__app-1", c["new"], "1.0", SPEC).model_copy(
                update={"created_at": "2021-09-02T00:00:00Z"}
            ),
            daemon.task("acme__app-2", c["mid"], "1.0", SPEC).model_copy(
                update={"created_at": "2020-09-02T00:00:00Z"}
            ),
            # another setup on the same environment (the oldest task's runs in the layer)
            daemon.task("acme__app-3", c["mid"], "2.0", OTHER).model_copy(
                update={"created_at": "2021-10-02T00:00:00Z"}
            ),
        ]
    )
    layered = _builder(tmp_path_factory, 1)  # any package makes a layer
    plain = _builder(tmp_path_factory, 10**12)  # none does: built as before
    images = {t.instance_id: layered.ensure_instance(t, repo.path) for t in tasks}
    without = {t.instance_id: plain.ensure_instance(t, repo.path) for t in tasks}
    yield {"repo": repo, "commits": c, "images": images, "without": without}
    daemon.remove([*images.values(), *without.values()])


def test_the_setup_at_the_environment_commit_is_a_layer_under_the_snapshots(
    built: dict[str, Any],
) -> None:
    first, second, other = built["images"].values()
    (layer,) = [p for p in _packages_under(first) if int(p.labels[PACKAGES_LABEL]) > 0]
    assert layer.id in [p.id for p in _packages_under(second)]  # shared
    assert layer.id in [p.id for p in _packages_under(other)]  # by another setup too
    assert daemon.run(other, "ls /opt/venv/other.txt") == "/opt/venv/other.txt\n"
    assert "other.txt" not in daemon.run(layer.id, "ls /opt/venv")
    assert "six==1.15.0" in daemon.run(layer.id, FREEZE)  # installed at the old commit
    # made at an ancestor of the base commits: nothing from after them
    made_at = layer.tags[0].split(":")[1].split("-")[1]
    for commit in (built["commits"]["new"], built["commits"]["mid"]):
        git(built["repo"].path, "merge-base", "--is-ancestor", made_at, commit)


def test_an_instance_gets_the_venv_a_build_without_the_layer_makes(
    built: dict[str, Any],
) -> None:
    client = connect()
    for iid, image in built["images"].items():
        plain = built["without"][iid]
        assert all(p.labels[PACKAGES_LABEL] == "0" for p in _packages_under(plain))
        assert pool.manifest(client, image) == pool.manifest(client, plain)
        assert daemon.run(image, FREEZE) == daemon.run(plain, FREEZE)
        script = "cd /testbed && git status --porcelain && git log --oneline | wc -l && ls -a"
        assert daemon.run(image, script) == daemon.run(plain, script)
    # pip, shown the layer's six 1.15.0, would have kept it: a fresh install takes 1.16.0
    assert "six==1.16.0" in daemon.run(built["images"]["acme__app-1"], FREEZE)
    assert "six==1.15.0" in daemon.run(built["images"]["acme__app-2"], FREEZE)


def test_an_instance_on_the_layer_stores_only_what_differs_from_it(
    built: dict[str, Any],
) -> None:
    client = connect()
    keys = ("Cmd", "Entrypoint", "Env", "WorkingDir", "User")
    for iid, image in built["images"].items():
        mine = client.images.get(image).attrs["Config"]
        theirs = client.images.get(built["without"][iid]).attrs["Config"]
        assert [mine.get(k) or None for k in keys] == [theirs.get(k) or None for k in keys]
    # the instance at the layer's own commit adds no package file of its own
    same = built["images"]["acme__app-2"]
    written = daemon.written(same, top=4)
    assert not [f for f in written if "site-packages/six" in f or "site-packages/idna" in f]
    loose = built["images"]["acme__app-1"]
    assert [f for f in daemon.written(loose, top=4) if "site-packages/six.py" in f]


def test_a_setup_that_fails_at_the_environment_commit_leaves_the_layer_empty_and_is_tried_again(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Two branches off a commit whose setup fails, each fixing it: the packages layer at
    that commit is empty and says why; a run tries it once, a later run again."""
    repo = DatedRepo(tmp_path_factory.mktemp("failing") / "repo")
    spec = EnvSpec(python="3.11", install=("sh step.sh",))
    base = repo.commit("2021-03-01T12:00:00Z", {"step.sh": "exit 3\n", "a.py": "0\n"})
    fixed = {"step.sh": "echo set up > /opt/venv/done.txt\n"}
    git(repo.path, "checkout", "-q", "-b", "one")
    one = repo.commit("2021-04-01T12:00:00Z", fixed)
    git(repo.path, "checkout", "-q", "-b", "two", base)
    two = repo.commit("2021-05-01T12:00:00Z", {**fixed, "b.py": "1\n"})
    later = repo.commit("2021-06-01T12:00:00Z", {"c.py": "2\n"})
    tasks = with_peers(
        [
            daemon.task("acme__fix-1", one, "1.0", spec, repo="acme/fix"),
            daemon.task("acme__fix-2", two, "2.0", spec, repo="acme/fix"),
            daemon.task("acme__fix-3", later, "2.0", spec, repo="acme/fix"),
        ]
    )
    daemon.remove_repository("acme__fix")  # its shared layers built again: the first time
    settings = daemon.builder(tmp_path_factory).settings
    said: list[str] = []
    first_run = ImageBuilder(settings, said.append, packages_min_bytes=1)
    images = [first_run.ensure_instance(t, repo.path) for t in tasks[:2]]
    tried = [line for line in said if line.startswith("no packages layer")]
    assert len(tried) == 1, said  # once in a run, though each instance needed the layer
    said.clear()
    later_run = ImageBuilder(settings, said.append, packages_min_bytes=1)
    images.append(later_run.ensure_instance(tasks[2], repo.path))
    try:
        assert len([line for line in said if line.startswith("no packages layer")]) == 1, said
        for image in images:
            (layer,) = [p for p in _packages_under(image) if "acme__fix" in str(p.tags)]
            assert layer.labels[PACKAGES_LABEL] == "0"
            assert "exited with status 3" in layer.labels[PACKAGES_FAILED]
            assert daemon.run(image, "cat /opt/venv/done.txt") == "set up\n"
    finally:
        daemon.remove_repository("acme__fix")
