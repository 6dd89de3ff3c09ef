"""Every environment a dataset needs, built: one image per (repo, version), each built,
failed (with its cause) or skipped (the repository cannot be had, and the environment
reads a file from it).

An environment reads its repository for two things only: a conda environment file (the
spec's ``conda_env_files``, read at the environment commit) and the environment commit's
date (what its requirements are resolved as of). With the repository at hand, it is built
where its instance images stand on it (on the repository's history layers, see
:mod:`swe_runner.images.history`), so they reuse it. Without the repository, an
environment that reads no file is still built, on the base image, dated by the latest of
its tasks' creation dates (so its image is not the one an instance build with the
repository at hand would use: that one is dated by the commit).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from swe_runner.errors import ImageError, RepoError
from swe_runner.images import repo
from swe_runner.images.build import ImageBuilder
from swe_runner.task import Task

__all__ = [
    "EnvOutcome",
    "EnvStatus",
    "build_environments",
    "describe",
    "duration",
    "environments_of",
    "markdown_table",
]


class EnvStatus(StrEnum):
    BUILT = "built"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class EnvOutcome:
    """What became of one (repo, version) environment."""

    repo: str
    version: str
    tasks: int  # the dataset's tasks that use it
    status: EnvStatus
    tag: str = ""
    seconds: float = 0.0  # building it (one there already: from its build log, if any)
    size_mb: float = 0.0
    reused: bool = False  # it was there already
    python: str = ""
    as_of: str = ""
    notes: tuple[str, ...] = ()  # what differs from the spec (Python, pins, left out)
    reason: str = ""  # why it failed or was skipped


def environments_of(tasks: Iterable[Task]) -> list[tuple[Task, int]]:
    """One task per (repo, version), in the order they first appear, with how many tasks
    share it: the latest created (its date stands for the environment's when the
    repository is not at hand)."""
    groups: dict[tuple[str, str], list[Task]] = {}
    for task in tasks:
        groups.setdefault((task.repo, task.version), []).append(task)
    return [(max(group, key=lambda t: t.created_at), len(group)) for group in groups.values()]


def build_environments(
    tasks: Iterable[Task],
    builder: ImageBuilder,
    sources: Mapping[str, Path] | None = None,
    on_outcome: Callable[[EnvOutcome], None] = lambda _: None,
) -> list[EnvOutcome]:
    """Build the environment of every (repo, version) of ``tasks``, one after another;
    a failure is recorded and the next goes on. ``sources`` are the dataset's own
    repository sources (a suite's), by repository name."""
    outcomes = []
    for task, count in environments_of(tasks):
        outcome = _one(task, count, builder, (sources or {}).get(task.repo))
        on_outcome(outcome)
        outcomes.append(outcome)
    return outcomes


def _one(task: Task, count: int, builder: ImageBuilder, source: Path | None) -> EnvOutcome:
    failed = EnvOutcome(task.repo, task.version, count, EnvStatus.FAILED)
    spec = task.env_spec
    if spec is None:
        why = f"no environment spec for {task.repo} {task.version} (give one with --specs)"
        return replace(failed, reason=why)
    local = None
    try:
        local = _repository(task, builder, source)
    except RepoError as exc:
        reads = spec.conda_env_files or spec.requirements_files
        if reads:  # it cannot be tried without the repository
            why = (
                f"the repository cannot be had here ({_short(exc)}); the environment reads "
                f"{' or '.join(reads)} from it"
            )
            return replace(failed, status=EnvStatus.SKIPPED, reason=why)
    started = time.monotonic()
    try:
        plan = builder.plan(task, spec, local)
        made = (
            builder.build_env(spec, plan)
            if local is None
            else builder.build_env_for(task, spec, plan, local)  # where its instances use it
        )
    except ImageError as exc:
        return replace(failed, seconds=time.monotonic() - started, reason=str(exc))
    took = time.monotonic() - started if made.built else builder.build_seconds(made.tag)
    return replace(
        failed,
        status=EnvStatus.BUILT,
        tag=made.tag,
        seconds=took or 0.0,
        size_mb=builder.size(made.tag) / 1e6,
        reused=not made.built,
        python=made.plan.python,
        as_of=made.plan.as_of or "",
        notes=made.plan.notes,
    )


def _short(exc: RepoError) -> str:
    """git's own ``fatal:`` line when it said one (a failed clone's message is long)."""
    _, found, said = str(exc).rpartition("fatal: ")
    return said.strip().rstrip("'").strip() if found else str(exc)


def _repository(task: Task, builder: ImageBuilder, source: Path | None) -> Path:
    s = builder.settings
    where = repo.locate(task.repo, s.repo_sources, s.mirror_dir, source)
    commit = task.environment_setup_commit or task.base_commit
    return repo.obtain(where, commit, s.cache_dir)


def markdown_table(outcomes: Iterable[EnvOutcome]) -> str:
    """The outcomes as a Markdown table (``|`` in a cell escaped); the image column tells
    which versions share one environment image."""
    rows = [
        "| repo | version | tasks | outcome | time | size | image | Python | notes or cause |",
        "|---|---|---:|---|---:|---:|---|---|---|",
    ]
    for o in outcomes:
        said = "; ".join(o.notes) if o.status is EnvStatus.BUILT else o.reason
        rows.append(
            "| "
            + " | ".join(
                [
                    o.repo,
                    o.version,
                    str(o.tasks),
                    describe(o),
                    duration(o),
                    f"{o.size_mb:,.0f} MB" if o.size_mb else "",
                    image_id(o.tag),
                    o.python,
                    said.replace("|", "\\|"),
                ]
            )
            + " |"
        )
    return "\n".join(rows) + "\n"


def image_id(tag: str) -> str:
    """The digest that ends an environment's tag: versions with the same one share one
    image (``""`` when none was built)."""
    return tag.rpartition("-")[2] if "-" in tag else ""


def describe(outcome: EnvOutcome) -> str:
    """``built``, ``built (there already)``, ``failed`` or ``skipped``."""
    return f"{outcome.status} (there already)" if outcome.reused else str(outcome.status)


def duration(outcome: EnvOutcome) -> str:
    if not outcome.seconds:
        return ""
    minutes, seconds = divmod(round(outcome.seconds), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"
