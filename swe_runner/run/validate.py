"""The gold gate, in containers: for every task, the hidden tests without the gold patch
once and with it ``repeat`` times, each in a fresh container; then :func:`swe_runner.grading.gate.
classify` says whether the task is valid, flaky, broken or unbuildable."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from swe_runner.config import Settings, owner_id
from swe_runner.errors import DockerUnavailableError
from swe_runner.grading.evaluation import evaluate
from swe_runner.grading.gate import GateVerdict, classify, unbuildable
from swe_runner.grading.outcome import report_without_run
from swe_runner.inputs.dataset import Dataset
from swe_runner.records import EvalReport, Outcome
from swe_runner.runtime import Runtime, open_runtime
from swe_runner.task import Prediction, Task

__all__ = ["VALIDATE_LABEL", "validate_tasks"]

VALIDATE_LABEL = "swe-runner.validate"  # on its sandboxes: the validating process


def validate_tasks(
    dataset: Dataset,
    settings: Settings,
    repeat: int = 1,
    workers: int = 1,
    notify: Callable[[str], None] = lambda _: None,
    on_verdict: Callable[[GateVerdict], None] = lambda _: None,
) -> list[GateVerdict]:
    """Gate every task of ``dataset``: 1 + ``repeat`` evaluations each, in dataset order.

    A task whose image fails to build is ``unbuildable`` and the others go on.

    Raises:
        DockerUnavailableError: no daemon (nothing could be judged).
    """
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1 (got {repeat})")
    runtime = open_runtime(settings, {VALIDATE_LABEL: owner_id()}, notify)

    def one(task: Task) -> GateVerdict:
        try:
            image = runtime.image(task, dataset.repo_sources.get(task.repo))
        except DockerUnavailableError:
            raise
        except Exception as exc:
            verdict = unbuildable(task, f"{type(exc).__name__}: {exc}")
        else:
            empty = _evaluate(task, "", image, runtime)
            gold = [_evaluate(task, task.patch, image, runtime) for _ in range(repeat)]
            verdict = classify(task, gold, empty)
        on_verdict(verdict)
        return verdict

    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="validate") as pool:
            return list(pool.map(one, dataset.tasks))
    finally:
        runtime.close()


def _evaluate(task: Task, patch: str, image: str, runtime: Runtime) -> EvalReport:
    """One evaluation in a fresh container; a failure of the machinery is an ``error``."""
    pred = Prediction(
        instance_id=task.instance_id,
        model_name_or_path="gold" if patch else "empty",
        model_patch=patch,
    )
    try:
        return evaluate(task, pred, image, runtime, run_empty=not patch).report
    except DockerUnavailableError:
        raise
    except Exception as exc:
        return report_without_run(task, pred, Outcome.ERROR, error=f"{type(exc).__name__}: {exc}")
