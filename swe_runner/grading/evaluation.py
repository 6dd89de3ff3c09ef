"""Evaluate one prediction in a fresh sandbox: write the plan's files, run it, grade.

The script comes from :mod:`grading.script`, the outcome from :mod:`grading.outcome`; the
sandbox from the run's :class:`~swe_runner.runtime.base.Runtime`, and the script runs
through :meth:`Sandbox.exec` like every other command. The script it runs is kept
(``eval.sh``) beside the raw log (``test_output.txt``), so grading can be redone from disk.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from swe_runner import patch as patches
from swe_runner.errors import ContainerError
from swe_runner.grading import markers
from swe_runner.grading.outcome import outcome_from_log, report_without_run, test_duration
from swe_runner.grading.script import eval_plan, prepare_plan
from swe_runner.records import EvalReport, Outcome
from swe_runner.runtime.base import Runtime
from swe_runner.sandbox.base import ExecResult, Sandbox
from swe_runner.task import Prediction, Task

__all__ = ["EvalResult", "ScriptRun", "evaluate", "extra_ca", "prepare", "run_script"]


@dataclass(frozen=True)
class EvalResult:
    """One evaluation: the report plus the exact script and the raw log that produced it."""

    report: EvalReport
    script: str | None
    log: str | None


def prepare(
    sandbox: Sandbox,
    task: Task,
    prediction_patch: str,
    with_tests: bool = True,
    ca_bundle: Path | None = None,
) -> ExecResult:
    """Prepare ``sandbox`` (a container of ``task``'s instance image) the way the evaluation
    prepares its own (:func:`grading.script.prepare_script`), and stop before the tests run.
    ``ca_bundle``: the CA bundle the images were built with (the reinstall trusts it).

    Returns the script's result: exit status 0 when everything applied (3: the prediction
    did not, 4: the test patch did not); its output shows how it went.
    """
    plan = prepare_plan(task, prediction_patch, with_tests, extra_ca(ca_bundle))
    sandbox.write_files({path: text.encode() for path, text in plan.files.items()})
    return sandbox.exec(shlex.join(plan.command), timeout=plan.timeout)


def evaluate(
    task: Task,
    prediction: Prediction,
    image: str,
    runtime: Runtime,
    run_empty: bool = False,
) -> EvalResult:
    """Run the hidden tests on ``prediction`` in a fresh sandbox of ``image`` and grade.

    An empty prediction is graded ``empty_patch`` without a sandbox, unless ``run_empty``
    (task validation: the hidden tests on the unpatched repository). The runtime's image
    ``profile`` may ask for the task record's own script (:mod:`grading.official`), and
    says how our script activates the task's environment.

    Raises:
        ContainerError, ImageError: infrastructure failures (the caller records ``error``).
    """
    if prediction.is_empty and not run_empty:
        return EvalResult(report_without_run(task, prediction, Outcome.EMPTY_PATCH), None, None)
    model_patch = prediction.model_patch or ""
    refused = patches.refusal(model_patch)
    if refused is not None:
        report = report_without_run(task, prediction, Outcome.PATCH_FAILED, error=refused)
        return EvalResult(report, None, None)
    plan = eval_plan(task, model_patch, runtime.profile, extra_ca(runtime.ca_bundle))
    run = run_script(runtime, image, plan.files, shlex.join(plan.command), plan.timeout)
    timings = dict(run.timings)
    duration = test_duration(run.output)
    if duration is not None:
        timings["tests"] = duration
    log = run.output
    if run.timed_out:  # the harness's own lines, after the script's: a regrade sees them
        log = f"{log.rstrip(chr(10))}\n{markers.EVAL_TIMED_OUT}\n"
    if run.limit is not None:
        log = f"{log.rstrip(chr(10))}\n{markers.LIMIT_STOPPED} {run.limit}\n"
    return EvalResult(outcome_from_log(task, prediction, log, timings), plan.script, log)


def extra_ca(bundle: Path | None) -> str:
    """The text of the CA bundle the images were built with, or "" when there is none.

    Raises:
        OSError: the bundle cannot be read (the images could not have been built either).
    """
    return bundle.read_text(encoding="utf-8", errors="replace") if bundle else ""


@dataclass(frozen=True)
class ScriptRun:
    """What one script left in its fresh sandbox."""

    exit_code: int | None  # None when it was killed for running past its timeout
    output: str
    timed_out: bool
    timings: dict[str, float]
    limit: str | None = None  # the sandbox was stopped for a resource limit (disk)


def run_script(
    runtime: Runtime, image: str, files: Mapping[str, str], command: str, timeout: float
) -> ScriptRun:
    """Run ``command`` in a fresh sandbox of ``image`` with ``files`` (by absolute path)
    written first, through the sandbox like every other command. The sandbox is closed
    whatever happens.

    Raises:
        ImageError: the image does not exist.
        ContainerError: the runtime failed to start or run the sandbox.
    """
    began = time.perf_counter()
    sandbox = runtime.eval_sandbox(image)
    timings = {"container_start": time.perf_counter() - began}
    try:
        began = time.perf_counter()
        try:
            sandbox.write_files({path: text.encode() for path, text in files.items()})
            result = sandbox.exec(command, timeout=timeout)
        except ContainerError:
            if sandbox.limit_reached() is None:
                raise
            result = ExecResult(None, b"")  # stopped for a limit: that is the outcome
        timings["run"] = time.perf_counter() - began
        limit = sandbox.limit_reached()
    finally:
        began = time.perf_counter()
        sandbox.close()
        timings["teardown"] = time.perf_counter() - began
    return ScriptRun(result.exit_code, result.text, result.timed_out, timings, limit)
