"""``swe-runner clean``: remove the containers that swe-runner processes left behind."""

from __future__ import annotations

import click

from swe_runner.cli.options import print_whole, stdout
from swe_runner.reporting.table import whole_table
from swe_runner.runtime import leftovers, remove_leftovers

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
    found = leftovers(everyone)
    table = whole_table("container", "owner", "run", "instance", "state")
    for left in found:
        table.add_row(left.id[:12], left.owner, left.run, left.instance, left.state)
    if found:
        print_whole(table)
    if not dry_run:
        remove_leftovers(found)
    verb = "would remove" if dry_run else "removed"
    stdout.print(f"{verb} {len(found)} container(s)")
