"""``swe-runner report`` and ``swe-runner compare``: the numbers of finished runs."""

from __future__ import annotations

import json

import click

from swe_runner.config import Settings
from swe_runner.manifest import Exclusion
from swe_runner.regrade import regrade_run
from swe_runner.reporting.compare import compare_runs
from swe_runner.reporting.render import comparison_view, report_view
from swe_runner.reporting.report import build_report
from swe_runner.runs import load_run, run_path

from .options import exclude_option, json_option, notice, print_whole, stdout
from .settings_flags import results_options

__all__ = ["compare_cmd", "report_cmd"]


@click.command("report")
@click.argument("run")
@click.option(
    "--regrade",
    is_flag=True,
    help="First rebuild every report.json from the saved test logs (pure grading, no "
    "containers), e.g. after a parser fix; reports what changed.",
)
@click.option("--dataset", help="The run's dataset, if it moved since the run (for --regrade).")
@exclude_option
@json_option
@results_options
def report_cmd(
    run: str,
    regrade: bool,
    dataset: str | None,
    exclusion: Exclusion | None,
    as_json: bool,
    settings: Settings,
) -> None:
    """Pass rate with a 95% Wilson interval, outcomes, breakdowns, tokens, cost and times.

    RUN is a run id under the results folder or a path to a run folder. Percentages are
    over every task of the run: errors and missing results count as not resolved and are
    shown beside. A run made with --attempts K also gets pass@1..pass@K (unbiased
    estimator) and the spread across attempts. With --exclude (or when the run was made
    with one), the pass rate is also given over the tasks the list leaves in.

    Example: swe-runner report my-run --json
    """
    if regrade:
        result = regrade_run(run_path(run, settings.results_dir), dataset)
        changed = ", ".join(result.changed) or "none"
        notice(
            f"regraded {result.regraded} reports from their logs ({result.kept} without a log "
            f"kept as they were); changed: {changed}"
        )
    report = build_report(load_run(run, settings.results_dir), exclusion)
    if as_json:
        stdout.print_json(report.model_dump_json())
    else:
        print_whole(report_view(report))


@click.command("compare")
@click.argument("runs", nargs=-1, required=True)
@json_option
@results_options
def compare_cmd(runs: tuple[str, ...], as_json: bool, settings: Settings) -> None:
    """Compare runs task by task: who resolves what, and is the difference real?

    Pairs the runs by instance: both resolved, only A, only B, neither; McNemar's exact
    test on the tasks where they disagree and a paired bootstrap 95% interval of the
    difference in pass rate, with a plain-language verdict. More than two runs give a
    matrix of differences (every pair).

    Example: swe-runner compare claude-run baseline-run
    """
    loaded = [load_run(r, settings.results_dir) for r in runs]
    comparisons = compare_runs(loaded)
    if as_json:
        stdout.print_json(json.dumps([c.model_dump(mode="json") for c in comparisons]))
    else:
        print_whole(comparison_view(comparisons))
