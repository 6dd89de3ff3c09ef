"""Run a batch of instances: evaluate predictions, or let an agent solve and then evaluate.

Each instance is a list of named steps (``prepare`` the image, ``solve`` in an agent
container, ``extract`` the patch, ``evaluate`` in a fresh container, ``write``). Failures
of one instance are caught here, once, and recorded as its ``error`` outcome with the
traceback; the batch goes on. Input problems are found before the run folder is made.
Ctrl-C removes this run's containers, keeps finished results, records the instances it
stopped mid-way as ``interrupted`` errors (so does the next run for a killed process's) and
leaves the run resumable: a resume redoes them.
"""

from __future__ import annotations

import platform
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from swe_runner import __version__
from swe_runner.agents import Agent, AgentRun, Problem, Session
from swe_runner.config import Settings
from swe_runner.dataset import Dataset
from swe_runner.errors import InputError, LimitExceededError, UnknownInstanceError
from swe_runner.grading.evaluate import charge_model_api, evaluate, report_without_run
from swe_runner.images import ImageBuilder
from swe_runner.records import AGENT_FIELDS, EvalReport, Outcome, RunManifest, TrajectoryStep
from swe_runner.reporting.summary import Summary, summarize
from swe_runner.rundir import KILLED, RunDir
from swe_runner.sandbox.docker import (
    INSTANCE_LABEL,
    RUN_DIR_LABEL,
    RUN_LABEL,
    ContainerLimits,
    DockerSandbox,
    connect,
    remove_containers,
)
from swe_runner.sandbox.scripts import ContainerPool
from swe_runner.secret_env import Secrets
from swe_runner.task import Prediction, Task
from swe_runner.tools.bash import BashTool
from swe_runner.tools.editor import EditorTool

__all__ = ["AgentRequest", "EvalRequest", "Events", "evaluate_predictions", "run_agent"]


@dataclass
class Events:
    """Callbacks the CLI uses to show progress; all optional."""

    on_plan: Callable[[int, int], None] = lambda total, done: None
    on_result: Callable[[EvalReport, bool], None] = lambda report, reused: None
    on_message: Callable[[str], None] = lambda text: None


@dataclass(frozen=True)
class EvalRequest:
    """Grade existing predictions."""

    dataset: Dataset
    predictions: dict[str, Prediction]
    predictions_source: str
    run_id: str
    settings: Settings
    workers: int = 1
    retry_errors: bool = False  # redo instances whose report is an infrastructure error


@dataclass(frozen=True)
class AgentRequest:
    """Let an agent solve each task, then grade its patch."""

    dataset: Dataset
    agent: Agent
    run_id: str
    settings: Settings
    workers: int = 1
    timeout: float = 1800.0
    network: str = "none"
    model_name: str | None = None
    retry_errors: bool = False  # redo instances whose report is an infrastructure error
    secrets: Secrets | None = None  # --env; None: mask only the Anthropic credentials


@dataclass
class _Result:
    report: EvalReport
    patch: str | None = None
    script: str | None = None
    log: str | None = None
    trajectory: list[TrajectoryStep] | None = None

    def redacted(self, secrets: Secrets) -> _Result:
        """This result with every secret masked, as it is recorded and shown."""
        if not secrets:
            return self
        hide, mask = secrets.redact_data, secrets.redact
        steps = self.trajectory
        return _Result(
            EvalReport.model_validate(hide(self.report.model_dump(mode="json"))),
            None if self.patch is None else mask(self.patch),
            None if self.script is None else mask(self.script),
            None if self.log is None else mask(self.log),
            None
            if steps is None
            else [TrajectoryStep.model_validate(hide(s.model_dump(mode="json"))) for s in steps],
        )


