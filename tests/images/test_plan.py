"""Environment plans: the fallback for pins without a wheel, plans without the repository
at hand, and the Debian packages an environment takes from its hub."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from swe_runner.config import load_settings
from swe_runner.errors import ImageError
from swe_runner.images import asof
from swe_runner.images.build import ImageBuilder
from swe_runner.images.plan import plan_environment
from swe_runner.images.wheels import Releases
from swe_runner.inputs.peers import with_peers
from swe_runner.task import EnvSpec, Task
from tests.images.conftest import releases
from tests.images.dated_repo import DatedRepo

TASK = Task(
    instance_id="scikit-learn__scikit-learn-1",
    repo="scikit-learn/scikit-learn",
    base_commit="a" * 40,
    problem_statement="",
    patch="",
    test_patch="",
    FAIL_TO_PASS=["t"],
    environment_setup_commit="b" * 40,
    created_at="2019-03-23T10:00:00Z",
)
# scikit-learn 0.20-0.22's official spec, translated
SPEC = EnvSpec(python="3.6", packages=("pytest", "numpy==1.19.2", "scipy==1.5.2"))
UPLOADS = {
    ("numpy", "1.19.2"): datetime(2020, 9, 10, tzinfo=UTC),
    ("scipy", "1.5.2"): datetime(2020, 7, 23, tzinfo=UTC),
    ("numpy", "1.19.3"): datetime(2020, 10, 29, tzinfo=UTC),
    ("scipy", "1.5.4"): datetime(2022, 11, 5, tzinfo=UTC),  # later than every floor
}


def date_pins(
    wanted: list[tuple[str, str]],
) -> tuple[dict[tuple[str, str], datetime], list[str]]:
    return {pin: UPLOADS[pin] for pin in wanted}, []


def test_a_spec_whose_pins_lack_wheels_gets_a_fallback_dated_by_its_own_pins(
    recorded: Path,
) -> None:
    plan = plan_environment(TASK, SPEC, None, date_pins, lambda n: releases(n, recorded))
    assert plan.python == "3.9" and plan.packages == SPEC.packages  # as specified, first
    assert plan.as_of == asof.EDITABLE_FLOOR + "T00:00:00Z"
    fallback = plan.fallback
    assert fallback is not None and fallback.fallback is None
    assert fallback.packages == ("pytest", "numpy==1.19.3", "scipy==1.5.4")
    assert fallback.as_of == (UPLOADS["scipy", "1.5.4"] + asof.PIN_MARGIN).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    # recorded where the Python substitution is: the plan's notes, said when it is built
    assert fallback.notes[0] == "Python 3.6 asked, 3.9 used (the nearest available)"
    assert any("numpy==1.19.3 used, the nearest release with one" in n for n in fallback.notes)
    assert any("scipy==1.5.4 used" in n for n in fallback.notes)
    assert not any("used, the nearest release" in n for n in plan.notes)


def test_pins_with_wheels_make_no_fallback_and_no_lookup_without_a_releases_source(
    recorded: Path,
) -> None:
    spec = EnvSpec(python="3.9", packages=("numpy==1.19.3",))
    assert (
        plan_environment(TASK, spec, None, None, lambda n: releases(n, recorded)).fallback is None
    )
    asked: list[str] = []

    def never(name: str) -> Releases:
        asked.append(name)
        return {}

    assert plan_environment(TASK, SPEC, None, None).fallback is None
    custom = SPEC.model_copy(update={"base_image": "python:3.6"})  # its platform is unknown
    assert plan_environment(TASK, custom, None, None, never).fallback is None
    assert asked == []


def test_without_the_repository_the_environment_is_dated_by_the_task() -> None:
    plan = plan_environment(TASK, SPEC.model_copy(update={"packages": ()}), None, date_pins)
    assert any("dated by the task's creation (2019-03-23)" in n for n in plan.notes)
    late = TASK.model_copy(update={"created_at": "2023-05-04T00:00:00Z"})
    later = plan_environment(late, SPEC.model_copy(update={"packages": ()}), None, date_pins)
    assert later.as_of == "2023-05-04T00:00:00Z"


def test_without_the_repository_a_conda_file_cannot_be_read() -> None:
    spec = SPEC.model_copy(update={"conda_env_files": ("environment.yml",)})
    with pytest.raises(ImageError, match=r"reads environment.yml from the repository"):
        plan_environment(TASK, spec, None, date_pins)


def _conda_repo(path: Path) -> tuple[str, str]:
    """A repository whose environment file names hdf5 and eccodes, later hdf5 alone."""
    repo = DatedRepo(path)
    old = repo.commit(
        "2021-01-05T00:00:00Z",
        {"environment.yml": "dependencies:\n  - hdf5\n  - eccodes\n  - pytest\n"},
    )
    new = repo.commit(
        "2022-09-05T00:00:00Z", {"environment.yml": "dependencies:\n  - hdf5\n  - pytest\n"}
    )
    return old, new


def _peered(spec: EnvSpec, created: dict[str, str]) -> tuple[Task, ...]:
    """Tasks x-1, x-2... of ``spec`` at each commit (its environment commit too), created
    when ``created`` says, with their peers."""
    return with_peers(
        [
            TASK.model_copy(
                update={
                    "instance_id": f"x-{n}",
                    "base_commit": commit,
                    "environment_setup_commit": commit,
                    "created_at": when,
                    "env_spec": spec,
                }
            )
            for n, (commit, when) in enumerate(created.items(), start=1)
        ]
    )


def test_an_environment_with_some_of_its_hubs_debian_packages_takes_all_of_them(
    tmp_path: Path,
) -> None:
    old, new = _conda_repo(tmp_path / "repo")
    spec = EnvSpec(python="3.9", conda_env_files=("environment.yml",))
    tasks = _peered(spec, {old: "2021-01-06", new: "2022-09-06"})
    builder = ImageBuilder(load_settings(None, {"packages_as_of": "today"}, environ={}))
    hub, newer = (builder.plan(t, spec, tmp_path / "repo") for t in tasks)
    assert set(hub.system_packages) > {"libhdf5-dev"}  # eccodes' library too
    own = plan_environment(tasks[1], spec, tmp_path / "repo", None)
    assert own.system_packages and set(own.system_packages) < set(hub.system_packages)
    assert newer.system_packages == hub.system_packages
    (note,) = (n for n in newer.notes if "environment of x-1" in n)
    assert "libeccodes-dev" in note
    assert newer.notes[: len(own.notes)] == own.notes

    # a hub whose packages are not a superset of the task's lends it nothing
    swapped = with_peers([tasks[1].model_copy(update={"created_at": "2020-01-01"}), tasks[0]])
    assert builder.plan(swapped[1], spec, tmp_path / "repo").system_packages == hub.system_packages
    assert builder.plan(swapped[0], spec, tmp_path / "repo") == own


def test_a_chain_keeps_the_peers_whose_environment_image_is_the_tasks_own(
    tmp_path: Path,
) -> None:
    """One spec reading the repository's environment file: the tasks whose environment
    commits hold the same file share an environment image, so a chain; the others not."""
    repo = DatedRepo(tmp_path / "repo")
    files = {"environment.yml": "dependencies:\n  - pytest\n"}
    first = repo.commit("2021-01-05T00:00:00Z", files)
    second = repo.commit("2021-06-05T00:00:00Z", {"a.py": "1\n"})  # same file
    third = repo.commit("2022-01-05T00:00:00Z", {"environment.yml": "dependencies:\n  - six\n"})
    spec = EnvSpec(python="3.11", conda_env_files=("environment.yml",))
    tasks = _peered(spec, dict.fromkeys([first, second, third], TASK.created_at))
    assert tasks[0].peers.chain == tuple(sorted([first, second, third]))  # by spec alone
    builder = ImageBuilder(load_settings(None, {"packages_as_of": "today"}, environ={}))
    chains = [builder._stack(t, repo.path)[1].anchors for t in tasks]
    assert chains == [(first,), (first, second), (third,)]
