"""A batch of instances: each one guarded, run by workers, recorded; the run resumable.

:class:`Batch` is what every instance of a run shares (dataset, settings, run folder,
images, a pool of evaluation containers, secrets to mask). :meth:`Batch.execute` runs each
instance's work in a worker; any failure of one instance is caught here, once, and
recorded as its ``error`` outcome with the traceback (``limit_exceeded`` when the task's
own code passed a limit), and the batch goes on. Ctrl-C removes this run's containers,
keeps finished results, records the instances it stopped mid-way as ``interrupted``
errors (so does the next run for a killed process's) and leaves the run resumable: a
resume redoes them.
"""

from __future__ import annotations

import platform
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from swe_runner import __version__
from swe_runner.config import Settings
from swe_runner.errors import LimitExceededError
from swe_runner.grading.outcome import report_without_run
from swe_runner.inputs.dataset import Dataset
from swe_runner.manifest import (
    AgentInfo,
    DatasetInfo,
    DatasetOrigin,
    Exclusion,
    RunManifest,
    TaskRef,
)
from swe_runner.records import EvalReport, Outcome, TrajectoryStep
from swe_runner.reporting.summary import Summary, summarize
from swe_runner.run.resume import check_resume
from swe_runner.rundir import KILLED, RunDir
from swe_runner.runtime import Runtime, open_runtime
from swe_runner.sandbox.labels import RUN_DIR_LABEL, RUN_LABEL
from swe_runner.secret_env import Secrets
from swe_runner.task import Prediction, Task

__all__ = [
    "INTERRUPTED",
    "Batch",
    "Events",
    "InstanceResult",
    "Work",
    "new_manifest",
    "run_labels",
]


@dataclass
class Events:
    """Callbacks the CLI uses to show progress; all optional."""

    on_plan: Callable[[int, int], None] = lambda total, done: None
    on_result: Callable[[EvalReport, bool], None] = lambda report, reused: None
    on_message: Callable[[str], None] = lambda text: None


INTERRUPTED = "interrupted: the run stopped (Ctrl-C) before this instance finished"


@dataclass
class InstanceResult:
    """What one instance leaves: its report and the files recorded beside it."""

    report: EvalReport
    patch: str | None = None
    script: str | None = None
    log: str | None = None
    trajectory: list[TrajectoryStep] | None = None

    def redacted(self, secrets: Secrets) -> InstanceResult:
        """This result with every secret masked, as it is recorded and shown."""
        if not secrets:
            return self
        hide, mask = secrets.redact_data, secrets.redact
        steps = self.trajectory
        return InstanceResult(
            EvalReport.model_validate(hide(self.report.model_dump(mode="json"))),
            None if self.patch is None else mask(self.patch),
            None if self.script is None else mask(self.script),
            None if self.log is None else mask(self.log),
            None
            if steps is None
            else [TrajectoryStep.model_validate(hide(s.model_dump(mode="json"))) for s in steps],
        )


Work = Callable[[], InstanceResult]  # one instance's steps, run in a worker


