"""``swe-runner export``: share runs as a leaderboard, tables or a SWE-bench submission."""

from __future__ import annotations

import re
from pathlib import Path

import click

from swe_runner.config import Settings
from swe_runner.errors import InputError
from swe_runner.reporting.export import FORMATS, check_experiments, export_runs
from swe_runner.reporting.export.rows import task_set_note
from swe_runner.runs import load_run

from .options import notice, stderr, stdout
from .settings_flags import results_options

__all__ = ["export_cmd"]


@click.command("export")
@click.argument("runs", nargs=-1)
@click.option(
    "--format", "-f", "fmt", type=click.Choice(list(FORMATS)), default="html", show_default=True,
    help="experiments: the SWE-bench experiments folder (one run); csv/json/markdown: "
    "leaderboard and per-instance tables; html: a static leaderboard with a cost/pass-rate "
    "plot (and plot.png) and a trajectory page per instance.",
)  # fmt: skip
@click.option(
    "--output", "-o", type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write.  [default: <results>/exports/<runs>-<format>]",
)  # fmt: skip
@click.option(
    "--check", "check_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Instead: check a folder against the experiments submission rules.",
)  # fmt: skip
@results_options
def export_cmd(
    runs: tuple[str, ...], fmt: str, output: Path | None, check_dir: Path | None, settings: Settings
) -> None:
    """Export RUNS (run ids or run folders) for sharing. Percentages are over each run's
    whole task set; every export records the dataset fingerprint, swe-runner's version and
    the date, and warns when the runs were on different task sets. A multi-attempt run
    exports its first attempt (and pass@k over all).

    Example: swe-runner export model-a model-b --format html
    """
    if check_dir is not None:
        problems = check_experiments(check_dir)
        for problem in problems:
            stdout.print(f"- {problem}", markup=False, highlight=False)
        if problems:
            raise click.exceptions.Exit(1)
        stdout.print(f"{check_dir}: follows the experiments rules")
        return
    if not runs:
        raise InputError("give the runs to export (run ids or run folders)")
    loaded = [load_run(r, settings.results_dir) for r in runs]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", "+".join(r.run_id for r in loaded))[:120]
    out = output or settings.results_dir / "exports" / f"{name}-{fmt}"
    written = export_runs(loaded, fmt, out)
    for run in loaded:
        if run.attempts:
            notice(
                f"{run.run_id} has {len(run.attempts)} attempts: exported its first attempt "
                f"(attempt 1 of {len(run.attempts)}; pass@k covers all)"
            )
    different = task_set_note(loaded)
    if different:
        stderr.print(f"warning: {different}", style="yellow", markup=False, highlight=False)
    notice(f"wrote {fmt} export to {out}")
    if fmt == "experiments":
        notice(
            "before submitting: fill in metadata.yaml's info (site, report, authors), tick "
            f"the checklist in README.md, then: swe-runner export --check {out}"
        )
    stdout.print(str(written[0]))
