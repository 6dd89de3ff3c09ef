"""A batch of instances: each one run by an executor, recorded; the run resumable.

:func:`run_batch` carries out a :class:`Plan` (made by the run's kind's planner, in
:mod:`swe_runner.run.pipeline`) in the one order a run has: open the run folder, execute
the jobs, finish the run. It hands each instance's :class:`~swe_runner.run.instance.Job`
to the executor (``settings.executor``: a local pool of workers, or the nodes of a Ray
cluster), which runs it with :func:`~swe_runner.run.instance.attempt` (any failure of one
instance becomes its ``error`` outcome there, with the traceback, and the batch goes on);
every result comes back here and is written to the run folder as it arrives. Ctrl-C
removes this run's containers, keeps finished results, records the instances it stopped
mid-way as ``interrupted`` errors (so does the next run for a killed process's) and leaves
the run resumable: a resume redoes them."""

from __future__ import annotations

import platform
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from swe_runner import __version__
from swe_runner.agents import Agent, AgentRecipe
from swe_runner.config import Settings, forwarded_environment
from swe_runner.executors import Executor, Listener, LocalExecutor, ray_executor
from swe_runner.inputs.dataset import Dataset
from swe_runner.manifest import (
    AgentInfo,
    DatasetInfo,
    DatasetOrigin,
    Exclusion,
    Retry,
    RunManifest,
    TaskRef,
)
from swe_runner.records import EvalReport
from swe_runner.reporting.summary import Summary, summarize
from swe_runner.run.instance import InstanceResult, Job, NodeKit, Station, failed
from swe_runner.run.request import RunRequest
from swe_runner.run.resume import check_resume
from swe_runner.rundir import KILLED, RunDir
from swe_runner.runtime import Runtime, open_runtime
from swe_runner.sandbox.labels import RUN_DIR_LABEL, RUN_LABEL
from swe_runner.secret_env import Secrets
from swe_runner.task import Prediction

__all__ = [
    "INTERRUPTED",
    "Events",
    "InstanceResult",
    "Plan",
    "new_manifest",
    "run_batch",
    "run_labels",
]


@dataclass
class Events:
    """Callbacks the CLI uses to show progress; all optional."""

    on_plan: Callable[[int, int], None] = lambda total, done: None
    on_result: Callable[[EvalReport, bool], None] = lambda report, reused: None
    on_message: Callable[[str], None] = lambda text: None


INTERRUPTED = "interrupted: the run stopped (Ctrl-C) before this instance finished"


@dataclass(frozen=True, kw_only=True)
class Plan:
    """What a run is to do, decided by its kind's planner before anything starts: what
    run.json records, the instances to run (``jobs``) and those a resume keeps
    (``reused``), and the predictions a finished run records, from every report.
    ``needs_runtime``: some instance needs a sandbox (grading empty patches needs none)."""

    manifest: RunManifest
    jobs: list[Job]
    reused: list[EvalReport]
    predictions: Callable[[dict[str, EvalReport]], list[Prediction]]
    needs_runtime: bool = True


def run_batch(req: RunRequest, plan: Plan, events: Events | None = None) -> Summary:
    """Carry out ``plan``: open the run folder, run the jobs on the executor, finish the
    run (predictions.jsonl, summary.json, the finished run.json); its summary.

    The folder is refused if made by another agent, dataset or predictions file (unless
    ``req.force``; see :mod:`swe_runner.run.resume`). Then (``plan.needs_runtime``: the
    runtime's versions into the manifest) the instances a killed process left unfinished
    are recorded as ``interrupted`` errors (this resume redoes them), run.json is written
    (secrets masked) and the sandboxes an earlier attempt left are removed.

    The jobs run on ``settings.executor``, ``settings.workers`` at once: here, with
    ``req.runtime`` (else the one ``settings.runtime`` names, opened here) and the
    request's agent; or on a Ray cluster's nodes, each opening its runtime and building
    the agent from its recipe (without one, the agent itself is sent, if it pickles).

    Raises:
        InputError: the run exists for another agent, dataset or predictions file.
        DockerUnavailableError: ``plan.needs_runtime`` and the Docker daemon is down.
        ExecutorError, ConfigError: the Ray cluster cannot be used.
    """
    with _Batch.open(req, plan.manifest, events or Events(), plan.needs_runtime) as batch:
        reports = batch.execute(_warmed(plan.jobs, batch.lookahead), plan.reused)
        return batch.finish(reports, plan.predictions(reports))


def _warmed(jobs: list[Job], lookahead: int) -> list[Job]:
    """``jobs``, each grading a patch (no agent phase) set to warm the sandbox of the one
    ``lookahead`` such jobs later: the next job its worker takes."""
    grading = [
        i
        for i, job in enumerate(jobs)
        if job.solve is None and (job.run_empty or not job.prediction.is_empty)
    ]
    out = list(jobs)
    if not lookahead:
        return out
    for n, i in enumerate(grading[: max(0, len(grading) - lookahead)]):
        out[i] = replace(jobs[i], warm=jobs[grading[n + lookahead]].task)
    return out


