"""What a task's environment image installs, on which Python, and as of when.

A plan is made on the host once the repository is at hand (:func:`plan_environment`): the
spec's packages plus a conda environment file translated to pip (read at the environment
setup commit, as the official harness reads it), the Python Debian offers nearest to the
spec's, and the date every requirement is resolved as of (:mod:`swe_runner.images.asof`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from swe_runner.errors import ImageError
from swe_runner.images import asof, repo, wheels
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
    # Debian packages standing in for conda-only ones, installed on the base image first
    # (in an image of their own: an environment without them keeps its tag).
    system_packages: tuple[str, ...] = ()
    # A requirements file of the repository (official ``packages: requirements.txt``), as
    # read at the environment commit: installed on the environment in a layer of its own.
    repo_requirements: tuple[str, ...] = ()
    # To build instead when this plan does not: its compiled pins that have no wheel for
    # this Python replaced by the nearest releases that have one (its notes say which).
    fallback: EnvPlan | None = None


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


def _conda_packages(
    spec: EnvSpec, local: Path | None, commit: str
) -> tuple[list[str], list[str], list[str]]:
    """A conda environment file's pip requirements, notes, and Debian packages."""
    if spec.conda_env_files and local is None:
        raise ImageError(
            f"the spec reads {', '.join(spec.conda_env_files)} from the repository, "
            "which is not at hand"
        )
    for path in spec.conda_env_files:
        text = repo.file_at(local, commit, path) if local else None
        if text is None:
            continue
        try:
            out = translate_environment(text)
        except ValueError as exc:
            raise ImageError(f"{path} at {commit[:12]}: {exc}") from None
        notes = []
        if out.from_debian:
            notes.append(f"conda-only packages of {path} from Debian: {', '.join(out.from_debian)}")
        if out.left_out:
            notes.append(f"conda-only packages of {path} left out: {', '.join(out.left_out)}")
        if out.debian:
            notes.append(f"Debian packages installed first: {' '.join(out.debian)}")
        return out.requirements, notes, out.debian
    if spec.conda_env_files:
        raise ImageError(
            f"none of {', '.join(spec.conda_env_files)} exists at {commit[:12]}: "
            "the conda environment of this spec cannot be read"
        )
    return [], [], []


# Lines of a requirements file the official harness leaves out (it installs the
# repository itself later, in the instance).
_SKIPPED = ("-e .", "#", ".[test")


def _repo_requirements(spec: EnvSpec, local: Path | None, commit: str) -> tuple[list[str], str]:
    """The first of the spec's requirements files that exists at ``commit``, read as the
    official harness reads it (its ``-r`` includes, one level, inlined first; editable
    installs of the repository and comments left out), and a note naming it."""
    if not spec.requirements_files:
        return [], ""
    if local is None:
        raise ImageError(
            f"the spec reads {', '.join(spec.requirements_files)} from the repository, "
            "which is not at hand"
        )
    for path in spec.requirements_files:
        text = repo.file_at(local, commit, path)
        if text is None:
            continue
        folder = path.rpartition("/")[0]
        included: list[str] = []
        own: list[str] = []
        for line in text.splitlines():
            if line.strip().startswith("-r"):
                name = line.strip()[2:].strip()
                inner = repo.file_at(local, commit, f"{folder}/{name}" if folder else name)
                included += [x for x in (inner or "").splitlines() if _kept(x)]
            elif _kept(line):
                own.append(line)
        lines = [x.strip() for x in (*included, *own) if x.strip()]
        return lines, f"{path} at {commit[:12]} installed into the environment"
    raise ImageError(
        f"none of {', '.join(spec.requirements_files)} exists at {commit[:12]}: "
        "the requirements file of this spec cannot be read"
    )


def _kept(line: str) -> bool:
    return not any(line.strip().startswith(x) for x in _SKIPPED)


DatePins = Callable[[list[tuple[str, str]]], tuple[dict[tuple[str, str], datetime], list[str]]]


def plan_environment(
    task: Task,
    spec: EnvSpec,
    local: Path | None,
    date_pins: DatePins | None,
    releases_of: Callable[[str], wheels.Releases] | None = None,
) -> EnvPlan:
    """The environment ``task`` needs, given its repository clone ``local`` (None: the
    repository is not at hand; then the environment is dated by the task's creation).

    ``date_pins`` dates the spec's ``name==version`` pins (PyPI upload times); None
    resolves every requirement as of the build (the ``packages_as_of = "today"`` setting).
    ``releases_of`` gives a project's releases (:func:`wheels.pypi_releases`): with it,
    the plan holds a fallback in which each compiled pin without a wheel for the Python
    used is the nearest release with one (see :mod:`swe_runner.images.wheels`).

    Raises:
        ImageError: the spec's conda file is missing or unreadable, or ``local`` is None
            and the spec reads a file from the repository.
    """
    commit = task.environment_setup_commit or task.base_commit
    conda, notes, debian = _conda_packages(spec, local, commit)
    from_repo, read = _repo_requirements(spec, local, commit)
    notes += [read] if read else []
    system = () if spec.base_image else tuple(debian)
    python = spec.python if spec.base_image else nearest_python(spec.python)
    if python != spec.python:
        notes.append(f"Python {spec.python} asked, {python} used (the nearest available)")
    when = None
    if local is not None and task.environment_setup_commit:
        when = repo.commit_date(local, commit)
    if when is None and local is None:
        notes.append(
            f"dated by the task's creation ({task.created_at[:10]}): the repository, and "
            "so its environment commit's date, is not at hand"
        )
    when = when or asof.parse_date(task.created_at)
    plan = EnvPlan(
        python, spec.packages, None, tuple(notes), tuple(conda), system, tuple(from_repo)
    )
    plan = _dated(plan, spec, when, date_pins)
    if releases_of is None or spec.base_image or python not in wheels.GLIBC:
        return plan
    swapped, swaps = wheels.replace_unbuildable_pins(spec.packages, python, releases_of)
    if swapped == tuple(spec.packages):
        return replace(plan, notes=(*plan.notes, *swaps))  # swaps: only pins it cannot check
    fallback = EnvPlan(
        python, swapped, None, (*notes, *swaps), tuple(conda), system, tuple(from_repo)
    )
    return replace(plan, fallback=_dated(fallback, spec, when, date_pins))


def _dated(
    plan: EnvPlan, spec: EnvSpec, when: datetime | None, date_pins: DatePins | None
) -> EnvPlan:
    """``plan`` with the moment its requirements are resolved as of (see :mod:`asof`)."""
    if date_pins is None:
        return plan
    lines = [
        *plan.packages,
        *plan.conda_packages,
        *plan.repo_requirements,
        *spec.pre_install,
        *spec.install,
    ]
    pin_dates, problems = date_pins(asof.pins(lines))
    if problems:  # a pin newer than the cutoff would not install: resolve as of today
        note = f"resolving as of today: cannot date {'; '.join(problems)}"
        return replace(plan, notes=(*plan.notes, note))
    moment = asof.cutoff(when, plan.python, pin_dates.values())
    return replace(plan, as_of=moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
