"""Options and consoles shared by the commands."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.console import Console, RenderableType

from swe_runner.config import Settings, load_settings
from swe_runner.errors import InputError
from swe_runner.inputs.dataset import Dataset, load_dataset
from swe_runner.inputs.known_bad import load_exclusion
from swe_runner.manifest import Exclusion

__all__ = [
    "DatasetPick",
    "dataset_options",
    "exclude_option",
    "executor_options",
    "force_option",
    "images_options",
    "instances_option",
    "json_option",
    "kinds_option",
    "notice",
    "print_whole",
    "results_options",
    "retry_errors_option",
    "settings_options",
    "skip_excluded_option",
    "stderr",
    "stdout",
    "without_excluded",
    "workers_option",
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


_config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (TOML, [swe-runner] table). Default: ./swe-runner.toml.",
)
_results_dir_option = click.option(
    "--results-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where runs are written (and run ids looked up).  [default: results]",
)


def settings_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the shared settings flags; the command receives a resolved ``settings``."""

    @_config_option
    @_results_dir_option
    @click.option(
        "--cache-dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Repository and build-log cache.  [default: ~/.cache/swe-runner]",
    )
    @click.option(
        "--ca-bundle",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Extra CA bundle (PEM) trusted by image builds, e.g. behind a TLS proxy.",
    )
    @click.option(
        "--base-source",
        type=click.Choice(["auto", "pull", "bootstrap"]),
        help="Base image: pull from a registry, bootstrap offline with debootstrap, "
        "or auto (pull, else bootstrap).  [default: auto]",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, config_file: Path | None, **kwargs: Any) -> Any:
        names = ("results_dir", "cache_dir", "ca_bundle", "base_source")
        overrides = {name: kwargs.pop(name) for name in names}
        if "workers" in kwargs:  # --workers (workers_option): unset, the setting's value
            overrides["workers"] = kwargs["workers"]
        settings = load_settings(config_file, overrides)
        if "workers" in kwargs:
            kwargs["workers"] = settings.workers
        return func(*args, settings=settings, **kwargs)

    return wrapper


def images_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--images`` and ``--image-namespace``; put it below ``settings_options``, whose
    ``settings`` it updates."""

    @click.option(
        "--images",
        type=click.Choice(["build", "official"]),
        help="build: images built here from the specs; official: the official prebuilt "
        "SWE-bench instance images, pulled.  [default: build]",
    )
    @click.option(
        "--image-namespace",
        metavar="REGISTRY/NAMESPACE",
        help="Pull official images from here instead of Docker Hub's swebench, e.g. "
        "127.0.0.1:5000/swebench.",
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any, images: str | None, image_namespace: str | None, settings: Settings,
        **kwargs: Any,
    ) -> Any:  # fmt: skip
        given = {"images": images, "image_namespace": image_namespace}
        update = {k: v for k, v in given.items() if v is not None}
        return func(*args, settings=settings.model_copy(update=update), **kwargs)

    return wrapper


def executor_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--executor``, ``--ray-address`` and ``--node-workers``; put it below
    ``settings_options``, whose ``settings`` it updates."""

    @click.option(
        "--executor",
        type=click.Choice(["local", "ray"]),
        help="Where instances run: local (worker threads here) or ray (the nodes of a Ray "
        "cluster with Docker; pip install 'swe-runner[ray]').  [default: local]",
    )
    @click.option(
        "--ray-address",
        metavar="HOST:PORT",
        help="The Ray cluster's head (ray start --head prints it).  [default: auto, the "
        "cluster this machine is part of]",
    )
    @click.option(
        "--node-workers",
        type=click.IntRange(1, 64),
        help="Ray: instances at once on one node (fewer where it has fewer CPUs).  [default: 4]",
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any, executor: str | None, ray_address: str | None, node_workers: int | None,
        settings: Settings, **kwargs: Any,
    ) -> Any:  # fmt: skip
        given = {"executor": executor, "ray_address": ray_address, "node_workers": node_workers}
        update = {k: v for k, v in given.items() if v is not None}
        return func(*args, settings=settings.model_copy(update=update), **kwargs)

    return wrapper


def results_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--config`` and ``--results-dir`` only (commands that read finished runs)."""

    @_config_option
    @_results_dir_option
    @functools.wraps(func)
    def wrapper(
        *args: Any, config_file: Path | None, results_dir: Path | None, **kwargs: Any
    ) -> Any:
        settings = load_settings(config_file, {"results_dir": results_dir})
        return func(*args, settings=settings, **kwargs)

    return wrapper


@dataclass(frozen=True)
class DatasetPick:
    """The dataset flags of a command: how to load, filter and fetch the tasks."""

    split: str
    repos: tuple[str, ...]
    match: str | None
    cut: str | None
    specs: Path | None
    python: str | None
    repo_sources: dict[str, str]
    mirror_dir: Path | None

    @property
    def narrows(self) -> bool:
        """Some filter besides explicit instance ids is on."""
        return bool(self.repos or self.match or self.cut)

    def load(self, ref: str, instances: tuple[str, ...] = ()) -> Dataset:
        data = load_dataset(ref, self.split, self.specs, self.python)
        return data.filter(instances, self.repos, self.match, self.cut)

    def settings(self, settings: Settings) -> Settings:
        """``settings`` with the repository sources given on the command line."""
        update: dict[str, Any] = {}
        if self.repo_sources:
            update["repo_sources"] = {**settings.repo_sources, **self.repo_sources}
        if self.mirror_dir is not None:
            update["mirror_dir"] = self.mirror_dir
        return settings.model_copy(update=update) if update else settings


def _repo_source(text: str) -> tuple[str, str]:
    name, sep, where = text.partition("=")
    if not sep or name.count("/") != 1 or not where:
        raise InputError(f"bad --repo-source {text!r}: use owner/name=PATH_OR_URL")
    return name, where


def dataset_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Loading, filtering and repository flags; the command receives ``pick``."""

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
    @click.option(
        "--repo-source",
        "repo_sources",
        multiple=True,
        metavar="OWNER/NAME=PATH_OR_URL",
        help="Where a repository comes from (repeatable); default: --mirror-dir, then GitHub.",
    )
    @click.option(
        "--mirror-dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="Folder of clones named owner__name or owner/name (bare or not).",
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        split: str,
        repos: tuple[str, ...],
        match: str | None,
        cut: str | None,
        specs: Path | None,
        python: str | None,
        repo_sources: tuple[str, ...],
        mirror_dir: Path | None,
        **kwargs: Any,
    ) -> Any:
        sources = dict(_repo_source(t) for t in repo_sources)
        pick = DatasetPick(split, repos, match, cut, specs, python, sources, mirror_dir)
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


def workers_option(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--workers``; a command using it with :func:`settings_options` receives the
    resolved value (the flag, else the ``workers`` setting), also recorded in run.json."""
    return click.option(
        "--workers",
        "-w",
        type=click.IntRange(1, 64),
        help=f"Instances {what} in parallel.  [default: the workers setting "
        "(swe-runner.toml, SWE_RUNNER_WORKERS), else 1]",
    )


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