@dataclass
class _Batch:
    """What every instance of a run shares."""

    dataset: Dataset
    settings: Settings
    run: RunDir
    events: Events
    secrets: Secrets = field(default_factory=lambda: Secrets.parse(()))
    stop: threading.Event = field(default_factory=threading.Event)
    _builder: ImageBuilder | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _pool: ContainerPool | None = None

    @property
    def labels(self) -> dict[str, str]:
        # The folder too: two results dirs may hold runs of the same id on one daemon.
        return {RUN_LABEL: self.run.run_id, RUN_DIR_LABEL: str(self.run.path.resolve())}

    def limits(self, network: str | None = None) -> ContainerLimits:
        return ContainerLimits.of(self.settings, network)

    @property
    def builder(self) -> ImageBuilder:
        with self._lock:
            if self._builder is None:
                self._builder = ImageBuilder(self.settings, self.events.on_message)
            return self._builder

    @property
    def containers(self) -> ContainerPool:
        """Fresh evaluation containers, started ahead of need."""
        with self._lock:
            if self._pool is None:
                self._pool = ContainerPool(self.limits(), self.labels)
            return self._pool

    def image(self, task: Task) -> str:
        """Step ``prepare``: the instance image, built if missing."""
        return self.builder.ensure_instance(task, self.dataset.repo_sources.get(task.repo))

    def warm(self, task: Task | None) -> None:
        """Start ``task``'s evaluation container early, if its image is already built."""
        if task is None or task.env_spec is None:
            return
        tag = self.builder.instance_tag(task, task.env_spec)
        if self.builder.exists(tag):
            self.containers.warm(tag)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()


def match_predictions(
    tasks: tuple[Task, ...], predictions: dict[str, Prediction], source: str
) -> dict[str, Prediction]:
    """Every task's prediction (an absent one has a ``None`` patch).

    Raises:
        UnknownInstanceError: a prediction names an instance the dataset does not hold.
    """
    stray = sorted(set(predictions) - {t.instance_id for t in tasks})
    if stray:
        more = f" (and {len(stray) - 3} more)" if len(stray) > 3 else ""
        names = ", ".join(map(repr, stray[:3]))
        raise UnknownInstanceError(f"{source}: prediction for unknown instance {names}{more}")
    model = next(iter(predictions.values())).model_name_or_path if predictions else "none"
    return {
        t.instance_id: predictions.get(t.instance_id)
        or Prediction(instance_id=t.instance_id, model_name_or_path=model, model_patch=None)
        for t in tasks
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_manifest(
    run_id: str,
    dataset: Dataset,
    settings: Settings,
    source: str | None,
    docker_version: str,
    agent: dict[str, Any] | None = None,
) -> RunManifest:
    return RunManifest(
        run_id=run_id,
        command=" ".join(sys.argv),
        dataset={
            "name": dataset.name,
            "path": str(dataset.path),
            "fingerprint": dataset.fingerprint,
            "size": len(dataset.tasks),
            "origin": dataset.origin,  # how to load it again (reference, split, specs...)
            # The whole task set, so a report counts tasks that never got a result.
            "tasks": [
                {"instance_id": t.instance_id, "repo": t.repo, "difficulty": t.difficulty}
                for t in dataset.tasks
            ],
        },
        predictions=source,
        agent=agent or {},
        settings=settings.model_dump(mode="json"),
        versions={
            "swe_runner": __version__,
            "python": platform.python_version(),
            "docker": docker_version,
        },
        host=socket.gethostname(),
        started_at=_now(),
    )


INTERRUPTED = "interrupted: the run stopped (Ctrl-C) before this instance finished"


def _open_run(run: RunDir, dataset: Dataset) -> None:
    """Refuse to mix datasets in one run folder; record the instances a killed process left
    unfinished as ``interrupted`` errors (this resume then redoes them)."""
    if run.exists():
        fingerprint = run.read_json("run.json").get("dataset", {}).get("fingerprint")
        if fingerprint != dataset.fingerprint:
            raise InputError(
                f"run {run.run_id} exists for another dataset (fingerprint "
                f"{fingerprint}); choose a new --run-id"
            )
        run.close_interrupted(KILLED, only=run.stale())


def _finished(run: RunDir, instance_id: str, retry_errors: bool) -> EvalReport | None:
    """The instance's kept report, if any: unfinished ones are redone, and with
    ``retry_errors`` so are infrastructure errors (a daemon restart, an API outage...)."""
    report = run.read_report(instance_id)
    if report is not None and report.interrupted:
        return None  # never finished: always redone
    if report is not None and retry_errors and report.outcome is Outcome.ERROR:
        return None
    return report


def _guarded(
    batch: _Batch, task: Task, prediction: Prediction, work: Callable[[], _Result]
) -> _Result | None:
    """Run one instance; any failure becomes its ``error`` report. None when interrupted."""
    began = time.perf_counter()
    batch.run.mark_running(task.instance_id)
    try:
        result = work()
    except Exception as exc:
        if batch.stop.is_set():
            return None  # interrupted: left unfinished, redone on resume
        limit = isinstance(exc, LimitExceededError)  # the task's doing, not the machine's
        report = report_without_run(
            task,
            prediction,
            Outcome.LIMIT_EXCEEDED if limit else Outcome.ERROR,
            error=f"{type(exc).__name__}: {exc}",
            traceback=traceback.format_exc(),
        )
        result = _Result(report, prediction.model_patch)
    if batch.stop.is_set():
        return None
    result = result.redacted(batch.secrets)
    timings = {**result.report.timings, "instance": round(time.perf_counter() - began, 3)}
    result.report = result.report.model_copy(update={"timings": timings})
    batch.run.write_instance(
        result.report, result.patch, result.script, result.log, result.trajectory
    )
    return result


def _execute(
    batch: _Batch,
    todo: list[tuple[Task, Prediction, Callable[[], _Result]]],
    reused: list[EvalReport],
    workers: int,
) -> dict[str, EvalReport]:
    reports = {r.instance_id: r for r in reused}
    batch.events.on_plan(len(todo) + len(reused), len(reused))
    for report in reused:
        batch.events.on_result(report, True)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="instance")
    futures = [pool.submit(_guarded, batch, task, pred, work) for task, pred, work in todo]
    try:
        for future in as_completed(futures):
            result = future.result()
            if result is not None:
                reports[result.report.instance_id] = result.report
                batch.events.on_result(result.report, False)
    except BaseException:
        batch.stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        remove_containers(batch.labels)  # unblocks the running workers
        pool.shutdown(wait=True)
        batch.close()
        remove_containers(batch.labels)
        batch.run.close_interrupted(INTERRUPTED, only=[task.instance_id for task, _, _ in todo])
        raise
    pool.shutdown(wait=True)
    batch.close()
    return reports