@dataclass
class _Batch:
    """What every instance of a run shares; :func:`run_batch` drives it (open, execute,
    finish), and the context manager releases the executor (and the runtime) on exit."""

    dataset: Dataset
    settings: Settings
    run: RunDir
    events: Events
    manifest: RunManifest
    secrets: Secrets = field(default_factory=lambda: Secrets.parse(()))
    stop: threading.Event = field(default_factory=threading.Event)
    resuming: bool = False  # the run existed: finished instances are kept
    retries: list[Retry] = field(default_factory=list)  # instances run again elsewhere
    _executor: Executor[Job, InstanceResult] | None = None
    _runtime: Runtime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _started: float = field(default_factory=time.perf_counter)

    @classmethod
    @contextmanager
    def open(
        cls, req: RunRequest, manifest: RunManifest, events: Events, needs_runtime: bool
    ) -> Iterator[_Batch]:
        """The batch of ``req``, its folder opened (see :func:`run_batch`)."""
        agent, recipe, secrets = req.solver()
        batch = cls(req.dataset, req.settings, req.run, events, manifest, secrets)
        batch._runtime = req.runtime
        try:
            batch._executor = batch._open_executor(agent, recipe)
            batch._start(req.force, needs_runtime)
            yield batch
        finally:
            batch.close()

    @property
    def labels(self) -> dict[str, str]:
        return run_labels(self.run)

    @property
    def runtime(self) -> Runtime:
        """This process's images and sandboxes (``settings.runtime``), opened on first use."""
        with self._lock:
            if self._runtime is None:
                self._runtime = open_runtime(self.settings, self.labels, self.events.on_message)
            return self._runtime

    @property
    def executor(self) -> Executor[Job, InstanceResult]:
        assert self._executor is not None, "_Batch.open makes the executor"
        return self._executor

    @property
    def lookahead(self) -> int:
        """How many jobs later the next one a worker takes is (0: not known)."""
        return self.executor.lookahead

    def _open_executor(
        self, agent: Agent | None, recipe: AgentRecipe | None
    ) -> Executor[Job, InstanceResult]:
        if self.settings.executor == "local":
            workers = self.settings.workers
            return LocalExecutor(workers, lambda _: Station(self.runtime, agent, self.secrets))
        environ = forwarded_environment()
        if agent is not None:  # a model agent's credentials: read there as here
            given = self.secrets.given
            environ |= {k: v for k, v in self.secrets.masked.items() if k not in given}
        settings = _absolute(self.settings)
        kit = NodeKit(settings, self.labels, self.dataset, recipe or agent, self.secrets, environ)
        return ray_executor(settings, kit, self.events.on_message)

    def close(self) -> None:
        """Release the executor (the local one closes this process's runtime)."""
        if self._executor is not None:
            self._executor.close()

    def _start(self, force: bool, needs_runtime: bool) -> None:
        manifest = self.manifest
        self.resuming = check_resume(self.run, manifest, force)
        if needs_runtime:
            versions = {**manifest.versions, **self.executor.versions()}
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
            self.executor.remove_all()

    def execute(self, jobs: list[Job], reused: list[EvalReport]) -> dict[str, EvalReport]:
        """Run every job on the executor; every report (the kept ones too) by id."""
        reports = {r.instance_id: r for r in reused}
        if self.resuming:
            total = len(jobs) + len(reused)
            self.events.on_message(f"resuming: {len(reused)} of {total} already finished")
        self.events.on_plan(len(jobs) + len(reused), len(reused))
        for report in reused:
            self.events.on_result(report, True)

        def record(job: Job, result: InstanceResult) -> None:
            result = result.redacted(self.secrets)
            self.run.write_instance(
                result.report, result.patch, result.script, result.log, result.trajectory
            )
            reports[job.key] = result.report
            self.events.on_result(result.report, False)

        def retried(job: Job, reason: str) -> None:
            self.retries.append(Retry(instance_id=job.key, reason=reason))
            self.events.on_message(f"{job.key}: {reason}; running it again elsewhere")

        listener: Listener[Job, InstanceResult] = Listener(
            started=lambda job: self.run.mark_running(job.key),
            finished=record,
            failed=lambda job, reason: record(job, failed(job, reason)),
            retried=retried,
            message=self.events.on_message,
        )
        try:
            self.executor.run(jobs, listener, self.stop)
        except BaseException:
            self.run.close_interrupted(INTERRUPTED, only=[job.key for job in jobs])
            raise
        return reports

    def finish(self, reports: dict[str, EvalReport], predictions: list[Prediction]) -> Summary:
        """Write predictions.jsonl, summary.json and the finished run.json."""
        elapsed = time.perf_counter() - self._started
        missing = [t.instance_id for t in self.dataset.tasks if t.instance_id not in reports]
        summary = summarize(
            self.run.run_id, reports.values(), elapsed, self.manifest.exclude, missing
        )
        self.run.write_predictions(predictions)
        self.run.write_json("summary.json", summary.model_dump(mode="json"))
        update = {"finished_at": _now(), "retries": self.manifest.retries + self.retries}
        finished = self.manifest.model_copy(update=update)
        self.run.write_json("run.json", finished.model_dump(mode="json"))
        return summary


def _absolute(settings: Settings) -> Settings:
    """``settings`` with its local paths absolute, as a node (another working folder)
    reads them."""
    update = {
        name: getattr(settings, name).resolve()
        for name in ("cache_dir", "ca_bundle", "mirror_dir")
        if getattr(settings, name) is not None
    }
    return settings.model_copy(update=update)


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
        settings=RunManifest.all_settings(settings),
        versions={
            "swe_runner": __version__,
            "python": platform.python_version(),
            "docker": docker_version,
        },
        host=socket.gethostname(),
        started_at=_now(),
    )
