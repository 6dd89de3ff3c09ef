"""``swe-runner show``: an instance's trajectory, patch and outcome in the terminal."""

from __future__ import annotations

import click

from swe_runner.config import Settings
from swe_runner.errors import InputError
from swe_runner.grading.markers import apply_errors
from swe_runner.reporting.export.trajectory import read_trajectory
from swe_runner.reporting.trajectory_view import trajectory_view
from swe_runner.runs import load_run

from .options import stdout
from .settings_flags import results_options

__all__ = ["show_cmd"]


@click.command("show")
@click.argument("run")
@click.argument("instance")
@click.option("--full", is_flag=True, help="Show tool outputs and thinking unclipped.")
@results_options
def show_cmd(run: str, instance: str, full: bool, settings: Settings) -> None:
    """Show INSTANCE of RUN: every turn's text and thinking, tool calls and results
    (clipped unless --full), usage and cost per turn, how the agent stopped, the final
    patch as a coloured diff, and the test outcome: how the patch was applied, the test
    configuration put back, the failing tests. A multi-attempt run shows its first attempt
    (RUN/attempt-N shows another).

    Example: swe-runner show my-run textkit-4
    """
    loaded = load_run(run, settings.results_dir)
    folder = loaded.files / instance  # a multi-attempt run: its first attempt
    if not folder.is_dir():
        known = ", ".join(sorted(loaded.reports)) or "none"
        raise InputError(f"run {loaded.run_id} has no instance {instance!r} (it has: {known})")
    patch_file = folder / "patch.diff"
    patch = patch_file.read_text(encoding="utf-8") if patch_file.is_file() else ""
    steps = read_trajectory(folder / "trajectory.jsonl")
    log_file = folder / "test_output.txt"
    log = log_file.read_text(encoding="utf-8", errors="replace") if log_file.is_file() else ""
    view = trajectory_view(
        loaded.run_id, loaded.reports.get(instance), steps, patch, loaded.model, full,
        apply_errors(log),
    )  # fmt: skip
    if loaded.attempts:
        stdout.print(
            f"attempt 1 of {len(loaded.attempts)} (another: swe-runner show "
            f"{loaded.run_id}/attempt-N {instance})",
            style="yellow", markup=False, highlight=False,
        )  # fmt: skip
    stdout.print(view, highlight=False)
