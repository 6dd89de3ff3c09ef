"""``swe-runner clean``: remove the containers that swe-runner processes left behind."""

from __future__ import annotations

import click

from swe_runner.cli.options import print_whole, stdout
from swe_runner.reporting.table import whole_table
from swe_runner.sandbox.containers import orphaned_containers, remove_ids
from swe_runner.sandbox.labels import INSTANCE_LABEL, OWNER_LABEL, RUN_LABEL

__all__ = ["clean_cmd"]


@click.command("clean")
@click.option(
    "--all",
    "everyone",
    is_flag=True,
    help="Every swe-runner container, even those of swe-runner processes still running.",
)
@click.option("--dry-run", "-n", is_flag=True, help="List them; remove nothing.")
def clean_cmd(everyone: bool, dry_run: bool) -> None:
    """Remove containers left by swe-runner processes that are gone (killed, crashed).

    A run removes its own containers when it ends or is interrupted, and a resumed run
    clears its folder's leftovers; this cleans up after a run that will not be resumed.
    Containers of live processes (and of other hosts, which cannot be checked) and those
    kept on purpose (reproduce --keep) stay unless --all.
    """
    found = orphaned_containers(everyone)
    table = whole_table("container", "owner", "run", "instance", "state")
    for entry in found:
        labels = entry["Labels"]
        table.add_row(
            entry["Id"][:12],
            labels.get(OWNER_LABEL, "?"),
            labels.get(RUN_LABEL, "-"),
            labels.get(INSTANCE_LABEL, "-"),
            entry.get("State", "?"),
        )
    if found:
        print_whole(table)
    if not dry_run:
        remove_ids([entry["Id"] for entry in found])
    verb = "would remove" if dry_run else "removed"
    stdout.print(f"{verb} {len(found)} container(s)")
