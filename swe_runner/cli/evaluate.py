"""``swe-runner evaluate``: grade a predictions file against a dataset's hidden tests."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import click

from swe_runner.cli.options import (
    DatasetPick,
    dataset_options,
    exclude_option,
    force_option,
    instances_option,
    json_option,
    print_whole,
    retry_errors_option,
    skip_excluded_option,
    stderr,
    stdout,
    without_excluded,
)
from swe_runner.cli.settings_flags import (
    executor_options,
    images_options,
    settings_options,
    workers_option,
)
from swe_runner.config import Settings
from swe_runner.inputs.dataset import load_predictions, predictions_from_tasks
from swe_runner.manifest import Exclusion
from swe_runner.reporting.summary import Summary
from swe_runner.reporting.table import RunProgress, summary_line, summary_table
from swe_runner.run.batch import Events
from swe_runner.run.pipeline import evaluate_predictions
from swe_runner.run.request import EvalRequest
from swe_runner.task import Prediction, Task

__all__ = ["default_run_id", "evaluate_cmd", "show_summary"]

BUILTIN_PREDICTIONS = ("gold", "empty")


def default_run_id(label: str) -> str:
    """``<label>-<local timestamp>``, with the label made safe for a folder name."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip("-.") or "run"
    return f"{safe[:60]}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"


def _predictions(spec: str, tasks: Iterable[Task]) -> tuple[dict[str, Prediction], str]:
    if spec in BUILTIN_PREDICTIONS and not Path(spec).exists():
        return predictions_from_tasks(tasks, spec), spec
    return load_predictions(Path(spec)), str(Path(spec))


@click.command("evaluate")
@click.option(
    "--dataset",
    "--suite",
    "-d",
    "-s",
    "dataset",
    required=True,
    help="Suite name (e.g. demo), suite folder, .jsonl/.json/.parquet task file, or a "
    "Hugging Face dataset (hf:NAME or owner/name). --suite is the same flag, as in run.",
)
@click.option(
    "--predictions",
    "-p",
    required=True,
    help="SWE-bench predictions (.jsonl/.json with instance_id, model_name_or_path, "
    "model_patch), or 'gold' (the reference fixes) or 'empty'.",
)
@instances_option
@click.option(
    "--run-id",
    help="Run folder name; an existing run of the same predictions file and dataset is "
    "resumed.  [default: <model>-<timestamp>]",
)
@workers_option("evaluated")
@retry_errors_option
@exclude_option
@skip_excluded_option
@force_option
@json_option
@dataset_options
@settings_options
@images_options
@executor_options
def evaluate_cmd(
    dataset: str,
    predictions: str,
    instances: tuple[str, ...],
    run_id: str | None,
    retry_errors: bool,
    exclusion: Exclusion | None,
    skip_excluded: bool,
    force: bool,
    as_json: bool,
    pick: DatasetPick,
    settings: Settings,
) -> None:
    """Grade predictions against the hidden tests, each in a fresh container.

    For every instance: apply the patch (git apply, then tolerant fallbacks), put the
    hidden test files and test configuration back to the base commit, add the hidden
    tests, run them, parse the log and grade FAIL_TO_PASS / PASS_TO_PASS. Writes
    results/<run_id>/ (report.json in SWE-bench's format, test_output.txt, eval.sh) and
    prints the outcome of each instance and the pass rate with a 95% interval.

    Example: swe-runner evaluate --suite demo --predictions gold
    """
    data = pick.load(dataset, instances)
    if skip_excluded:
        data = without_excluded(data, exclusion)
    preds, source = _predictions(predictions, data.tasks)
    if instances or pick.narrows or skip_excluded:  # predictions for tasks left out: not stray
        kept = {t.instance_id for t in data.tasks}
        preds = {k: v for k, v in preds.items() if k in kept}
    label = next(iter(preds.values())).model_name_or_path if preds else "run"
    run = run_id if run_id is not None else default_run_id(label)
    request = EvalRequest(
        dataset=data,
        predictions=preds,
        predictions_source=source,
        run_id=run,
        settings=settings,
        retry_errors=retry_errors,
        exclusion=exclusion,
        force=force,
    )
    with RunProgress(stderr, f"evaluate {request.run_id}") as bar:
        events = Events(on_plan=bar.plan, on_result=bar.result, on_message=bar.message)
        summary = evaluate_predictions(request, events)
    show_summary(summary, settings, as_json)


def show_summary(summary: Summary, settings: Settings, as_json: bool) -> None:
    """The summary table (or JSON) on stdout, where the results are on stderr."""
    if as_json:
        stdout.print_json(summary.model_dump_json())
    else:
        print_whole(summary_table(summary))
        stdout.print(summary_line(summary), highlight=False)
        stderr.print(f"results in {settings.results_dir / summary.run_id}")
    if summary.missing:
        shown = ", ".join(summary.missing[:5]) + (" ..." if len(summary.missing) > 5 else "")
        stderr.print(
            f"note: {len(summary.missing)} of {summary.total} tasks have no prediction ({shown}):"
            " counted as missing (not resolved)",
            highlight=False,
            markup=False,
        )
