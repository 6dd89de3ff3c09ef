"""``swe-runner tasks``: list and validate task suites."""

from __future__ import annotations

import click
from rich.table import Table

from swe_runner.cli.options import (
    instances_option,
    notice,
    settings_options,
    stderr,
    stdout,
    workers_option,
)
from swe_runner.config import Settings
from swe_runner.dataset import load_dataset
from swe_runner.validate import TaskCheck, validate_tasks

__all__ = ["tasks_group"]


@click.group("tasks")
def tasks_group() -> None:
    """Inspect and validate task suites and files."""


@tasks_group.command("list")
@click.argument("dataset")
def list_cmd(dataset: str) -> None:
    """List the tasks of DATASET (a suite name, folder, or .jsonl/.json file)."""
    data = load_dataset(dataset)
    table = Table("instance", "repo", "base commit", "difficulty", "F2P", "P2P")
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
    stdout.print(table)


@tasks_group.command("validate")
@click.argument("dataset")
@instances_option
@workers_option("validated")
@settings_options
@click.pass_context
def validate_cmd(
    ctx: click.Context, dataset: str, instances: tuple[str, ...], workers: int, settings: Settings
) -> None:
    """Prove each task sound in containers: FAIL_TO_PASS tests fail without the gold patch
    and pass with it; PASS_TO_PASS tests pass both times. Exits 1 if any task is broken."""
    data = load_dataset(dataset).select(instances)

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
