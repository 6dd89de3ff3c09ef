"""``swe-runner tasks``: list and validate task suites."""

from __future__ import annotations

import click

from swe_runner.cli.options import (
    DatasetPick,
    dataset_options,
    instances_option,
    notice,
    print_whole,
    settings_options,
    stderr,
    stdout,
    workers_option,
)
from swe_runner.config import Settings
from swe_runner.reporting.table import whole_table
from swe_runner.validate import TaskCheck, validate_tasks

__all__ = ["tasks_group"]


@click.group("tasks")
def tasks_group() -> None:
    """Inspect and validate task suites and files."""


@tasks_group.command("list")
@click.argument("dataset")
@dataset_options
def list_cmd(dataset: str, pick: DatasetPick) -> None:
    """List the tasks of DATASET: a suite name or folder, a .jsonl/.json/.parquet file, or
    a Hugging Face dataset (hf:NAME or owner/name)."""
    data = pick.load(dataset)
    table = whole_table("instance", "repo", "base commit", "difficulty", "F2P", "P2P")
    for t in data.tasks:
        table.add_row(
            t.instance_id,
            t.repo,
            t.base_commit[:10],
            t.difficulty or "",
            str(len(t.FAIL_TO_PASS)),
            str(len(t.PASS_TO_PASS)),
        )
    table.caption = f"{len(data.tasks)} tasks, fingerprint {data.fingerprint}"
    print_whole(table)


@tasks_group.command("validate")
@click.argument("dataset", required=False)
@click.option("--dataset", "-d", "dataset_opt", help="The dataset (instead of the argument).")
@instances_option
@workers_option("validated")
@dataset_options
@settings_options
@click.pass_context
def validate_cmd(
    ctx: click.Context,
    dataset: str | None,
    dataset_opt: str | None,
    instances: tuple[str, ...],
    workers: int,
    pick: DatasetPick,
    settings: Settings,
) -> None:
    """Prove each task sound in containers: FAIL_TO_PASS tests fail without the gold patch
    and pass with it; PASS_TO_PASS tests pass both times. Exits 1 if any task is broken.

    Run it on a new dataset (e.g. SWE-bench instances with --specs and --repo-source)
    before spending API money: a task whose environment cannot be built is reported
    BROKEN with the reason, and the others go on.
    """
    ref = dataset or dataset_opt
    if not ref:
        raise click.UsageError("give the dataset (argument or --dataset)")
    settings = pick.settings(settings)
    data = pick.load(ref, instances)

    def show(check: TaskCheck) -> None:
        mark = "[green]ok[/]" if check.ok else "[bold red]BROKEN[/]"
        stderr.print(f"{mark} {check.instance_id}", highlight=False)
        for problem in check.problems:
            stderr.print(f"    {problem}", highlight=False, markup=False)

    checks = validate_tasks(
        data,
        settings,
        workers,
        notify=notice,
        on_check=show,
    )
    broken = [c for c in checks if not c.ok]
    stdout.print(
        f"{len(checks) - len(broken)}/{len(checks)} tasks valid"
        + (f"; broken: {', '.join(c.instance_id for c in broken)}" if broken else "")
    )
    if broken:
        ctx.exit(1)
