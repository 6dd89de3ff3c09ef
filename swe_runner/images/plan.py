"""What a task's environment image installs, on which Python, and as of when.

A plan is made on the host once the repository is at hand (:func:`plan_environment`): the
spec's packages plus a conda environment file translated to pip (read at the environment
setup commit, as the official harness reads it), the Python Debian offers nearest to the
spec's, and the date every requirement is resolved as of (:mod:`swe_runner.images.asof`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from swe_runner.errors import ImageError
from swe_runner.images import asof, repo
from swe_runner.images.conda import translate_environment
from swe_runner.task import EnvSpec, Task

__all__ = ["AVAILABLE_PYTHONS", "EnvPlan", "nearest_python", "plan_environment"]

# The Debian release whose own python3 is each version: all there is offline.
AVAILABLE_PYTHONS = {"3.9": "bullseye", "3.11": "bookworm", "3.13": "trixie"}


@dataclass(frozen=True)
class EnvPlan:
    """The inputs of one environment image (its tag is a digest of them)."""

    python: str
    packages: tuple[str, ...]  # must all install
    as_of: str | None  # ISO 8601 UTC; None: resolved as of the build
    notes: tuple[str, ...] = ()  # what differs from the spec (said once per build)
    # From a conda environment file, installed first (as conda creates the environment
    # before the spec's pip packages), together if they can be, else each that can be.
    conda_packages: tuple[str, ...] = ()


def _minor(version: str) -> tuple[int, int] | None:
    major, _, minor = version.partition(".")
    return (int(major), int(minor)) if major.isdigit() and minor.isdigit() else None


def nearest_python(asked: str) -> str:
    """The available Python nearest ``asked`` (a tie goes to the older one: the packages a
    spec pins have wheels for older Pythons, and old code breaks more on newer ones).

    Raises:
        ImageError: ``asked`` is not a Python 3 version.
    """
    if asked in AVAILABLE_PYTHONS:
        return asked
    wanted = _minor(asked)
    if wanted is None or wanted[0] != 3:
        raise ImageError(f"Python {asked!r} is not a version this tool can provide")
    minors = {v: _minor(v)[1] for v in AVAILABLE_PYTHONS}  # type: ignore[index]
    return min(minors, key=lambda v: (abs(minors[v] - wanted[1]), minors[v]))


def _conda_packages(spec: EnvSpec, local: Path, commit: str) -> tuple[list[str], list[str]]:
    for path in spec.conda_env_files:
        text = repo.file_at(local, commit, path)
        if text is None:
            continue
        try:
            out = translate_environment(text)
        except ValueError as exc:
            raise ImageError(f"{path} at {commit[:12]}: {exc}") from None
        skipped = (
            [f"conda-only packages of {path} left out: {', '.join(out.left_out)}"]
            if out.left_out
            else []
        )
        return out.requirements, skipped
    if spec.conda_env_files:
        raise ImageError(
            f"none of {', '.join(spec.conda_env_files)} exists at {commit[:12]}: "
            "the conda environment of this spec cannot be read"
        )
    return [], []


def plan_environment(
    task: Task,
    spec: EnvSpec,
    local: Path,
    date_pins: Callable[[list[tuple[str, str]]], tuple[dict[tuple[str, str], datetime], list[str]]]
    | None,
) -> EnvPlan:
    """The environment ``task`` needs, given its repository clone ``local``.

    ``date_pins`` dates the spec's ``name==version`` pins (PyPI upload times); None
    resolves every requirement as of the build (the ``packages_as_of = "today"`` setting).

    Raises:
        ImageError: the spec's conda file is missing or unreadable.
    """
    commit = task.environment_setup_commit or task.base_commit
    conda, notes = _conda_packages(spec, local, commit)
    python = spec.python if spec.base_image else nearest_python(spec.python)
    if python != spec.python:
        notes.append(f"Python {spec.python} asked, {python} used (the nearest available)")
    packages, conda_packages = spec.packages, tuple(conda)
    if date_pins is None:
        return EnvPlan(python, packages, None, tuple(notes), conda_packages)
    # The environment's date: its setup commit's (shared by a repo/version, so is the
    # image), else the task's own; a task with neither is dated by its pins and floors only.
    when = repo.commit_date(local, commit) if task.environment_setup_commit else None
    when = when or asof.parse_date(task.created_at)
    lines = [*packages, *conda_packages, *spec.pre_install, *spec.install]
    pin_dates, problems = date_pins(asof.pins(lines))
    if problems:  # a pin newer than the cutoff would not install: resolve as of today
        notes.append(f"resolving as of today: cannot date {'; '.join(problems)}")
        return EnvPlan(python, packages, None, tuple(notes), conda_packages)
    moment = asof.cutoff(when, python, pin_dates.values())
    return EnvPlan(
        python, packages, moment.strftime("%Y-%m-%dT%H:%M:%SZ"), tuple(notes), conda_packages
    )
