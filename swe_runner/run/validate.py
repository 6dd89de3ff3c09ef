"""The gold gate, in sandboxes: for every task, the hidden tests without the gold patch
once and with it ``repeat`` times, each in a fresh sandbox; then :func:`swe_runner.grading.
gate.classify` says whether the task is valid, flaky, broken or unbuildable.

Each take is an ordinary evaluation run, planned by
:func:`~swe_runner.run.pipeline.plan_evaluation` (an empty patch's tests run too) and carried
out by :func:`~swe_runner.run.batch.run_batch`: its evaluations are jobs on the run's
executor (local workers, or the nodes of a Ray cluster), each made by
:func:`~swe_runner.run.instance.attempt`, so a failure is that evaluation's ``error``
report. The takes are kept under ``<results-dir>/validate/<dataset fingerprint>/``
(``empty/``, ``gold-1/`` ... ``gold-<repeat>/``): validating the same tasks again resumes,
keeping every finished evaluation but errors and interrupted ones (a larger ``repeat`` adds
takes). A task whose image cannot be made in the first take is ``unbuildable`` and not
tried again in the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from swe_runner.config import Settings
from swe_runner.errors import ImageError, RepoError
from swe_runner.grading.gate import GateVerdict, classify, unbuildable
from swe_runner.inputs.dataset import Dataset
from swe_runner.records import EvalReport, Outcome
from swe_runner.run.batch import Events, Plan, run_batch
from swe_runner.run.pipeline import plan_evaluation
from swe_runner.run.request import EvalRequest
from swe_runner.task import Prediction

__all__ = ["EMPTY_TAKE", "validate_tasks", "validation_dir"]

EMPTY_TAKE = "empty"  # the take without the gold patch; the gold ones are gold-<n>
# What Runtime.image raises when a task's image cannot be made (attempt names the type).
_UNBUILT = tuple(f"{error.__name__}: " for error in (ImageError, RepoError))


def validation_dir(results_dir: Path, dataset: Dataset) -> Path:
    """Where the takes of validating ``dataset`` are kept: one folder per task set."""
    return results_dir / "validate" / dataset.fingerprint


def validate_tasks(
    dataset: Dataset,
    settings: Settings,
    repeat: int = 1,
    notify: Callable[[str], None] = lambda _: None,
    on_verdict: Callable[[GateVerdict], None] = lambda _: None,
) -> list[GateVerdict]:
    """Gate every task of ``dataset``: 1 + ``repeat`` evaluations each, ``settings.workers``
    at once on ``settings.executor``; the verdicts in dataset order (each also given to
    ``on_verdict`` as soon as it is known).

    Raises:
        DockerUnavailableError: no daemon (nothing could be judged).
        ExecutorError, ConfigError: the Ray cluster cannot be used.
        KeyboardInterrupt: the finished evaluations are kept; rerunning resumes.
    """
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1 (got {repeat})")
    home = validation_dir(settings.results_dir, dataset)
    notify(f"validation in {home} (validating these tasks again resumes it)")
    gate = _Gate(dataset, settings.model_copy(update={"results_dir": home}), notify)
    tasks = {t.instance_id: t for t in dataset.tasks}
    empty = gate.take(EMPTY_TAKE, dict.fromkeys(tasks, ""))
    verdicts = {
        iid: unbuildable(tasks[iid], report.error or "")
        for iid, report in empty.items()
        if report.outcome is Outcome.ERROR and (report.error or "").startswith(_UNBUILT)
    }
    for verdict in verdicts.values():
        on_verdict(verdict)
    gold = {iid: t.patch for iid, t in tasks.items() if iid not in verdicts}
    takes: list[dict[str, EvalReport]] = []

    def judge(report: EvalReport) -> None:  # the last take's: the task's takes are all in
        iid = report.instance_id
        runs = [take[iid] for take in takes] + [report]
        verdicts[iid] = classify(tasks[iid], runs, empty.get(iid))
        on_verdict(verdicts[iid])

    for n in range(1, repeat + 1):
        takes.append(gate.take(f"gold-{n}", gold, judge if n == repeat else None))
    return [verdicts[iid] for iid in tasks]


@dataclass(frozen=True)
class _Gate:
    """The takes of one validation: ``settings.results_dir`` is its folder."""

    dataset: Dataset
    settings: Settings
    notify: Callable[[str], None]

    def take(
        self,
        name: str,
        patches: dict[str, str],
        on_report: Callable[[EvalReport], None] | None = None,
    ) -> dict[str, EvalReport]:
        """One evaluation of each task in ``patches`` (instance id: patch; an empty patch
        is run too), as the run ``name``; the reports by instance id."""
        if not patches:
            return {}
        source = "gold" if name != EMPTY_TAKE else "empty"
        predictions = {
            iid: Prediction(instance_id=iid, model_name_or_path=source, model_patch=patch)
            for iid, patch in patches.items()
        }
        request = EvalRequest(
            dataset=self.dataset,
            predictions=predictions,
            predictions_source=source,
            run_id=name,
            settings=self.settings,
            retry_errors=True,  # an infrastructure error judges nothing: tried again
        )
        report = on_report or (lambda _: None)
        events = Events(on_result=lambda r, _: report(r), on_message=self.notify)
        run_batch(request, _running_empty(plan_evaluation(request)), events)
        found = {iid: request.run.read_report(iid) for iid in predictions}
        return {iid: r for iid, r in found.items() if r is not None}


def _running_empty(plan: Plan) -> Plan:
    """``plan`` with the tests of its empty patches run too (not graded without them)."""
    jobs = [replace(job, run_empty=True) for job in plan.jobs]
    return replace(plan, jobs=jobs, needs_runtime=True)