def _finish(
    batch: _Batch,
    manifest: RunManifest,
    reports: dict[str, EvalReport],
    started: float,
    predictions: list[Prediction],
) -> Summary:
    summary = summarize(batch.run.run_id, reports.values(), time.perf_counter() - started)
    batch.run.write_predictions(predictions)
    batch.run.write_json("summary.json", summary.model_dump(mode="json"))
    batch.run.write_json(
        "run.json", manifest.model_copy(update={"finished_at": _now()}).model_dump(mode="json")
    )
    return summary


def evaluate_predictions(req: EvalRequest, events: Events | None = None) -> Summary:
    """Grade every task of ``req.dataset`` against its prediction; resume a finished part.

    Raises:
        InputError: bad predictions or an incompatible existing run (nothing is written).
        DockerUnavailableError: the daemon is down and something needs a container.
    """
    preds = match_predictions(req.dataset.tasks, req.predictions, req.predictions_source)
    docker_version = "unused"
    if any(not p.is_empty for p in preds.values()):
        docker_version = str(connect().version().get("Version", "?"))
    batch = _Batch(
        req.dataset, req.settings, RunDir(req.settings.results_dir, req.run_id), events or Events()
    )
    _open_run(batch.run, req.dataset)
    started = time.perf_counter()
    manifest = new_manifest(
        req.run_id, req.dataset, req.settings, req.predictions_source, docker_version
    )
    batch.run.write_json("run.json", manifest.model_dump(mode="json"))
    remove_containers(batch.labels)

    def work(task: Task, pred: Prediction, after: Task | None) -> _Result:
        image = "" if pred.is_empty else batch.image(task)
        batch.warm(after)  # its container starts while this one's tests run
        result = evaluate(task, pred, image, labels=batch.labels, pool=batch.containers)
        return _Result(result.report, pred.model_patch, result.script, result.log)

    reused: list[EvalReport] = []
    pending: list[tuple[Task, Prediction]] = []
    for task in req.dataset.tasks:
        pred = preds[task.instance_id]
        old = _finished(batch.run, task.instance_id, req.retry_errors)
        if old is not None and batch.run.saved_patch(task.instance_id) == (pred.model_patch or ""):
            reused.append(old)
        else:
            pending.append((task, pred))
    ahead = [t for t, p in pending if not p.is_empty]
    todo: list[tuple[Task, Prediction, Callable[[], _Result]]] = []
    for task, pred in pending:
        later = ahead[ahead.index(task) + req.workers :] if task in ahead else []
        todo.append((task, pred, partial(work, task, pred, later[0] if later else None)))
    reports = _execute(batch, todo, reused, req.workers)
    return _finish(batch, manifest, reports, started, list(preds.values()))


