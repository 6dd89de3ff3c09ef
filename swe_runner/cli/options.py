"""Options and consoles shared by the commands."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.console import Console, RenderableType

from swe_runner.errors import InputError
from swe_runner.inputs.dataset import Dataset, load_dataset
from swe_runner.inputs.known_bad import load_exclusion
from swe_runner.manifest import Exclusion

from .settings_flags import setting_option

__all__ = [
    "DatasetPick",
    "dataset_load_options",
    "dataset_options",
    "exclude_option",
    "force_option",
    "instances_option",
    "json_option",
    "kinds_option",
    "notice",
    "print_whole",
    "retry_errors_option",
    "skip_excluded_option",
    "stderr",
    "stdout",
    "without_excluded",
]

# soft_wrap: a long line stays one line (greppable, copyable), tables still fit the width.
stderr = Console(stderr=True, soft_wrap=True)
stdout = Console(soft_wrap=True)


def notice(text: str) -> None:
    """A progress message (image builds, fallbacks taken) on stderr, printed verbatim."""
    stderr.print(text, style="dim", markup=False, highlight=False)


NATURAL_WIDTH_CAP = 4000  # a sanity bound on a table's natural width


def print_whole(renderable: RenderableType) -> None:
    """Print to stdout with nothing cut: in a terminal, wide cells fold; into a pipe or a
    file, at the renderable's natural width (one line per table row, greppable)."""
    if stdout.is_terminal:
        stdout.print(renderable, highlight=False)
        return
    unbounded = stdout.options.update(max_width=NATURAL_WIDTH_CAP)
    width = max(stdout.width, stdout.measure(renderable, options=unbounded).maximum)
    Console(soft_wrap=True, width=width).print(renderable, highlight=False)


@dataclass(frozen=True)
class DatasetPick:
    """The dataset flags of a command: how to load and filter the tasks (where their
    repositories come from, ``--repo-source`` and ``--mirror-dir``, are settings flags)."""

    split: str
    repos: tuple[str, ...]
    match: str | None
    cut: str | None
    specs: Path | None
    python: str | None

    @property
    def narrows(self) -> bool:
        """Some filter besides explicit instance ids is on."""
        return bool(self.repos or self.match or self.cut)

    def load(self, ref: str, instances: tuple[str, ...] = ()) -> Dataset:
        data = load_dataset(ref, self.split, self.specs, self.python)
        return data.filter(instances, self.repos, self.match, self.cut)


def _repo_source(text: str) -> tuple[str, str]:
    name, sep, where = text.partition("=")
    if not sep or name.count("/") != 1 or not where:
        raise InputError(f"bad --repo-source {text!r}: use owner/name=PATH_OR_URL")
    return name, where


def _repo_sources(
    _ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]
) -> dict[str, str] | None:
    return dict(_repo_source(t) for t in value) or None


def dataset_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Loading, filtering and repository flags; the command receives ``pick``, and (the
    repository flags are settings flags: with
    :func:`~swe_runner.cli.settings_flags.settings_options`) ``settings``."""
    repository_flags = [
        setting_option(
            "--repo-source",
            "repo_sources",
            setting="repo_sources",
            multiple=True,
            callback=_repo_sources,
            metavar="OWNER/NAME=PATH_OR_URL",
            help="Where a repository comes from (repeatable); default: --mirror-dir, then GitHub.",
        ),
        setting_option(
            "--mirror-dir",
            setting="mirror_dir",
            type=click.Path(exists=True, file_okay=False, path_type=Path),
            help="Folder of clones named owner__name or owner/name (bare or not).",
        ),
    ]
    for flag in reversed(repository_flags):
        func = flag(func)
    return dataset_load_options(func)


def dataset_load_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Loading and filtering flags (commands without settings); the command receives
    ``pick``."""

    @click.option("--split", default="test", show_default=True, help="Split of a hub dataset.")
    @click.option(
        "--repo", "repos", multiple=True, help="Only tasks of this owner/name (repeatable)."
    )
    @click.option("--match", help="Only instance ids matching this regular expression.")
    @click.option("--slice", "cut", metavar="START:END", help="Then only this slice, e.g. 0:50.")
    @click.option(
        "--specs",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Environment specs by (repo, version), YAML or JSON; see README.",
    )
    @click.option("--python", help="Use this Python version in every spec (e.g. 3.11, offline).")
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        split: str,
        repos: tuple[str, ...],
        match: str | None,
        cut: str | None,
        specs: Path | None,
        python: str | None,
        **kwargs: Any,
    ) -> Any:
        pick = DatasetPick(split, repos, match, cut, specs, python)
        return func(*args, pick=pick, **kwargs)

    return wrapper


instances_option = click.option(
    "--instances", "-i", multiple=True, help="Only these instance ids (repeatable)."
)
retry_errors_option = click.option(
    "--retry-errors",
    is_flag=True,
    help="With an existing --run-id: also redo the instances that ended in `error` "
    "(infrastructure: daemon, build, API outage); other finished instances are kept.",
)
force_option = click.option(
    "--force",
    is_flag=True,
    help="With an existing --run-id made by another agent or model, on another dataset or "
    "from another predictions file: resume it anyway (its finished instances are kept; "
    "without --force this is refused).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON, not a table.")


def kinds_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    from swe_runner.images.build import KINDS

    return click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help=help_text)


def _load_exclusion(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    return load_exclusion(value) if value else None


exclude_option = click.option(
    "--exclude",
    "exclusion",
    metavar="FILE",
    callback=_load_exclusion,
    help="A known-bad list (written by `tasks validate`), a file of instance ids (one per "
    "line) or a shipped list (swe-bench-verified): the pass rate is then also given over "
    "the tasks it leaves in. Nothing else changes.",
)
skip_excluded_option = click.option(
    "--skip-excluded",
    is_flag=True,
    help="With --exclude: do not run the excluded tasks at all (they leave the run's task "
    "set, so both pass rates are then over the same tasks).",
)


def without_excluded(data: Dataset, exclusion: Exclusion | None) -> Dataset:
    """``data`` without the tasks ``exclusion`` names (``--skip-excluded``).

    Raises:
        InputError: no ``--exclude``, or no task left.
    """
    if exclusion is None:
        raise InputError("--skip-excluded needs --exclude FILE")
    listed = set(exclusion.instances)
    kept = [t.instance_id for t in data.tasks if t.instance_id not in listed]
    if not kept:
        raise InputError(f"--exclude {exclusion.source} excludes every task")
    return data.select(kept)
