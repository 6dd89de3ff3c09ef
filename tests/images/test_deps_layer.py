"""A version's dependencies layer on the daemon: its setup runs once on the version's first
snapshot, so its instances share what the setup installs; each instance still installs the
project, and what its own commit needs beyond the first's, at its own commit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from swe_runner.inputs.peers import with_peers
from swe_runner.sandbox.containers import connect
from swe_runner.task import EnvSpec
from tests.images import daemon
from tests.images.daemon import layers as _layers
from tests.images.daemon import run as _run
from tests.images.dated_repo import DatedRepo

pytestmark = pytest.mark.docker

SPEC = EnvSpec(python="3.11", install=("python -m pip install -e .",))


def _pyproject(*deps: str) -> str:
    listed = ", ".join(f'"{d}"' for d in deps)
    return (
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        f'[project]\nname = "acme-app"\nversion = "1.0"\ndependencies = [{listed}]\n'
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    repo = DatedRepo(tmp_path_factory.mktemp("deps") / "repo")
    first = repo.commit(
        "2022-03-01T12:00:00Z",
        {"pyproject.toml": _pyproject("iniconfig"), "src/acme_app/__init__.py": "v = 1\n"},
    )
    repo.commit("2022-04-01T12:00:00Z", {"src/acme_app/__init__.py": "v = 2\n"})
    later = repo.commit(
        "2022-05-01T12:00:00Z",
        {
            "pyproject.toml": _pyproject("iniconfig", "pluggy"),
            "src/acme_app/__init__.py": "v = 3\n",
        },
    )
    tasks = with_peers(
        [
            daemon.task("acme__app-1", first, "1.0", SPEC),
            daemon.task("acme__app-3", later, "1.0", SPEC),
        ]
    )
    builder = daemon.builder(tmp_path_factory)
    images = {t.instance_id: builder.ensure_instance(t, repo.path) for t in tasks}
    yield {"tasks": tasks, "images": images}
    daemon.remove(images.values())


def _deps_layer(images: dict[str, str]) -> Any:
    """The one dependencies image under both instances."""
    tops = [_layers(t) for t in images.values()]
    found = [
        image
        for image in connect().images.list(filters={"label": "swe-runner.kind=snapshot"})
        if any(t.startswith("swe-runner-deps:") for t in image.tags)
        and all(top[: len(_layers(image.id))] == _layers(image.id) for top in tops)
    ]
    assert len(found) == 1
    return found[0]


def _written_since(image: str, below: Any) -> set[str]:
    """Every file the layers of ``image`` above ``below`` wrote."""
    return daemon.written(image, top=len(_layers(image)) - len(_layers(below.id)))


def test_the_version_s_dependencies_are_installed_once_under_its_instances(
    built: dict[str, Any],
) -> None:
    deps = _deps_layer(built["images"])
    out = _run(deps.id, "python -c 'import iniconfig; print(iniconfig.__name__)' && pip list")
    assert out.startswith("iniconfig\n")
    assert "acme" not in out  # the project itself was uninstalled again
    assert _run(deps.id, "cd /testbed && git status --porcelain --ignored") == ""
    first = built["images"]["acme__app-1"]
    own = _written_since(first, deps)
    assert not [f for f in own if "/site-packages/iniconfig/" in f]


def test_each_instance_installs_the_project_and_what_its_commit_adds(
    built: dict[str, Any],
) -> None:
    probe = "python -c 'import acme_app, iniconfig; print(acme_app.v, acme_app.__file__)'"
    first, later = (built["images"][i] for i in ("acme__app-1", "acme__app-3"))
    assert _run(first, probe).split() == ["1", "/testbed/src/acme_app/__init__.py"]
    assert _run(later, probe).split() == ["3", "/testbed/src/acme_app/__init__.py"]
    assert _run(later, "python -c 'import pluggy' && echo yes").strip() == "yes"
    assert "No module named 'pluggy'" in _run(first, "python -c 'import pluggy' 2>&1 || true")
    own = _written_since(later, _deps_layer(built["images"]))  # what its own layers hold
    assert [f for f in own if "/site-packages/pluggy/" in f]
    assert not [f for f in own if "/site-packages/iniconfig/" in f]
