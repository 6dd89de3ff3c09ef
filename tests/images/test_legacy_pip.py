"""Setups that today's pip cannot do, and the official images' pip could: an editable
install through a build backend without PEP 660 (setuptools < 64), and
``--no-use-pep517`` (scikit-learn's install command). Both ended in pip 25.3; the instance
image then gets pip 25.2 and runs the setup again. Any other failure still fails."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from swe_runner.errors import ImageError
from swe_runner.images.build import ImageBuilder
from swe_runner.inputs.peers import with_peers
from swe_runner.task import EnvSpec, Task
from tests.images import daemon
from tests.images.daemon import run as _run
from tests.images.dated_repo import DatedRepo

pytestmark = pytest.mark.docker

OLD_BACKEND = (
    '[build-system]\nrequires = ["setuptools==63.4.3", "wheel"]\n'
    'build-backend = "setuptools.build_meta"\n'
)
SETUP_PY = (
    'from setuptools import setup\nsetup(name="acme-old", version="1.0", packages=["acme"])\n'
)


def _task(iid: str, commit: str, version: str, install: str) -> Task:
    spec = EnvSpec(python="3.11", install=(install,))
    return daemon.task(iid, commit, version, spec, repo="acme/old")


@pytest.fixture(scope="module")
def setups(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ImageBuilder, dict]]:
    repo = DatedRepo(tmp_path_factory.mktemp("legacy") / "repo")
    plain = repo.commit("2022-03-01T12:00:00Z", {"setup.py": SETUP_PY, "acme/__init__.py": ""})
    pinned = repo.commit("2022-04-01T12:00:00Z", {"pyproject.toml": OLD_BACKEND})
    tasks = with_peers(
        [
            _task("acme__old-1", plain, "1", "python -m pip install -v --no-use-pep517 "
                  "--no-build-isolation -e ."),
            _task("acme__old-2", pinned, "2", "python -m pip install -e ."),
            _task("acme__old-3", pinned, "3", "python -m pip install -e . && exit 3"),
            _task("acme__old-4", plain, "4", "python -m pip install -e ."),
        ]
    )  # fmt: skip
    builder = daemon.builder(tmp_path_factory)
    made: dict[str, str] = {}
    yield builder, {"repo": repo, "tasks": {t.instance_id: t for t in tasks}, "made": made}
    daemon.remove(made.values())


def _build(setups: tuple[ImageBuilder, dict], iid: str) -> str:
    builder, s = setups
    tag = builder.ensure_instance(s["tasks"][iid], s["repo"].path)
    s["made"][iid] = tag
    return tag


@pytest.mark.parametrize("iid", ["acme__old-1", "acme__old-2"])
def test_a_setup_that_needs_legacy_pip_gets_it_and_installs(
    setups: tuple[ImageBuilder, dict], iid: str
) -> None:
    tag = _build(setups, iid)
    probe = "python -m pip --version && python -c 'import acme; print(acme.__file__)'"
    out = _run(tag, f"cd / && {probe}")
    assert out.split()[1] == "25.2"
    assert out.strip().endswith("/testbed/acme/__init__.py")  # installed editable


def test_any_other_failure_of_the_setup_still_fails_the_build(
    setups: tuple[ImageBuilder, dict],
) -> None:
    with pytest.raises(ImageError, match="exited with status 3"):
        _build(setups, "acme__old-3")


def test_today_s_pip_installs_a_project_without_pyproject_in_compat_mode(
    setups: tuple[ImageBuilder, dict],
) -> None:
    tag = _build(setups, "acme__old-4")
    out = _run(tag, "cd / && python -m pip --version && cat /opt/venv/pip.conf")
    assert int(out.split()[1].split(".")[0]) >= 26
    assert out.count("config-settings = editable_mode=compat") == 1
    site = "/opt/venv/lib/python3.11/site-packages"
    listed = _run(tag, f"ls {site} && cat {site}/__editable__.acme_old-1.0.pth")
    assert "_finder.py" not in listed  # no import hook: the repository itself on sys.path
    assert listed.strip().endswith("/testbed")