def _solve(
    batch: _Batch, req: AgentRequest, task: Task, image: str
) -> tuple[AgentRun, str, list[TrajectoryStep]]:
    """Steps ``solve`` and ``extract``: the agent works in its own container."""
    with DockerSandbox(
        image,
        task.base_commit,
        batch.limits(req.network),
        labels={**batch.labels, INSTANCE_LABEL: task.instance_id},
    ) as sandbox:
        session = Session(sandbox, [BashTool(sandbox), EditorTool(sandbox)], req.timeout)
        try:
            outcome = req.agent.solve(Problem.of(task, sandbox.workdir), session)
            patch = outcome.patch if outcome.patch is not None else sandbox.diff()
        except Exception as exc:
            if sandbox.disk.stop() is not None:  # the agent's commands filled the disk
                raise LimitExceededError(f"agent container: {sandbox.limit_hit}") from exc
            raise
        finally:
            session.close()
        if sandbox.disk.stop() is not None:
            raise LimitExceededError(f"agent container: {sandbox.limit_hit}")
        session.record(
            TrajectoryStep(
                kind="stop", stop_reason=outcome.stop_reason.value, detail=outcome.detail
            )
        )
        return outcome, patch, session.steps


def run_agent(req: AgentRequest, events: Events | None = None) -> Summary:
    """Let ``req.agent`` solve every task, then grade each patch in a fresh container.
    Instances with a report are kept; the rest (new, failed mid-way, interrupted) are run.

    Raises:
        InputError: an incompatible existing run.
        DockerUnavailableError: the daemon is down.
    """
    docker_version = str(connect().version().get("Version", "?"))
    batch = _Batch(
        req.dataset,
        req.settings,
        RunDir(req.settings.results_dir, req.run_id),
        events or Events(),
        req.secrets or Secrets.parse(()),
    )
    _open_run(batch.run, req.dataset)
    started = time.perf_counter()
    agent = {"name": req.agent.name, "model": req.model_name}
    manifest = new_manifest(req.run_id, req.dataset, req.settings, None, docker_version, agent)
    batch.run.write_json("run.json", manifest.model_dump(mode="json"))
    remove_containers(batch.labels)
    model = req.model_name or req.agent.name

    def work(task: Task) -> _Result:
        image = batch.image(task)
        batch.containers.warm(image)  # the evaluation container starts while the agent works
        began = time.monotonic()
        outcome, patch, steps = _solve(batch, req, task, image)
        patch = batch.secrets.redact(patch)  # graded as recorded: no secret reaches a container
        agent_time = round(time.monotonic() - began, 3)
        pred = Prediction(instance_id=task.instance_id, model_name_or_path=model, model_patch=patch)
        result = evaluate(task, pred, image, labels=batch.labels, pool=batch.containers)
        found = (  # in AGENT_FIELDS' order
            req.agent.name,
            outcome.stop_reason,
            outcome.detail,
            outcome.turns,
            outcome.usage,
            outcome.cost_usd,
            agent_time,
        )
        report = result.report.model_copy(update=dict(zip(AGENT_FIELDS, found, strict=True)))
        return _Result(charge_model_api(report), patch, result.script, result.log, steps)

    reused: list[EvalReport] = []
    todo: list[tuple[Task, Prediction, Callable[[], _Result]]] = []
    for task in req.dataset.tasks:
        old = _finished(batch.run, task.instance_id, req.retry_errors)
        if old is not None:
            reused.append(old)
        else:
            empty = Prediction(instance_id=task.instance_id, model_name_or_path=model)
            todo.append((task, empty, partial(work, task)))
    reports = _execute(batch, todo, reused, req.workers)
    predictions = [
        Prediction(
            instance_id=t.instance_id,
            model_name_or_path=model,
            model_patch=batch.run.saved_patch(t.instance_id),
        )
        for t in req.dataset.tasks
        if t.instance_id in reports
    ]
    return _finish(batch, manifest, reports, started, predictions)
