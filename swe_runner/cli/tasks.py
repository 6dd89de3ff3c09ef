"""``swe-runner tasks``: list and validate task suites."""

from __future__ import annotations

import re
from pathlib import Path

import click

from swe_runner.cli.options import (
    DatasetPick,
    dataset_load_options,
    dataset_options,
    instances_option,
    json_option,
    notice,
    print_whole,
    stderr,
    stdout,
)
from swe_runner.cli.settings_flags import (
    executor_options,
    images_options,
    settings_options,
    workers_option,
)
from swe_runner.config import Settings
from swe_runner.errors import UnknownInstanceError
from swe_runner.grading.gate import GateReport, GateVerdict, known_bad_list
from swe_runner.grading.script import hidden_tests_command
from swe_runner.inputs.dataset import shipped_suites
from swe_runner.reporting.gate_view import gate_lines, gate_table, gate_tally
from swe_runner.reporting.table import whole_table
from swe_runner.reporting.task_view import task_view
from swe_runner.run.validate import validate_tasks
from swe_runner.task import Task

__all__ = ["tasks_group"]


@click.group("tasks")
def tasks_group() -> None:
    """Inspect and validate task suites and files."""


@tasks_group.command("list")
@click.argument("dataset")
@dataset_load_options
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


def _find_task(instance: str, dataset: str | None, pick: DatasetPick) -> Task:
    """``instance`` of ``dataset``, else of the first shipped suite that has it."""
    if dataset is not None:
        return pick.load(dataset).task(instance)
    misses = []
    for suite in shipped_suites():
        try:
            return pick.load(suite).task(instance)
        except UnknownInstanceError as exc:
            misses.append(str(exc))
    where = "; ".join(misses) or "no suite is shipped"
    raise UnknownInstanceError(f"{where} (a task of another dataset: give --dataset)")


@tasks_group.command("show")
@click.argument("instance")
@click.option(
    "--dataset", "--suite", "-d", "-s", "dataset",
    help="The dataset holding INSTANCE: a suite name or folder, a task file or a hub "
    "dataset.  [default: the suites shipped with swe-runner]",
)  # fmt: skip
@click.option("--patches", is_flag=True, help="Also print the gold patch and the test patch.")
@json_option
@dataset_load_options
def show_cmd(
    instance: str, dataset: str | None, patches: bool, as_json: bool, pick: DatasetPick
) -> None:
    """Show one task: its problem statement (what the agent is given), hidden tests
    (FAIL_TO_PASS, PASS_TO_PASS, the test files), environment spec and the command the
    hidden tests run with.

    Example: swe-runner tasks show textkit-4 --dataset demo
    """
    task = _find_task(instance, dataset, pick)
    if as_json:
        stdout.print_json(task.model_dump_json(exclude=None if patches else {"patch"}))
        return
    command = hidden_tests_command(task, task.env_spec) if task.env_spec else None
    stdout.print(task_view(task, command, patches), highlight=False)


@tasks_group.command("validate")
@click.argument("dataset", required=False)
@click.option(
    "--dataset", "--suite", "-d", "-s", "dataset_opt", help="The dataset (instead of the argument)."
)
@instances_option
@click.option(
    "--repeat",
    "-n",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Gold runs per task (the empty patch runs once): with 2 or more (3 recommended), "
    "a task whose tests or verdict change between runs is found flaky.",
)
@click.option(
    "--known-bad",
    "known_bad",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the known-bad list (every task not valid; use it with "
    "--exclude).  [default: <results-dir>/known-bad/<dataset name>.json]",
)
@workers_option("validated")
@json_option
@dataset_options
@settings_options
@images_options
@executor_options
@click.pass_context
def validate_cmd(
    ctx: click.Context,
    dataset: str | None,
    dataset_opt: str | None,
    instances: tuple[str, ...],
    repeat: int,
    known_bad: Path | None,
    as_json: bool,
    pick: DatasetPick,
    settings: Settings,
) -> None:
    """The gold gate: run each task's hidden tests with the gold patch --repeat times and
    without it once, each in a fresh container, and classify the task:

    \b
      valid        gold resolves every run, the empty patch does not
      flaky        the verdict or a test's status changes between gold runs (tests named)
      broken       gold fails every run (failing tests named), a patch does not apply,
                   or the empty patch resolves it too
      unbuildable  its image or environment fails (the reason)

    Writes the known-bad list (JSON) that `run`, `evaluate` and `report` take with
    --exclude, prints a table (or --json) and exits 1 if any task is not valid. Run it on
    a new dataset (e.g. SWE-bench instances with --specs and --repo-source) before
    spending API money. The evaluations are kept under
    <results-dir>/validate/<dataset fingerprint>/: validating the same tasks again
    (after Ctrl-C, or with a larger --repeat) runs only what is not finished.
    """
    ref = dataset or dataset_opt
    if not ref:
        raise click.UsageError("give the dataset (argument or --dataset)")
    data = pick.load(ref, instances)
    path = known_bad or settings.results_dir / "known-bad" / f"{_safe(data.name)}.json"

    def show(verdict: GateVerdict) -> None:
        for line in gate_lines(verdict):
            stderr.print(line, highlight=False)

    verdicts = validate_tasks(data, settings, repeat, notice, show)
    described = {"name": data.name, "fingerprint": data.fingerprint, "origin": data.origin}
    listed = known_bad_list(verdicts, described, repeat)
    listed.write(path)
    if as_json:
        report = GateReport.of(verdicts, described, repeat, str(path))
        stdout.print_json(report.model_dump_json(by_alias=True))
    else:
        print_whole(gate_table(verdicts, repeat))
        stdout.print(gate_tally(verdicts), highlight=False)
    stderr.print(
        f"known-bad list: {path} ({len(listed.instances)} of {len(verdicts)} tasks)",
        highlight=False,
    )
    if listed.instances:
        ctx.exit(1)


def _safe(name: str) -> str:
    """A dataset name as a file name (a hub name has a slash)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "dataset"
