"""Run a batch: for each instance, prepare its image, evaluate, write; then summarise.

Per-instance failures are caught here, once: the instance is recorded as ``error`` with its
traceback and the batch goes on. Input problems are found before the run folder is made.
"""

from __future__ import annotations

import platform
import socket
import sys
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime

from swe_runner import __version__
from swe_runner.config import Settings
from swe_runner.dataset import Dataset
from swe_runner.errors import InputError, UnknownInstanceError
from swe_runner.grading.evaluate import EvalResult, evaluate, report_without_run
from swe_runner.images import ImageBuilder
from swe_runner.records import EvalReport, Outcome, RunManifest
from swe_runner.reporting.summary import Summary, summarize
from swe_runner.rundir import RunDir
from swe_runner.sandbox.docker import ContainerLimits, connect
from swe_runner.task import Prediction, Task

__all__ = ["EvalRequest", "Events", "evaluate_predictions", "match_predictions"]


@dataclass
class Events:
    """Callbacks the CLI uses to show progress; all optional."""

    on_plan: Callable[[int, int], None] = lambda total, done: None
    on_result: Callable[[EvalReport, bool], None] = lambda report, reused: None
    on_message: Callable[[str], None] = lambda text: None


@dataclass(frozen=True)
class EvalRequest:
    """Everything an evaluation run needs."""

    dataset: Dataset
    predictions: dict[str, Prediction]
    predictions_source: str
    run_id: str
    settings: Settings
    workers: int = 1


def match_predictions(
    tasks: tuple[Task, ...], predictions: dict[str, Prediction], source: str
) -> list[tuple[Task, Prediction]]:
    """Pair every task with its prediction (an absent one is a ``None`` patch).

    Raises:
        UnknownInstanceError: a prediction names an instance the dataset does not hold.
    """
    known = {t.instance_id for t in tasks}
    stray = sorted(set(predictions) - known)
    if stray:
        more = f" (and {len(stray) - 3} more)" if len(stray) > 3 else ""
        raise UnknownInstanceError(
            f"{source}: prediction for unknown instance {', '.join(map(repr, stray[:3]))}{more}"
        )
    model = next(iter(predictions.values())).model_name_or_path if predictions else "none"
    return [
        (
            t,
            predictions.get(t.instance_id)
            or Prediction(instance_id=t.instance_id, model_name_or_path=model, model_patch=None),
        )
        for t in tasks
    ]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _manifest(req: EvalRequest, docker_version: str) -> RunManifest:
    ds = req.dataset
    return RunManifest(
        run_id=req.run_id,
        command=" ".join(sys.argv),
        dataset={
            "name": ds.name,
            "path": str(ds.path),
            "fingerprint": ds.fingerprint,
            "size": len(ds.tasks),
        },
        predictions=req.predictions_source,
        settings=req.settings.model_dump(mode="json"),
        versions={
            "swe_runner": __version__,
            "python": platform.python_version(),
            "docker": docker_version,
        },
        host=socket.gethostname(),
        started_at=_now(),
    )


class _Evaluator:
    """Does one instance, turning any failure into an ``error`` report."""

    def __init__(self, req: EvalRequest, run: RunDir, events: Events) -> None:
        self.req, self.run = req, run
        self.builder: ImageBuilder | None = None
        self.events = events
        s = req.settings
        self.limits = ContainerLimits(
            mem_limit=s.mem_limit,
            pids_limit=s.pids_limit,
            nano_cpus=s.nano_cpus,
            network=s.eval_network,
        )

    def __call__(self, task: Task, prediction: Prediction) -> EvalReport:
        try:
            result = self._evaluate(task, prediction)
        except Exception as exc:
            report = report_without_run(
                task, prediction, Outcome.ERROR, error=f"{exc}", traceback=traceback.format_exc()
            )
            result = EvalResult(report, None, None)
        self.run.write_instance(result.report, prediction.model_patch, result.script, result.log)
        return result.report

    def _evaluate(self, task: Task, prediction: Prediction) -> EvalResult:
        if prediction.is_empty:
            return evaluate(task, prediction, image="", limits=self.limits)
        if self.builder is None:
            self.builder = ImageBuilder(self.req.settings, self.events.on_message)
        image = self.builder.ensure_instance(task, self.req.dataset.repo_sources.get(task.repo))
        return evaluate(task, prediction, image, self.limits)


def _check_resumable(run: RunDir, req: EvalRequest) -> None:
    old = run.read_json("run.json")
    fingerprint = old.get("dataset", {}).get("fingerprint")
    if fingerprint != req.dataset.fingerprint:
        raise InputError(
            f"run {req.run_id} exists for another dataset (fingerprint "
            f"{fingerprint}); choose a new --run-id"
        )


def evaluate_predictions(req: EvalRequest, events: Events | None = None) -> Summary:
    """Evaluate every task of ``req.dataset`` against its prediction; resume a finished part.

    Raises:
        InputError: bad predictions or an incompatible existing run (nothing is written).
        DockerUnavailableError: the daemon is down and something needs a container.
    """
    events = events or Events()
    pairs = match_predictions(req.dataset.tasks, req.predictions, req.predictions_source)
    run = RunDir(req.settings.results_dir, req.run_id)
    docker_version = "unused"
    if any(not p.is_empty for _, p in pairs):
        docker_version = str(connect().version().get("Version", "?"))
    if run.exists():
        _check_resumable(run, req)
    started = time.perf_counter()
    manifest = _manifest(req, docker_version)
    run.write_json("run.json", manifest.model_dump(mode="json"))
    run.write_predictions([p for _, p in pairs])

    reports: dict[str, EvalReport] = {}
    todo = []
    for task, prediction in pairs:
        old = run.read_report(task.instance_id)
        if old is not None and run.saved_patch(task.instance_id) == (prediction.model_patch or ""):
            reports[task.instance_id] = old
        else:
            todo.append((task, prediction))
    events.on_plan(len(pairs), len(reports))
    for report in reports.values():
        events.on_result(report, True)
    evaluator = _Evaluator(req, run, events)
    with ThreadPoolExecutor(max_workers=req.workers, thread_name_prefix="eval") as pool:
        futures: dict[Future[EvalReport], str] = {
            pool.submit(evaluator, task, pred): task.instance_id for task, pred in todo
        }
        try:
            for future in as_completed(futures):
                report = future.result()
                reports[report.instance_id] = report
                events.on_result(report, False)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    summary = summarize(req.run_id, reports.values(), time.perf_counter() - started)
    run.write_json("summary.json", summary.model_dump(mode="json"))
    run.write_json(
        "run.json", manifest.model_copy(update={"finished_at": _now()}).model_dump(mode="json")
    )
    return summary
