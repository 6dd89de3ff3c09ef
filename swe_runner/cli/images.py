"""``swe-runner images``: build, list and prune the base/env/instance images."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from datetime import datetime

import click
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn
from rich.table import Table

from swe_runner.cli.options import (
    DatasetPick,
    dataset_options,
    instances_option,
    json_option,
    kinds_option,
    notice,
    print_whole,
    stderr,
    stdout,
)
from swe_runner.cli.settings_flags import setting_option, settings_options
from swe_runner.config import Settings
from swe_runner.errors import ImageError, RepoError
from swe_runner.images.build import KINDS, ImageBuilder, prune_images
from swe_runner.images.disk import ImageInfo, images_on_disk
from swe_runner.images.envs import (
    EnvOutcome,
    EnvStatus,
    build_environments,
    describe,
    duration,
    markdown_table,
)
from swe_runner.images.official import ImagePuller, download_size, official_image
from swe_runner.reporting.table import whole_table

__all__ = ["images_group"]


@click.group("images")
def images_group() -> None:
    """Build, list and prune images (base -> environment -> instance).

    Tags end in a digest of what built them: unchanged inputs reuse an image, changed
    ones rebuild. With no registry reachable the base image is bootstrapped offline with
    debootstrap (needs root and the debootstrap package).
    """


@images_group.command("build")
@click.option(
    "--dataset",
    "--suite",
    "-d",
    "-s",
    "dataset",
    help="Also build the instance images of this dataset (a suite name, folder or task file).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Run every step of the images built now, as `docker build --no-cache` (no step's "
    "result is taken from another image); images already there are kept.",
)
@instances_option
@dataset_options
@settings_options
def build_cmd(
    dataset: str | None,
    no_cache: bool,
    instances: tuple[str, ...],
    pick: DatasetPick,
    settings: Settings,
) -> None:
    """Build the base image (for --python, default 3.11), and the environment and instance
    images of a dataset: prints each task's instance image (built or already there). An
    instance that cannot be built is reported and the others go on; the exit status is 1
    if any failed."""
    builder = ImageBuilder(settings, notify=notice, no_cache=no_cache)
    if dataset is None:
        python = pick.python or "3.11"
        stdout.print(f"base image (Python {python}): {builder.ensure_base(python)}", markup=False)
        return
    data = pick.load(dataset, instances)
    stdout.print(f"instance images of {data.name} ({len(data.tasks)} tasks):", markup=False)
    width = max((len(t.instance_id) for t in data.tasks), default=0)
    failed = 0
    for task in data.tasks:
        try:
            tag = builder.ensure_instance(task, data.repo_sources.get(task.repo))
            stdout.print(f"  {task.instance_id:<{width}}  {tag}", markup=False, highlight=False)
        except (ImageError, RepoError) as exc:
            failed += 1
            stderr.print(f"[bold red]failed[/] {task.instance_id}: {escape(str(exc))}")
    if failed:
        raise click.exceptions.Exit(1)


@images_group.command("envs")
@click.option(
    "--dataset", "--suite", "-d", "-s", "dataset", required=True,
    help="The dataset whose environments to build (a suite name, folder or task file).",
)  # fmt: skip
@click.option("--markdown", is_flag=True, help="Print the table as Markdown.")
@json_option
@instances_option
@dataset_options
@settings_options
def envs_cmd(
    dataset: str,
    markdown: bool,
    as_json: bool,
    instances: tuple[str, ...],
    pick: DatasetPick,
    settings: Settings,
) -> None:
    """Build the environment image of every (repo, version) a dataset needs, one after
    another, and print a table: built (time, size, what differs from the spec: Python,
    pins without a wheel, conda packages left out), failed (with pip's or the compiler's
    words) or skipped (its repository cannot be had here and the environment reads a file
    from it). Without its repository, an environment that reads no file is still built,
    dated by its tasks. Failures do not stop the others; the exit status is 1 if any
    failed."""
    data = pick.load(dataset, instances)
    builder = ImageBuilder(settings, notify=notice)

    def say(o: EnvOutcome) -> None:
        style = {"built": "green", "failed": "bold red", "skipped": "yellow"}[o.status]
        detail = o.tag if o.status is EnvStatus.BUILT else o.reason
        line = f"[{style}]{describe(o)}[/] {o.repo} {o.version}: {escape(detail)}"
        stderr.print(line, highlight=False)

    outcomes = build_environments(data.tasks, builder, data.repo_sources, say)
    if as_json:
        click.echo(json.dumps([asdict(o) for o in outcomes], indent=2))
    elif markdown:
        click.echo(markdown_table(outcomes), nl=False)
    else:
        print_whole(_envs_table(outcomes))
    if any(o.status is EnvStatus.FAILED for o in outcomes):
        raise click.exceptions.Exit(1)


def _envs_table(outcomes: list[EnvOutcome]) -> Table:
    table = whole_table(
        "repo", "version", "tasks", "outcome", "time", "MB", "image / notes or cause"
    )
    for o in outcomes:
        said = [o.tag, *o.notes] if o.status is EnvStatus.BUILT else [o.reason]
        size = f"{o.size_mb:,.0f}" if o.size_mb else ""
        table.add_row(
            o.repo, o.version, str(o.tasks), describe(o), duration(o), size, "\n".join(said)
        )
    counts = Counter(o.status.value for o in outcomes)
    table.caption = f"{len(outcomes)} environments: " + ", ".join(
        f"{counts[s.value]} {s.value}" for s in EnvStatus
    )
    return table


@images_group.command("pull")
@click.option("--dataset", "-d", required=True, help="The dataset whose images to pull.")
@setting_option(
    "--image-namespace",
    setting="image_namespace",
    metavar="REGISTRY/NAMESPACE",
    help="Pull from here instead of the records' own (Docker Hub's swebench), e.g. "
    "127.0.0.1:5000/swebench.",
)
@instances_option
@dataset_options
@settings_options
def pull_cmd(
    dataset: str,
    instances: tuple[str, ...],
    pick: DatasetPick,
    settings: Settings,
) -> None:
    """Pull the official prebuilt instance images of a dataset ahead of a run with
    --images official: says what they will take (from the registry's manifests, when it
    answers), pulls the missing ones with a progress bar, then says what they take on
    disk. An image that cannot be pulled is reported and the others go on; the exit status
    is 1 if any failed."""
    data = pick.load(dataset, instances)
    namespace = settings.image_namespace
    wanted = list(dict.fromkeys(official_image(t, namespace) for t in data.tasks))
    puller = ImagePuller.local(notice)
    missing = [image for image in wanted if not puller.exists(image)]
    _say_download(wanted, missing)
    failed = _pull_all(puller, missing)
    sizes = {image: puller.size(image) for image in wanted if image not in failed}
    for image in sizes:
        stdout.print(image, highlight=False)
    stderr.print(
        f"{len(sizes)} of {len(wanted)} images here, {sum(sizes.values()) / 1e9:,.2f} GB on "
        "disk (each image's full size: layers they share are stored once)",
        highlight=False,
    )
    if failed:
        raise click.exceptions.Exit(1)


def _say_download(wanted: list[str], missing: list[str]) -> None:
    layers: dict[str, int] = {}
    unknown = 0
    for image in missing:
        found = download_size(image)
        if found is None:
            unknown += 1
        else:
            layers.update(found)
    size = f"{sum(layers.values()) / 1e9:,.2f} GB to download (compressed layers, each once)"
    if unknown:
        size += f"; the size of {unknown} is unknown until pulled (the registry did not say)"
    here = len(wanted) - len(missing)
    stderr.print(f"{len(wanted)} images, {here} already here; {size}", highlight=False)


def _pull_all(puller: ImagePuller, images: list[str]) -> set[str]:
    """Pull each image with a progress bar (stderr); the ones that failed."""
    failed: set[str] = set()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        console=stderr,
        transient=True,
    ) as progress:
        bar = progress.add_task("", total=None)

        def show(image: str, done: int, total: int) -> None:
            progress.update(bar, description=image.rsplit("/", 1)[-1], completed=done, total=total)

        puller.progress = show
        for image in images:
            progress.reset(bar, total=None)
            try:
                puller.ensure(image)
            except ImageError as exc:
                failed.add(image)
                stderr.print(f"[bold red]failed[/] {escape(str(exc))}")
    return failed


@images_group.command("list")
@kinds_option("Only these kinds (repeatable).")
@json_option
def list_cmd(kinds: tuple[str, ...], as_json: bool) -> None:
    """List swe-runner images: kind, tag, size and unique size (in no other image: what
    removing it frees). The total counts each layer the images share once, as `docker
    system df` does."""
    infos, disk = images_on_disk(kinds or KINDS)
    if as_json:
        click.echo(json.dumps([i.__dict__ for i in infos], indent=2))
        return
    table = whole_table("kind", "tags", "image", "MB", "unique MB", "created")
    by_image: dict[str, list[ImageInfo]] = {}
    for info in infos:
        by_image.setdefault(info.image_id, []).append(info)
    for tags in by_image.values():
        first = tags[0]
        table.add_row(
            first.kind,
            "\n".join(t.tag for t in tags),
            first.image_id,
            f"{first.size_mb:,.0f}",
            f"{first.unique_mb:,.1f}",
            first.created,
        )
    table.caption = (
        f"{len(infos)} tags of {disk.images} images: {disk.total_mb:,.0f} MB on disk = "
        f"{disk.unique_mb:,.0f} MB unique + {disk.shared_mb:,.0f} MB shared (counted once)"
    )
    print_whole(table)


@images_group.command("prune")
@kinds_option("Kinds to remove (repeatable).  [default: instance]")
@click.option("--all", "everything", is_flag=True, help="Remove every kind, base included.")
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]),
    help="Only images made at or after this time (UTC), e.g. what one experiment or CI "
    "run built; those built on them go too.",
)
def prune_cmd(
    kinds: tuple[str, ...], everything: bool, dry_run: bool, since: datetime | None
) -> None:
    """Remove swe-runner images (instance images unless told otherwise)."""
    chosen = KINDS if everything else (kinds or ("instance",))
    when = since.strftime("%Y-%m-%d %H:%M:%S") if since else None
    removed = prune_images(chosen, dry_run=dry_run, since=when)
    verb = "would remove" if dry_run else "removed"
    for info in removed:
        stdout.print(f"{verb} {info.tag}", highlight=False)
    freed = sum({i.image_id: i.unique_mb for i in removed}.values())
    stderr.print(f"{verb} {len(removed)} images ({freed:,.0f} MB in no other image)")