@dataclass
class Batch:
    """What every instance of a run shares. Made by :meth:`open`, as a context manager
    that releases the runtime on exit::

        with Batch.open(dataset, settings, run, events, manifest) as batch:
            reused = ...  # batch.finished(...) for what a resume keeps
            reports = batch.execute(todo, reused, workers)
            summary = batch.finish(reports, predictions)
    """

    dataset: Dataset
    settings: Settings
    run: RunDir
    events: Events
    manifest: RunManifest
    secrets: Secrets = field(default_factory=lambda: Secrets.parse(()))
    stop: threading.Event = field(default_factory=threading.Event)
    resuming: bool = False  # the run existed: finished instances are kept
    _runtime: Runtime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _started: float = field(default_factory=time.perf_counter)

    @classmethod
    @contextmanager
    def open(
        cls,
        dataset: Dataset,
        settings: Settings,
        run: RunDir,
        events: Events,
        manifest: RunManifest,
        *,
        secrets: Secrets | None = None,
        force: bool = False,
        runtime: Runtime | None = None,
        needs_runtime: bool = True,
    ) -> Iterator[Batch]:
        """Open the run folder: refuse one made by another agent, dataset or predictions
        file (unless ``force``; see :mod:`swe_runner.run.resume`), then (``needs_runtime``:
        the runtime's versions into the manifest) record the instances a killed process
        left unfinished as ``interrupted`` errors (this resume redoes them), write run.json
        (secrets masked) and remove the sandboxes an earlier attempt left. ``runtime``:
        the one to use, else the one ``settings.runtime`` names, opened here.

        Raises:
            InputError: the run exists for another agent, dataset or predictions file.
            DockerUnavailableError: ``needs_runtime`` and the Docker daemon is down.
        """
        batch = cls(dataset, settings, run, events, manifest, secrets or Secrets.parse(()))
        batch._runtime = runtime
        try:
            batch._start(force, needs_runtime)
            yield batch
        finally:
            batch.close()

    @property
    def labels(self) -> dict[str, str]:
        return run_labels(self.run)

    @property
    def runtime(self) -> Runtime:
        """Images and sandboxes (``settings.runtime``), opened on first use."""
        with self._lock:
            if self._runtime is None:
                self._runtime = open_runtime(self.settings, self.labels, self.events.on_message)
            return self._runtime

    def image(self, task: Task) -> str:
        """Step ``prepare``: the instance image, built (or pulled) if missing."""
        return self.runtime.image(task, self.dataset.repo_sources.get(task.repo))

    def warm(self, task: Task | None) -> None:
        """Start ``task``'s evaluation sandbox early, if its image is already here."""
        image = None if task is None else self.runtime.image_ready(task)
        if image is not None:
            self.runtime.warm(image)

    def close(self) -> None:
        if self._runtime is not None:
            self._runtime.close()

    def _start(self, force: bool, needs_runtime: bool) -> None:
        manifest = self.manifest
        self.resuming = check_resume(self.run, manifest, force)
        if needs_runtime:
            versions = {**manifest.versions, **self.runtime.versions()}
            manifest = manifest.model_copy(update={"versions": versions})
        if self.resuming:
            self.run.close_interrupted(KILLED, only=self.run.stale())
        # Its command line may hold secrets (--env NAME=VALUE): masked like everything else.
        manifest = RunManifest.model_validate(
            self.secrets.redact_data(manifest.model_dump(mode="json"))
        )
        self.manifest, self._started = manifest, time.perf_counter()
        self.run.write_json("run.json", manifest.model_dump(mode="json"))
        if needs_runtime:
            self.runtime.remove_all()

    def finished(self, instance_id: str, retry_errors: bool) -> EvalReport | None:
        """The instance's kept report, if any: unfinished ones are redone, and with
        ``retry_errors`` so are infrastructure errors (a daemon restart, an API outage...)."""
        report = self.run.read_report(instance_id)
        if report is None or report.interrupted:  # an interrupted one never finished
            return None
        if retry_errors and report.outcome is Outcome.ERROR:
            return None
        return report

    def execute(
        self, todo: list[tuple[Task, Prediction, Work]], reused: list[EvalReport], workers: int
    ) -> dict[str, EvalReport]:
        """Run each ``todo`` instance's work on ``workers`` threads; every report by id."""
        reports = {r.instance_id: r for r in reused}
        if self.resuming:
            total = len(todo) + len(reused)
            self.events.on_message(f"resuming: {len(reused)} of {total} already finished")
        self.events.on_plan(len(todo) + len(reused), len(reused))
        for report in reused:
            self.events.on_result(report, True)
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="instance")
        futures = [pool.submit(self._guarded, task, pred, work) for task, pred, work in todo]
        try:
            for future in as_completed(futures):
                result = future.result()
                if result is not None:
                    reports[result.report.instance_id] = result.report
                    self.events.on_result(result.report, False)
        except BaseException:
            self.stop.set()
            pool.shutdown(wait=False, cancel_futures=True)
            self.runtime.remove_all()  # unblocks the running workers
            pool.shutdown(wait=True)
            self.close()
            self.runtime.remove_all()
            self.run.close_interrupted(INTERRUPTED, only=[task.instance_id for task, _, _ in todo])
            raise
        pool.shutdown(wait=True)
        return reports

    def _guarded(self, task: Task, prediction: Prediction, work: Work) -> InstanceResult | None:
        """Run one instance; any failure becomes its ``error`` report. None when interrupted."""
        began = time.perf_counter()
        self.run.mark_running(task.instance_id)
        try:
            result = work()
        except Exception as exc:
            if self.stop.is_set():
                return None  # interrupted: recorded as such, redone on resume
            limit = isinstance(exc, LimitExceededError)  # the task's doing, not the machine's
            report = report_without_run(
                task,
                prediction,
                Outcome.LIMIT_EXCEEDED if limit else Outcome.ERROR,
                error=f"{type(exc).__name__}: {exc}",
                traceback=traceback.format_exc(),
            )
            result = InstanceResult(report, prediction.model_patch)
        if self.stop.is_set():
            return None
        result = result.redacted(self.secrets)
        timings = {**result.report.timings, "instance": round(time.perf_counter() - began, 3)}
        result.report = result.report.model_copy(update={"timings": timings})
        self.run.write_instance(
            result.report, result.patch, result.script, result.log, result.trajectory
        )
        return result

    def finish(self, reports: dict[str, EvalReport], predictions: list[Prediction]) -> Summary:
        """Write predictions.jsonl, summary.json and the finished run.json."""
        elapsed = time.perf_counter() - self._started
        missing = [t.instance_id for t in self.dataset.tasks if t.instance_id not in reports]
        summary = summarize(
            self.run.run_id, reports.values(), elapsed, self.manifest.exclude, missing
        )
        self.run.write_predictions(predictions)
        self.run.write_json("summary.json", summary.model_dump(mode="json"))
        finished = self.manifest.model_copy(update={"finished_at": _now()})
        self.run.write_json("run.json", finished.model_dump(mode="json"))
        return summary


def run_labels(run: RunDir) -> dict[str, str]:
    """What the run's sandboxes carry, so its runtime finds them again (also from another
    process): the run id, and the folder (two results dirs may hold runs of one id)."""
    return {RUN_LABEL: run.run_id, RUN_DIR_LABEL: str(run.path.resolve())}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_manifest(
    run_id: str,
    dataset: Dataset,
    settings: Settings,
    source: str | None,
    docker_version: str = "unused",
    agent: AgentInfo | None = None,
    exclusion: Exclusion | None = None,
) -> RunManifest:
    return RunManifest(
        run_id=run_id,
        command=" ".join(sys.argv),
        dataset=DatasetInfo(
            name=dataset.name,
            path=str(dataset.path),
            fingerprint=dataset.fingerprint,
            size=len(dataset.tasks),
            origin=DatasetOrigin.model_validate(dataset.origin),
            tasks=[
                TaskRef(instance_id=t.instance_id, repo=t.repo, difficulty=t.difficulty)
                for t in dataset.tasks
            ],
        ),
        predictions=source,
        agent=agent,
        exclude=exclusion,
        settings=settings.model_dump(mode="json"),
        versions={
            "swe_runner": __version__,
            "python": platform.python_version(),
            "docker": docker_version,
        },
        host=socket.gethostname(),
        started_at=_now(),
    )
