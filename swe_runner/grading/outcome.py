"""An evaluation's outcome from its saved log: a pure function, used by evaluation and by
regrading (``report --regrade``).

First the log decides how the instance ended and why (a :class:`Verdict`): the prediction
did not apply, the hidden tests did not, the harness stopped the container, the tests hit
a limit, or the graded run resolved the task or not. The report is then built once from
the verdict and what the log recorded on the way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from swe_runner import patch as patches
from swe_runner.grading import guard, markers, official
from swe_runner.grading.grade import grade
from swe_runner.records import EvalReport, GradeResult, Outcome, TestsStatus
from swe_runner.task import EnvSpec, Prediction, Task

__all__ = [
    "PATCH_NOT_APPLIED",
    "TEST_PATCH_NOT_APPLIED",
    "Verdict",
    "decide",
    "outcome_from_log",
    "report_without_run",
    "stopped_before_grading",
    "test_duration",
]

PATCH_NOT_APPLIED = "the patch did not apply (git apply, patch)"
TEST_PATCH_NOT_APPLIED = "the hidden test patch did not apply"


@dataclass(frozen=True)
class Verdict:
    """How an evaluation ended, and why: the report's ``outcome`` and ``error``."""

    outcome: Outcome
    reason: str | None = None


def report_without_run(
    task: Task,
    prediction: Prediction,
    outcome: Outcome,
    error: str | None = None,
    traceback: str | None = None,
) -> EvalReport:
    """A report for an instance that never reached the test run (empty patch, error...)."""
    return EvalReport(
        instance_id=task.instance_id,
        model_name_or_path=prediction.model_name_or_path,
        outcome=outcome,
        patch_is_None=prediction.model_patch is None,
        patch_exists=not prediction.is_empty,
        error=error,
        traceback=traceback,
    )


def stopped_before_grading(log: str) -> Verdict | None:
    """The verdict of a log that ended before there was a test run to grade, or None:
    the prediction or the hidden tests did not apply, or the harness stopped the container
    (the code passed a limit the harness keeps from outside, e.g. the disk watchdog)."""
    lines = set(log.splitlines())
    if markers.APPLY_FAILED in lines:
        return Verdict(Outcome.PATCH_FAILED, PATCH_NOT_APPLIED)
    if markers.TEST_PATCH_FAILED in lines:
        return Verdict(Outcome.ERROR, TEST_PATCH_NOT_APPLIED)
    last = log.rstrip("\n").rpartition("\n")[2]  # only the harness writes after the script
    if last.startswith(markers.LIMIT_STOPPED):
        return Verdict(Outcome.LIMIT_EXCEEDED, last[len(markers.LIMIT_STOPPED) :].strip())
    return None


def decide(log: str, result: GradeResult, eval_timeout: float) -> Verdict:
    """The verdict of a graded test run. The code under test hitting a limit (time, file
    size, memory or processes) is the patch's doing, not the infrastructure's; a run the
    harness had to stop, or that never finished, is the infrastructure's."""
    lines = set(log.splitlines())
    limit = Outcome.LIMIT_EXCEEDED
    if result.exit_code == markers.TIMEOUT_STATUS:
        return Verdict(limit, f"tests ran past the {eval_timeout:g}s limit")
    if not result.resolved:
        if markers.FILE_TOO_LARGE in (markers.test_section(log) or ""):
            return Verdict(limit, "file size limit reached")
        if result.exit_code == markers.KILLED_STATUS:
            return Verdict(limit, "test process was killed (memory or process limit)")
    if markers.EVAL_TIMED_OUT in lines:
        return Verdict(Outcome.ERROR, "evaluation container timed out")
    if result.exit_code is None and markers.TEST_START in lines:
        return Verdict(Outcome.ERROR, "the test run did not finish")
    return Verdict(Outcome.RESOLVED if result.resolved else Outcome.UNRESOLVED)


def outcome_from_log(
    task: Task, prediction: Prediction, log: str, timings: dict[str, float] | None = None
) -> EvalReport:
    """Grade a saved evaluation log (the official script's too) into the instance's report.

    Raises:
        UnknownNameError: the task's log parser is not a registered one.
    """
    spec = task.env_spec or EnvSpec()
    parser = official.log_parser(task, spec, log)
    log = official.graded_view(log)  # the official script's markers, read as ours
    result: GradeResult | None = None
    verdict = stopped_before_grading(log)
    if verdict is None:
        ran = patches.test_files(task.test_patch, spec.test_selection)
        result = grade(log, task.FAIL_TO_PASS, task.PASS_TO_PASS, parser, ran)
        verdict = decide(log, result, spec.eval_timeout)
    applied = verdict.outcome is not Outcome.PATCH_FAILED  # only a failed apply says so here
    method = markers.apply_method(log) if applied else None
    integrity = guard.actions(log)
    if result is not None:
        integrity = integrity.model_copy(update={"record": result.record_check})
    return EvalReport(
        instance_id=task.instance_id,
        model_name_or_path=prediction.model_name_or_path,
        outcome=verdict.outcome,
        patch_is_None=prediction.model_patch is None,
        patch_exists=not prediction.is_empty,
        patch_successfully_applied=method is not None,
        apply_method=method,
        resolved=verdict.outcome is Outcome.RESOLVED,
        tests_status=result.tests_status if result else TestsStatus(),
        exit_code=result.exit_code if result else None,
        log_valid=result.log_valid if result else None,
        invalid_reason=result.invalid_reason if result else None,
        test_config_touched=patches.test_config_paths(prediction.model_patch or ""),
        integrity=integrity,
        ghost_ids=result.ghost_ids if result else [],
        reinstall_failed=markers.reinstall_failure(log),
        error=verdict.reason,
        timings=dict(timings or {}),
    )


def test_duration(log: str) -> float | None:
    """Seconds the test command took, as the eval script measured it."""
    found = re.findall(rf"^{re.escape(markers.TEST_DURATION)} (\d+)$", log, re.MULTILINE)
    return int(found[-1]) / 1000 if found else None
