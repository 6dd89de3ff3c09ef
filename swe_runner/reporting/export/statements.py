"""The problem statements of a run's tasks, for its trajectory pages.

A run folder keeps no task text; the statements come from the run's dataset, reloaded as
run.json names it (and checked against its fingerprint). When that fails (the dataset
moved or changed), the pages say the statement is not available rather than guess.
"""

from __future__ import annotations

from swe_runner.errors import SweRunnerError
from swe_runner.inputs.dataset import dataset_of_run
from swe_runner.runs import LoadedRun

__all__ = ["problem_statements"]


def problem_statements(run: LoadedRun) -> tuple[dict[str, str], str | None]:
    """Instance id -> problem statement, and why there are none (None when loaded)."""
    if run.manifest is None:
        return {}, "the run names no dataset"
    try:
        data = dataset_of_run(run.manifest.dataset)
    except SweRunnerError as exc:
        return {}, str(exc)
    return {t.instance_id: t.problem_statement for t in data.tasks}, None
