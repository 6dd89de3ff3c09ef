"""Environments as of the task's date: pins, PyPI upload dates, the cutoff, the plan."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from swe_runner.errors import ImageError
from swe_runner.images import asof
from swe_runner.images.plan import nearest_python, plan_environment
from swe_runner.task import EnvSpec, Task
from tests.fakes.pypi import FakeIndex, simple_index
from tests.images.dated_repo import git

FILES = {
    "mpmath": [
        {"filename": "mpmath-1.3.0-py3-none-any.whl", "upload-time": "2023-03-07T16:47:09Z"},
        {"filename": "mpmath-1.3.0.tar.gz", "upload-time": "2023-03-07T16:47:11Z"},
        {"filename": "mpmath-1.2.1.tar.gz", "upload-time": "2021-02-25T00:00:00Z"},
    ]
}


@pytest.fixture
def index() -> Iterator[FakeIndex]:
    with simple_index(FILES) as served:
        yield served


def test_pins_are_found_in_requirements_and_commands() -> None:
    lines = [
        "numpy==1.25.2",
        "pytest",
        'sed -i \'s/requires = \\["setuptools",/requires = \\["setuptools==68.0.0",/\' x',
        "pip install 'Flake8[extra]==3.7'",
        "pkg>=1.0",
    ]
    assert asof.pins(lines) == [("flake8", "3.7"), ("numpy", "1.25.2"), ("setuptools", "68.0.0")]


def test_a_release_is_dated_by_its_latest_file_and_remembered(
    index: FakeIndex, tmp_path: Path
) -> None:
    cache = tmp_path / "dates.json"
    wanted = [("mpmath", "1.3.0"), ("nothing", "1.0")]
    dates, problems = asof.pypi_upload_dates(wanted, cache, index=index.url)
    assert dates == {("mpmath", "1.3.0"): datetime(2023, 3, 7, 16, 47, 11, tzinfo=UTC)}
    assert len(problems) == 1 and problems[0].startswith("nothing==1.0")
    index.asked.clear()
    again, _ = asof.pypi_upload_dates([("mpmath", "1.3.0")], cache, index=index.url)
    assert again == dates and index.asked == []  # from the cache


def test_the_cutoff_is_the_latest_of_environment_pins_and_the_python_floor() -> None:
    env = datetime(2017, 7, 23, tzinfo=UTC)
    pin = datetime(2023, 3, 7, tzinfo=UTC)
    assert asof.cutoff(env, "3.9", [pin]) == pin + asof.PIN_MARGIN
    assert asof.cutoff(env, "3.9", []) == asof.parse_date(asof.EDITABLE_FLOOR)
    assert asof.cutoff(env, "3.13", []) == asof.parse_date(asof.PYTHON_FLOOR["3.13"])
    late = datetime(2023, 6, 1, tzinfo=UTC)
    assert asof.cutoff(late, "3.9", []) == late
    assert asof.cutoff(None, "3.9", [pin]) == pin + asof.PIN_MARGIN


@pytest.mark.parametrize(
    ("asked", "used"), [("3.6", "3.9"), ("3.9", "3.9"), ("3.10", "3.9"), ("3.12", "3.11")]
)
def test_the_nearest_available_python_ties_going_to_the_older(asked: str, used: str) -> None:
    assert nearest_python(asked) == used


def _git(cwd: Path, *args: str, when: str = "2019-04-17T21:52:37Z") -> str:
    return git(cwd, *args, when=when)


def _task_at_head(repo: Path, env_commit: str) -> Task:
    """A task at ``repo``'s HEAD whose environment commit is ``env_commit``."""
    return Task(
        instance_id="x-1",
        repo="o/x",
        base_commit=_git(repo, "rev-parse", "HEAD"),
        problem_statement="",
        patch="",
        test_patch="",
        FAIL_TO_PASS=["t"],
        environment_setup_commit=env_commit,
        created_at="2025-01-01T00:00:00Z",
    )


def test_the_plan_reads_the_conda_file_at_the_environment_commit(tmp_path: Path) -> None:
    (tmp_path / "ci").mkdir()
    _git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "ci" / "environment.yml").write_text(
        "dependencies:\n  - python=3.10\n  - numpy\n  - hdf5\n  - pip:\n    - numbagg\n"
    )
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "env")
    env_commit = _git(tmp_path, "rev-parse", "HEAD")
    (tmp_path / "ci" / "environment.yml").write_text("dependencies: [later]\n")
    _git(tmp_path, "commit", "-qam", "later", when="2024-01-01T00:00:00Z")
    spec = EnvSpec(
        python="3.10",
        packages=("pandas==1.5.3",),
        conda_env_files=("missing.yml", "ci/environment.yml"),
    )
    task = _task_at_head(tmp_path, env_commit)
    pandas = datetime(2023, 1, 19, tzinfo=UTC)
    plan = plan_environment(task, spec, tmp_path, lambda pins: ({pins[0]: pandas}, []))
    assert plan.python == "3.9"
    assert plan.packages == ("pandas==1.5.3",)
    assert plan.conda_packages == ("numpy", "numbagg")
    assert plan.as_of == (pandas + asof.PIN_MARGIN).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert any("hdf5" in n for n in plan.notes) and any("3.10 asked" in n for n in plan.notes)
    today = plan_environment(task, spec, tmp_path, None)
    assert today.as_of is None and today.conda_packages == plan.conda_packages
    undated = plan_environment(task, spec, tmp_path, lambda pins: ({}, ["pandas==1.5.3: down"]))
    assert undated.as_of is None and any("as of today" in n for n in undated.notes)


def test_the_plan_reads_the_requirements_file_at_the_environment_commit_as_official_does(
    tmp_path: Path,
) -> None:
    """pylint's requirements_test.txt: its ``-r`` includes inlined first, the editable
    install of the repository and comments left out (swebench's get_requirements_by_commit),
    read at the environment commit, not the base commit."""
    _git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "requirements_test_min.txt").write_text(
        "-e .[testutils,spelling]\n# astroid is in setup.cfg too\nastroid==2.13.5\n"
    )
    (tmp_path / "requirements_test.txt").write_text(
        "-r requirements_test_min.txt\n-r missing.txt\ncoveralls~=3.3\n\npytest-xdist\n"
    )
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "env")
    env_commit = _git(tmp_path, "rev-parse", "HEAD")
    (tmp_path / "requirements_test.txt").write_text("later==1\n")
    _git(tmp_path, "commit", "-qam", "later", when="2024-01-01T00:00:00Z")
    spec = EnvSpec(python="3.9", requirements_files=("absent.txt", "requirements_test.txt"))
    task = _task_at_head(tmp_path, env_commit)
    astroid = datetime(2023, 1, 8, tzinfo=UTC)
    plan = plan_environment(task, spec, tmp_path, lambda pins: ({pins[0]: astroid}, []))
    assert plan.repo_requirements == ("astroid==2.13.5", "coveralls~=3.3", "pytest-xdist")
    assert plan.as_of == (astroid + asof.PIN_MARGIN).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f"requirements_test.txt at {env_commit[:12]} installed into the environment" in (
        plan.notes
    )
    with pytest.raises(ImageError, match=r"none of nowhere.txt exists at"):
        plan_environment(task, EnvSpec(requirements_files=("nowhere.txt",)), tmp_path, None)
    with pytest.raises(ImageError, match=r"reads absent.txt, requirements_test.txt from the"):
        plan_environment(task, spec, None, None)
