"""``report --regrade``: rebuild every report.json of a run from its saved test logs.

Grading is a pure function of the log and the task's test lists, so a run graded once can
be graded again without a container: after a parser fix, or to check that nothing on disk
was altered. What the agent phase recorded (stop reason, turns, usage, cost...) is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from swe_runner.errors import InputError
from swe_runner.grading.outcome import outcome_from_log
from swe_runner.inputs.dataset import dataset_of_run
from swe_runner.manifest import RunManifest
from swe_runner.records import EvalReport
from swe_runner.reporting.summary import summarize
from swe_runner.run.agent_phase import with_agent_phase
from swe_runner.rundir import RunDir
from swe_runner.runs import attempt_dirs
from swe_runner.task import Prediction, Task

__all__ = ["RegradeResult", "regrade_run"]


@dataclass
class RegradeResult:
    """What a regrade did: instances regraded, those whose report changed, those kept
    as they were (no test log: empty or unsafe patch, an error before the tests ran)."""

    regraded: int = 0
    changed: list[str] = field(default_factory=list)
    kept: int = 0


def regrade_run(path: Path, dataset: str | None = None) -> RegradeResult:
    """Regrade the run in folder ``path`` (every attempt of a multi-attempt run) in place.

    Raises:
        InputError: no run there, or its dataset is gone or changed.
    """
    result = RegradeResult()
    attempts = attempt_dirs(path)
    for folder in attempts or [path]:
        _regrade_one(folder, dataset, result)
    return result


def _regrade_one(path: Path, dataset_ref: str | None, result: RegradeResult) -> None:
    run = RunDir(path.parent, path.name)
    try:
        manifest = RunManifest.model_validate(run.read_json("run.json"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable run ({exc})") from None
    dataset = dataset_of_run(manifest.dataset, dataset_ref)
    reports: list[EvalReport] = []
    missing: list[str] = []  # no prediction (evaluate): counted as not resolved
    for task in dataset.tasks:
        old = run.read_report(task.instance_id)
        if old is None:
            missing.append(task.instance_id)
            continue
        new = _regrade_instance(run, task, old)
        if new is None:
            result.kept += 1
            reports.append(old)
            continue
        result.regraded += 1
        if new != old:
            result.changed.append(task.instance_id)
            run.write_report(new)
        reports.append(new)
    if (path / "summary.json").is_file():
        wall = float(run.read_json("summary.json").get("wall_time_s", 0.0))
        summary = summarize(manifest.run_id, reports, wall, manifest.exclude, missing)
        run.write_json("summary.json", summary.model_dump(mode="json"))


def _regrade_instance(run: RunDir, task: Task, old: EvalReport) -> EvalReport | None:
    """The report the saved log grades to, or None when there is no log to grade."""
    folder = run.instance(task.instance_id)
    try:
        log = (folder / "test_output.txt").read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    patch = None if old.patch_is_None else (run.saved_patch(task.instance_id) or "")
    pred = Prediction(
        instance_id=task.instance_id,
        model_name_or_path=old.model_name_or_path,
        model_patch=patch,
    )
    graded = outcome_from_log(task, pred, log, old.timings)
    return with_agent_phase(graded, old.agent_phase, old.replay)
