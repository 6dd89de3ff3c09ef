"""Environment plans: the fallback for pins without a wheel, and plans without the
repository at hand."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from swe_runner.errors import ImageError
from swe_runner.images import asof
from swe_runner.images.plan import plan_environment
from swe_runner.images.wheels import Releases
from swe_runner.task import EnvSpec, Task
from tests.images.conftest import releases

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
